// Package azure is the plugin's edge to Azure: it turns the shared auth and cloud configuration into
// azidentity credentials and armcompute/armauthorization client factories, and it classifies Azure
// errors into messages a user can act on.
//
// It imports nothing from packer-plugin-sdk, so the publishing core and its tests can use it directly.
package azure
