package arm

// adaptedExamples rewrites the request of an example the emulator cannot replay as is, keeping what the
// example is about (kept in sync with testdata/EXAMPLES.md, "Adapted examples"). The response is then
// compared in full except the paths perExampleNotModeled lists for it.
var adaptedExamples = map[string]func(body map[string]any){
	// The example captures a virtual machine, which the emulator does not have; its subject is the
	// storage account strategy, so the replay captures a managed image instead (created for the replay
	// by rewriteIDs) and compares everything but the source's virtualMachineId.
	"GalleryImageVersion_Create_WithStorageAccountStrategy.json": func(body map[string]any) {
		src := obj(body, "properties", "storageProfile", "source")
		delete(src, "virtualMachineId")
		src["id"] = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/images/{imageName}"
	},
}

// adaptExample applies the example's adaptation, if it has one.
func adaptExample(name string, body map[string]any) {
	if f := adaptedExamples[name]; f != nil && body != nil {
		f(body)
	}
}
