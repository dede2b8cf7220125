//go:build tools

// Package tools pins the older Packer core (1.9.4) that the compatibility smoke test runs: it speaks gob to
// plugins and discovers them through PACKER_PLUGIN_PATH.
package tools

import _ "github.com/hashicorp/packer"
