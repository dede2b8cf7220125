package azuregallery

import (
	"fmt"
	"strings"
	"testing"
)

// TestConfigureCountsThePluginsTags: Azure allows 50 tags in all, and the plugin adds up to 5.
func TestConfigureCountsThePluginsTags(t *testing.T) {
	clearAzureEnv(t)
	tags := func(n int) map[string]interface{} {
		m := map[string]interface{}{}
		for i := range n {
			m[fmt.Sprintf("k%d", i)] = "v"
		}
		return m
	}
	cases := []struct {
		tags map[string]interface{}
		want string // "" = valid
	}{
		{tags(45), ""},
		{tags(46), "tags has 46 entries, and the plugin adds up to 5 of its own"},
		{tags(50), "use at most 45"},
		{map[string]interface{}{"Packer-Plugin-Azure-Gallery": "managed"}, `tags key "Packer-Plugin-Azure-Gallery" is the plugin's own tag`},
		{map[string]interface{}{"packer-plugin-azure-gallery-run": "x"}, "the plugin's own tag"},
	}
	for _, c := range cases {
		cfg := baseConfig()
		cfg["tags"] = c.tags
		var p PostProcessor
		err := p.Configure(cfg)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%d tags refused: %v", len(c.tags), err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: err %v, want %q", c.tags, err, c.want)
		}
	}
}
