//go:build tools

// Package tools pins the Packer core that tests and the demo run.
package tools

import _ "github.com/hashicorp/packer"
