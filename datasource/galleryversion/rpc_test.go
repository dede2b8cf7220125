package galleryversion

import (
	"fmt"
	"net"
	"testing"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	packerrpc "github.com/hashicorp/packer-plugin-sdk/rpc"
	"github.com/zclconf/go-cty/cty"
)

// rpcDatasource serves d over the SDK's RPC on a loopback connection and returns the client side, as
// Packer core sees the plugin. proto selects the protobuf/msgpack encoding that current Packer
// negotiates; otherwise gob, which older cores use.
func rpcDatasource(t *testing.T, d *Datasource, proto bool) (client interface {
	Configure(...interface{}) error
	OutputSpec() hcldec.ObjectSpec
}, execute func() (attrs map[string]string, regions int, err error)) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	cc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc := <-accepted
	_ = l.Close()
	if sc == nil {
		t.Fatal("accept failed")
	}
	server, err := packerrpc.NewServer(sc)
	if err != nil {
		t.Fatal(err)
	}
	server.UseProto = proto
	if err := server.RegisterDatasource(d); err != nil {
		t.Fatal(err)
	}
	go server.Serve()
	c, err := packerrpc.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	c.UseProto = proto
	t.Cleanup(func() { _ = c.Close(); server.Close() })
	ds := c.Datasource()
	return ds, func() (map[string]string, int, error) {
		v, err := ds.Execute()
		if err != nil {
			return nil, 0, err
		}
		out := map[string]string{}
		for k, a := range v.AsValueMap() {
			if a.Type() == cty.String && !a.IsNull() {
				out[k] = a.AsString()
			}
		}
		return out, v.GetAttr("replicated_regions").LengthInt(), nil
	}
}

// TestDatasourceOverRPC decodes an HCL block with the data source's ConfigSpec, as Packer core does, and
// configures and executes it across the plugin RPC, so the generated specs and the msgpack encoding of
// the outputs are exercised end to end.
func TestDatasourceOverRPC(t *testing.T) {
	e := newGalleryEnv(t)
	p, err := e.begin(versionSpec{name: "1.2.3", regions: []string{"eastus", "westus"}})
	done(t, "version", p, err)

	run := func(t *testing.T, proto bool, image, extra string) (map[string]string, int, error) {
		t.Helper()
		src := fmt.Sprintf(`
client_id       = %q
client_secret   = %q
tenant_id       = %q
subscription_id = %q
metadata_host   = %q
resource_group  = %q
gallery_name    = %q
image_name      = %q
%s
`, e.ready.ClientID, e.ready.ClientSecret, e.ready.TenantID, e.ready.SubscriptionID, e.ready.MetadataHost, testRG, testGallery, image, extra)
		f, diags := hclparse.NewParser().ParseHCL([]byte(src), "data.pkr.hcl")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		d := &Datasource{sessionOptions: e.opts}
		val, diags := hcldec.Decode(f.Body, hcldec.ObjectSpec(d.ConfigSpec()), nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		client, execute := rpcDatasource(t, d, proto)
		if len(client.OutputSpec()) != 8 {
			t.Errorf("OutputSpec over RPC has %d attributes, want 8", len(client.OutputSpec()))
		}
		if err := client.Configure(val); err != nil {
			return nil, 0, err
		}
		return execute()
	}

	for _, proto := range []bool{false, true} {
		t.Run(fmt.Sprintf("proto=%v", proto), func(t *testing.T) {
			out, regions, err := run(t, proto, testDef, `version_constraint = "~> 1.2"`)
			if err != nil {
				t.Fatal(err)
			}
			if out["version"] != "1.2.3" || out["location"] != "eastus" || regions != 2 || out["id"] == "" || out["published_date"] == "" {
				t.Errorf("outputs over RPC: %v, %d regions", out, regions)
			}

			out, regions, err = run(t, proto, emptyDef, `allow_empty = true`)
			if err != nil {
				t.Fatal(err)
			}
			if out["version"] != "" || out["id"] != "" || regions != 0 {
				t.Errorf("empty outputs over RPC: %v, %d regions", out, regions)
			}

			if _, _, err := run(t, proto, testDef, `include_excluded = true`); err == nil {
				t.Error("Configure over RPC accepted include_excluded without version_constraint")
			}
		})
	}
}
