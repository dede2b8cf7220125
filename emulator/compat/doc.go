// Package compat holds tests only: it drives the offline Azure emulator with older majors of
// armcompute (v5, v6, v7) at the api-versions that other real clients use (az CLI 2.45,
// hashicorp/packer-plugin-azure 2.6), to show the emulator serves each version in its own shape.
//
// It is a separate Go module so that those older SDK majors never enter the plugin's dependency
// graph. Run it with `go -C emulator/compat test ./...` from the repository root.
package compat
