module github.com/azure-gallery/packer-plugin-azure-gallery/tools/packer194

go 1.26.3

require github.com/hashicorp/packer v1.9.4

replace github.com/zclconf/go-cty => github.com/nywilken/go-cty v1.13.3
