package azuregallery

import (
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

const (
	testCommunityID = "/CommunityGalleries/acme-0a1b/Images/ubuntu/Versions/1.0.0"
	testSharedID    = "/SharedGalleries/0000-1111/Images/ubuntu/Versions/1.0.0"
)

// publicSourceCases: source_image_version_id in its public forms at `packer validate`.
var publicSourceCases = []struct {
	name string
	edit func(map[string]interface{})
	want []string
}{
	{"community ID", func(m map[string]interface{}) { m["source_image_version_id"] = testCommunityID }, nil},
	{"community ID with its region", func(m map[string]interface{}) {
		m["source_image_version_id"], m["source_location"] = strings.ToLower(testCommunityID), "East US"
	}, nil},
	{"direct-shared ID", func(m map[string]interface{}) { m["source_image_version_id"] = testSharedID },
		[]string{"source_image_version_id: a direct-shared version (/SharedGalleries/…) cannot be the source of a gallery image version", "GalleryArtifactVersionFullSource"}},
	{"community image without a version", func(m map[string]interface{}) {
		m["source_image_version_id"] = "/CommunityGalleries/acme-0a1b/Images/ubuntu"
	}, []string{"source_image_version_id: source", "/CommunityGalleries/{name}/Images/{image}/Versions/{major.minor.patch}"}},
	{"community version latest", func(m map[string]interface{}) {
		m["source_image_version_id"] = "/CommunityGalleries/acme-0a1b/Images/ubuntu/Versions/latest"
	}, []string{"a promotion copies one exact version"}},
	{"community ID as source_image_id", func(m map[string]interface{}) { m["source_image_id"] = testCommunityID },
		[]string{"source_image_id: source", "is a community gallery image version, not a managed image"}},
	{"source_location with a resource-ID version", func(m map[string]interface{}) {
		m["source_image_version_id"], m["source_location"] = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0", "eastus"
	}, []string{"source_location is set without source_vhd_uri or a community source_image_version_id"}},
}

func TestConfigurePublicVersionSource(t *testing.T) {
	for _, tc := range publicSourceCases {
		t.Run(tc.name, func(t *testing.T) {
			clearAzureEnv(t)
			m := baseConfig()
			delete(m, "source_image_id")
			tc.edit(m)
			var p PostProcessor
			err := p.Configure(m)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestCommunitySourceRequest: a community source_image_version_id reaches the core as a community source
// with source_location as its region.
func TestCommunitySourceRequest(t *testing.T) {
	clearAzureEnv(t)
	m := baseConfig()
	delete(m, "source_image_id")
	m["source_image_version_id"], m["source_location"] = testCommunityID, "westeurope"
	m["target_region"] = []map[string]interface{}{{"name": "westeurope"}}
	var p PostProcessor
	if err := p.Configure(m); err != nil {
		t.Fatal(err)
	}
	src, err := resolveSourceConfig(&p.config, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := p.request(src)
	if req.SourceID != testCommunityID || req.SourceLocation != "westeurope" || src.Kind != gallery.SourceCommunityVersion {
		t.Errorf("request source %q %q (kind %s)", req.SourceID, req.SourceLocation, src.Kind)
	}
}
