package azuregallery

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ugorji/go/codec"
)

const testImageID = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/build-rg/providers/Microsoft.Compute/images/img-1"

// fakeArtifact is an input artifact whose State values have crossed msgpack, as they do between Packer
// and a plugin.
type fakeArtifact struct {
	builderID string
	id        string
	state     map[string]interface{}
	t         *testing.T
}

func (a *fakeArtifact) BuilderId() string { return a.builderID }
func (a *fakeArtifact) Files() []string   { return nil }
func (a *fakeArtifact) Id() string        { return a.id }
func (a *fakeArtifact) String() string    { return a.id }
func (a *fakeArtifact) Destroy() error    { return nil }
func (a *fakeArtifact) State(name string) interface{} {
	v, ok := a.state[name]
	if !ok {
		return nil
	}
	return msgpackRoundTrip(a.t, v)
}

// msgpackRoundTrip sends v through the msgpack handle packer-plugin-sdk's RPC uses.
func msgpackRoundTrip(t *testing.T, v interface{}) interface{} {
	t.Helper()
	h := &codec.MsgpackHandle{WriteExt: true}
	var buf bytes.Buffer
	if err := codec.NewEncoder(&buf, h).Encode(v); err != nil {
		t.Fatalf("encode: %v", err)
	}
	var out interface{}
	if err := codec.NewDecoder(&buf, h).Decode(&out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return out
}

func TestResolveSourceConfigWins(t *testing.T) {
	in := &fakeArtifact{builderID: "some.other.builder", id: "x", t: t}
	s, err := resolveSource(testImageID, "", in)
	if err != nil {
		t.Fatal(err)
	}
	if s.ImageID != testImageID || s.From != "source_image_id" {
		t.Fatalf("got %+v", s)
	}
}

func TestResolveSourceAzureArm(t *testing.T) {
	s, err := resolveSource("", "", &fakeArtifact{builderID: azureArmBuilderID, id: testImageID, t: t})
	if err != nil {
		t.Fatal(err)
	}
	if s.ImageID != testImageID || s.From != "azure-arm" {
		t.Fatalf("got %+v", s)
	}
}

func TestResolveSourceAzureArmVHD(t *testing.T) {
	_, err := resolveSource("", "", &fakeArtifact{builderID: azureArmBuilderID, id: "https://acct.blob.core.windows.net/system/Microsoft.Compute/Images/images/osDisk.vhd", t: t})
	if err == nil {
		t.Fatal("a VHD URI must be refused")
	}
	for _, want := range []string{"VHD", "managed_image_name", "azure-gallery-import"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestResolveSourceImporter(t *testing.T) {
	in := &fakeArtifact{builderID: importerBuilderID, id: testImageID, t: t, state: map[string]interface{}{
		"managed_image_id":   testImageID,
		"location":           "West Europe",
		"os_type":            "Linux",
		"hyper_v_generation": "V2",
		"architecture":       "x64",
		"size_bytes":         uint64(2 << 30),
	}}
	s, err := resolveSource("", "", in)
	if err != nil {
		t.Fatal(err)
	}
	want := source{ImageID: testImageID, From: "azure-gallery-import", Location: "westeurope", OSType: "Linux", HyperVGeneration: "V2", Architecture: "x64", SizeBytes: 2 << 30}
	if *s != want {
		t.Fatalf("got %+v\nwant %+v", *s, want)
	}
}

func TestResolveSourceImporterIDFallback(t *testing.T) {
	// Without managed_image_id in state, the artifact's Id() is used.
	in := &fakeArtifact{builderID: importerBuilderID, id: testImageID, t: t, state: map[string]interface{}{"size_bytes": int64(1024)}}
	s, err := resolveSource("", "", in)
	if err != nil {
		t.Fatal(err)
	}
	if s.ImageID != testImageID || s.SizeBytes != 1024 {
		t.Fatalf("got %+v", s)
	}
}

func TestResolveSourceImporterBadState(t *testing.T) {
	in := &fakeArtifact{builderID: importerBuilderID, id: testImageID, t: t, state: map[string]interface{}{"size_bytes": "huge"}}
	_, err := resolveSource("", "", in)
	if err == nil || !strings.Contains(err.Error(), "size_bytes") {
		t.Fatalf("want an error naming size_bytes, got %v", err)
	}
}

func TestResolveSourceUnknownBuilder(t *testing.T) {
	_, err := resolveSource("", "", &fakeArtifact{builderID: "mitchellh.virtualbox", id: "x", t: t})
	if err == nil {
		t.Fatal("unknown builder accepted")
	}
	for _, want := range []string{"mitchellh.virtualbox", "source_image_id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestResolveSourceNoArtifact(t *testing.T) {
	if _, err := resolveSource("", "", nil); err == nil || !strings.Contains(err.Error(), "source_image_id") {
		t.Fatalf("got %v", err)
	}
}
