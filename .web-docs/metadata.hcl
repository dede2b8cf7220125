# The Packer integrations registry reads this file and the adjacent components/ directory.
# components/ and README.md are generated from docs/ by `make web-docs`; edit docs/, not them.
integration {
  name        = "Azure Compute Gallery"
  description = "Publishes VM images to an Azure Compute Gallery: import disks as managed images, publish replicated image versions, look up published versions."
  identifier  = "packer/azure-gallery/azure-gallery"
  flags       = []
  docs {
    process_docs    = true
    readme_location = "./README.md"
    external_url    = "https://github.com/azure-gallery/packer-plugin-azure-gallery"
  }
  component {
    type = "post-processor"
    name = "Azure Compute Gallery"
    slug = "azure-gallery"
  }
  component {
    type = "builder"
    name = "Azure Gallery Import"
    slug = "import"
  }
  component {
    type = "data-source"
    name = "Azure Compute Gallery Version"
    slug = "version"
  }
}
