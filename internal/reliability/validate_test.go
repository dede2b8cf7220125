package reliability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// ppBase is a valid post-processor body; cases override (or, with "", remove) attributes.
var ppBase = [][2]string{
	{"subscription_id", `"00000000-0000-0000-0000-000000000001"`},
	{"tenant_id", `"00000000-0000-0000-0000-000000000002"`},
	{"client_id", `"00000000-0000-0000-0000-000000000003"`},
	{"client_secret", `"not-a-real-secret"`},
	{"source_image_id", `"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/build-rg/providers/Microsoft.Compute/images/base"`},
	{"resource_group", `"images-rg"`},
	{"gallery_name", `"golden"`},
	{"image_name", `"ubuntu"`},
	{"publisher", `"contoso"`},
	{"offer", `"ubuntu"`},
	{"sku", `"24_04"`},
	{"image_version", `"1.0.0"`},
}

// importBase is a valid import builder body; source_file is added per case.
var importBase = [][2]string{
	{"subscription_id", `"00000000-0000-0000-0000-000000000001"`},
	{"tenant_id", `"00000000-0000-0000-0000-000000000002"`},
	{"client_id", `"00000000-0000-0000-0000-000000000003"`},
	{"client_secret", `"not-a-real-secret"`},
	{"resource_group", `"images-rg"`},
	{"location", `"eastus"`},
	{"image_name", `"demo"`},
	{"os_type", `"Linux"`},
}

// validateCase is one template: attribute overrides ("" removes), extra raw lines (blocks), and the
// field name the error must contain.
type validateCase struct {
	name   string
	set    map[string]string
	blocks string
	field  string
}

// knownGaps explain, by case name, why packer validate still accepts a template today: such a case is
// skipped while it is accepted, and must name its field once it is refused.
var knownGaps = map[string]string{}

// region is a target_region block.
func region(body string) string { return "target_region {\n" + body + "\n}\n" }

var eastus = region(`name = "eastus"`)

func postProcessorCases() []validateCase {
	return []validateCase{
		// wrong types
		{"version is a list", map[string]string{"image_version": `["1.0.0"]`}, eastus, "image_version"},
		{"replica_count is text", map[string]string{"replica_count": `"many"`}, eastus, "replica_count"},
		{"create_gallery is text", map[string]string{"create_gallery": `"maybe"`}, eastus, "create_gallery"},
		{"tags is a string", map[string]string{"tags": `"team"`}, eastus, "tags"},
		{"target_region as attribute", map[string]string{"target_region": `"eastus"`}, "", "target_region"},
		{"timeout not a duration", map[string]string{"timeout": `"forever"`}, eastus, "timeout"},
		{"exclude_from_latest is text", map[string]string{"exclude_from_latest": `"nope"`}, eastus, "exclude_from_latest"},
		{"recommended_vcpus_min is text", map[string]string{"recommended_vcpus_min": `"two"`}, eastus, "recommended_vcpus_min"},
		{"auxiliary_tenant_ids is a map", map[string]string{"auxiliary_tenant_ids": `{ a = "b" }`}, eastus, "auxiliary_tenant_ids"},
		// bad versions
		{"version with two parts", map[string]string{"image_version": `"1.0"`}, eastus, "image_version"},
		{"version with four parts", map[string]string{"image_version": `"1.0.0.0"`}, eastus, "image_version"},
		{"version with a v", map[string]string{"image_version": `"v1.0.0"`}, eastus, "image_version"},
		{"negative version part", map[string]string{"image_version": `"1.-1.0"`}, eastus, "image_version"},
		{"empty version", map[string]string{"image_version": `""`}, eastus, "image_version"},
		{"version part overflows int32", map[string]string{"image_version": `"1.0.99999999999"`}, eastus, "image_version"},
		{"version with letters", map[string]string{"image_version": `"1.0.beta"`}, eastus, "image_version"},
		// bad regions
		{"empty region name", nil, region(`name = ""`), "target_region[0].name"},
		{"region with punctuation", nil, region(`name = "east us!"`), "target_region[0].name"},
		{"same region twice", nil, eastus + region(`name = "East US"`), "target_region[1].name"},
		{"region replicas out of range", nil, region("name = \"eastus\"\nreplicas = 500"), "target_region[0].replicas"},
		{"replica_count out of range", map[string]string{"replica_count": "500"}, eastus, "replica_count"},
		{"region storage type unknown", nil, region("name = \"eastus\"\nstorage_account_type = \"Fast_LRS\""), "target_region[0].storage_account_type"},
		// conflicting options
		{"block deletion without end of life", map[string]string{"block_deletion_before_end_of_life": "true"}, eastus, "block_deletion_before_end_of_life"},
		{"trusted launch on V1", map[string]string{"security_type": `"TrustedLaunch"`, "hyper_v_generation": `"V1"`}, eastus, "hyper_v_generation"},
		{"vcpus min above max", map[string]string{"recommended_vcpus_min": "8", "recommended_vcpus_max": "2"}, eastus, "recommended_vcpus_min"},
		{"two credentials", map[string]string{"client_cert_path": `"/etc/hostname"`}, eastus, "client_secret"},
		{"cloud and metadata host", map[string]string{"cloud_environment_name": `"Public"`, "metadata_host": `"127.0.0.1:1"`}, eastus, "metadata_host"},
		{"oidc url without token", map[string]string{"client_secret": "", "oidc_request_url": `"https://token.example/"`}, eastus, "oidc_request_token"},
		{"shallow with two regions", map[string]string{"replication_mode": `"Shallow"`}, eastus + region(`name = "westus2"`), "replication_mode"},
		// missing auth and required fields
		{"no subscription", map[string]string{"subscription_id": ""}, eastus, "subscription_id"},
		{"secret without tenant", map[string]string{"tenant_id": ""}, eastus, "tenant_id"},
		{"secret without client id", map[string]string{"client_id": ""}, eastus, "client_id"},
		{"no resource group", map[string]string{"resource_group": ""}, eastus, "resource_group"},
		{"no gallery", map[string]string{"gallery_name": ""}, eastus, "gallery_name"},
		{"no image name", map[string]string{"image_name": ""}, eastus, "image_name"},
		{"new definition without publisher", map[string]string{"publisher": ""}, eastus, "publisher"},
		// invalid values
		{"gallery name with hyphen", map[string]string{"gallery_name": `"my-gallery"`}, eastus, "gallery_name"},
		{"resource group ending in a dot", map[string]string{"resource_group": `"rg."`}, eastus, "resource_group"},
		{"image name starting with hyphen", map[string]string{"image_name": `"-bad"`}, eastus, "image_name"},
		{"source is a VHD URL", map[string]string{"source_image_id": `"https://acct.blob.core.windows.net/vhds/os.vhd"`}, eastus, "source_image_id"},
		{"source is a disk", map[string]string{"source_image_id": `"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/disks/d"`}, eastus, "source_image_id"},
		{"unknown os type", map[string]string{"os_type": `"Solaris"`}, eastus, "os_type"},
		{"unknown hyper-v generation", map[string]string{"hyper_v_generation": `"V3"`}, eastus, "hyper_v_generation"},
		{"unknown architecture", map[string]string{"architecture": `"sparc"`}, eastus, "architecture"},
		{"unknown storage account type", map[string]string{"storage_account_type": `"Fast_LRS"`}, eastus, "storage_account_type"},
		{"bad end of life date", map[string]string{"end_of_life_date": `"tomorrow"`}, eastus, "end_of_life_date"},
		{"bad version end of life date", map[string]string{"version_end_of_life_date": `"2020-13-45"`}, eastus, "version_end_of_life_date"},
		{"privacy statement not a URL", map[string]string{"privacy_statement_uri": `"not a url"`}, eastus, "privacy_statement_uri"},
		{"tag name with a slash", map[string]string{"tags": `{ "a/b" = "c" }`}, eastus, "tags"},
		{"purchase plan without publisher", nil, eastus + "purchase_plan {\nname = \"p\"\nproduct = \"x\"\n}\n", "purchase_plan.publisher"},
		{"controller listed twice", map[string]string{"disk_controller_types": `["SCSI", "SCSI"]`}, eastus, "disk_controller_types"},
		{"unknown cloud", map[string]string{"cloud_environment_name": `"Mars"`}, eastus, "cloud_environment_name"},
		{"subscription as a path", map[string]string{"subscription_id": `"/subscriptions/abc"`}, eastus, "subscription_id"},
		{"client_jwt not a JWT", map[string]string{"client_secret": "", "client_jwt": `"not-a-jwt"`}, eastus, "client_jwt"},
		{"negative timeout", map[string]string{"timeout": `"-5m"`}, eastus, "timeout"},
		{"auxiliary tenant not an ID", map[string]string{"auxiliary_tenant_ids": `["a/b"]`}, eastus, "auxiliary_tenant_ids"},
		// unknown fields
		{"misspelled image_version", map[string]string{"image_versoin": `"1.0.0"`}, eastus, "image_versoin"},
		{"misspelled gallery_name", map[string]string{"galery_name": `"golden"`}, eastus, "galery_name"},
		{"unknown field in target_region", nil, region(`nmae = "eastus"`), "nmae"},
	}
}

// importCases are import builder templates, mostly source files that are not disk images.
func importCases(t *testing.T) []validateCase {
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%q", p)
	}
	qcow := append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 4<<20)...)
	vmdk := append([]byte("KDMV\x01\x00\x00\x00"), make([]byte, 4<<20)...)
	dynamic := make([]byte, 4<<20)
	copy(dynamic, "conectix")
	return []validateCase{
		{"text file as source", map[string]string{"source_file": file("notes.txt", []byte("hello, not a disk\n"))}, "", "source_file"},
		{"qcow2 as source", map[string]string{"source_file": file("disk.qcow2", qcow)}, "", "source_file"},
		{"vmdk as source", map[string]string{"source_file": file("disk.vmdk", vmdk)}, "", "source_file"},
		{"dynamic vhd as source", map[string]string{"source_file": file("dyn.vhd", dynamic)}, "", "source_file"},
		{"truncated .vhd", map[string]string{"source_file": file("cut.vhd", make([]byte, 3<<20))}, "", "source_file"},
		{"missing file", map[string]string{"source_file": fmt.Sprintf("%q", filepath.Join(dir, "absent.raw"))}, "", "source_file"},
		{"directory as source", map[string]string{"source_file": fmt.Sprintf("%q", dir)}, "", "source_file"},
		{"no source", nil, "", "source_file"},
		{"two sources", map[string]string{"source_file": file("two.raw", make([]byte, 2<<20)), "source_disk_id": `"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/disks/d"`}, "", "source_disk_id"},
		{"upload_concurrency out of range", map[string]string{"source_file": file("ok.raw", make([]byte, 2<<20)), "upload_concurrency": "1000"}, "", "upload_concurrency"},
		{"no location", map[string]string{"source_file": file("ok2.raw", make([]byte, 2<<20)), "location": ""}, "", "location"},
	}
}

// body renders base with a case's overrides, in base order, then the extra attributes sorted.
func body(base [][2]string, c validateCase) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, kv := range base {
		seen[kv[0]] = true
		v, ok := c.set[kv[0]]
		if !ok {
			v = kv[1]
		}
		if v != "" {
			fmt.Fprintf(&b, "%s = %s\n", kv[0], v)
		}
	}
	var extra []string
	for k, v := range c.set {
		if !seen[k] && v != "" {
			extra = append(extra, fmt.Sprintf("%s = %s\n", k, v))
		}
	}
	sort.Strings(extra)
	for _, e := range extra {
		b.WriteString(e)
	}
	b.WriteString(c.blocks)
	return b.String()
}

const required = `packer {
  required_plugins {
    azure-gallery = {
      source  = "` + acctest.PluginSource + `"
      version = ">= 0.1.0"
    }
  }
}
`

func postProcessorTemplate(c validateCase) string {
	return required + `source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  post-processor "azure-gallery" {
` + body(ppBase, c) + `  }
}
`
}

func importTemplate(c validateCase) string {
	return required + `source "azure-gallery-import" "i" {
` + body(importBase, c) + `}
build {
  sources = ["source.azure-gallery-import.i"]
}
`
}

// namesField reports whether an error in Packer's output has field as its subject, in the forms the errors
// use: Packer's HCL diagnostics and the SDK's decoder quote the attribute (`argument named "nmae"`,
// `attribute "tags"`, `'timeout'`), and the plugin's own errors (one per "* " line) name their fields
// before the first ": " (`* target_region[0].replicas 500 is out of range: use 1 to 100`,
// `* client_secret, client_cert_path: only one credential may be set`). The field must be a whole name
// there: `timeout` inside `upload_timeout`, `replicas` inside `target_region[0].replicas`, or a field
// mentioned only in the fix after the colon does not count.
func namesField(output, field string) bool {
	q := regexp.QuoteMeta(field)
	quoted := regexp.MustCompile(`["'` + "`" + `]` + q + `["'` + "`" + `]`)
	if quoted.MatchString(output) {
		return true
	}
	token := regexp.MustCompile(`(^|[^\w.\]])` + q + `($|\W)`)
	for _, line := range strings.Split(output, "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "* ")
		if !ok {
			continue
		}
		subject, _, _ := strings.Cut(rest, ": ")
		if token.MatchString(subject) {
			return true
		}
	}
	return false
}

// TestNamesField: the subject forms match; a field inside another name or only in the fix does not.
func TestNamesField(t *testing.T) {
	for _, c := range []struct {
		out, field string
		want       bool
	}{
		{"* timeout -5m0s is negative: use a duration", "timeout", true},
		{`An argument named "nmae" is not expected here.`, "nmae", true},
		{"* error decoding 'tags': expected a map", "tags", true},
		{"* target_region[0].replicas 500 is out of range: use 1 to 100", "target_region[0].replicas", true},
		{"* target_region[0].replicas 500 is out of range: use 1 to 100", "replicas", false},
		{"* upload_timeout is negative", "timeout", false},
		{"* client_secret, client_cert_path: only one credential may be set", "client_cert_path", true},
		{`* auxiliary_tenant_ids[0]: "a/b" is not a tenant ID`, "auxiliary_tenant_ids", true},
		{"* cloud_environment_name and metadata_host: set only one", "metadata_host", true},
		{"* no source: set exactly one of source_file or source_disk_id", "source_file", false},
		{"Error: 1 error(s) occurred:\n\n* metadata_host: reading https://x: refused", "metadata_host", true},
		{"the source has no tags timeout here", "tags", false},
	} {
		if got := namesField(c.out, c.field); got != c.want {
			t.Errorf("namesField(%q, %q) = %v, want %v", c.out, c.field, got, c.want)
		}
	}
}

// TestR5InvalidTemplates: each invalid template fails `packer validate` with a message naming the
// field; the valid base templates pass (so a failure is the case's, not the harness's).
func TestR5InvalidTemplates(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	pp, imp := postProcessorCases(), importCases(t)
	row := scenario(t, "R5 invalid templates", fmt.Sprintf("%d invalid templates (%d post-processor, %d import builder)", len(pp)+len(imp), len(pp), len(imp)))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env := tools.PackerEnv(t)
	validate := func(t *testing.T, tmpl string) acctest.Run {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "t.pkr.hcl"), []byte(tmpl), 0o644); err != nil {
			t.Fatal(err)
		}
		return tools.RunPacker(ctx, t, dir, env, "validate", ".")
	}
	okFile := filepath.Join(t.TempDir(), "ok.raw")
	if err := os.WriteFile(okFile, make([]byte, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tmpl := range map[string]string{
		"post-processor": postProcessorTemplate(validateCase{blocks: eastus}),
		"import builder": importTemplate(validateCase{set: map[string]string{"source_file": fmt.Sprintf("%q", okFile)}}),
	} {
		if run := validate(t, tmpl); run.ExitCode != 0 {
			t.Fatalf("the valid %s template fails validation (%d):\n%s\n%s", name, run.ExitCode, tmpl, run.Output)
		}
	}
	failed, gaps := 0, 0
	check := func(c validateCase, tmpl string) {
		t.Run(c.name, func(t *testing.T) {
			run := validate(t, tmpl)
			if gap := knownGaps[c.name]; run.ExitCode == 0 && gap != "" {
				gaps++
				t.Skip("known gap: " + gap)
			}
			if run.ExitCode == 0 {
				failed++
				t.Fatalf("packer validate accepted it:\n%s", tmpl)
			}
			if !namesField(run.Output, c.field) {
				failed++
				t.Errorf("no error has %s as its subject:\n%s\n--- template\n%s", c.field, run.Output, tmpl)
			}
		})
	}
	for _, c := range pp {
		check(c, postProcessorTemplate(c))
	}
	for _, c := range imp {
		check(c, importTemplate(c))
	}
	row.Result = fmt.Sprintf("%d/%d rejected naming the field", len(pp)+len(imp)-failed-gaps, len(pp)+len(imp))
	if gaps > 0 {
		row.Result += fmt.Sprintf("; %d known gaps", gaps)
	}
}
