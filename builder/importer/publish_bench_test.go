package importer

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// countingTransport counts the bytes of the page writes sent to the blob service.
type countingTransport struct {
	inner policy.Transporter
	sent  *atomic.Int64
}

func (c countingTransport) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.ContentLength > 0 {
		c.sent.Add(r.ContentLength)
	}
	return c.inner.Do(r)
}

// BenchmarkPublishSource imports the same sparse 64 MiB raw disk through the managed image path and the
// snapshot path against the emulator and Azurite, in the same run, and reports each path's wall time,
// page bytes sent and ARM requests, with the snapshot path's ratios to the managed image path. Run:
//
//	go test ./builder/importer -run '^$' -bench BenchmarkPublishSource -benchtime 3x
func BenchmarkPublishSource(b *testing.B) {
	e := newEnv(b)
	src := sparseRaw(b, 64*vhd.MiB)
	var sent atomic.Int64
	type totals struct {
		wall       time.Duration
		sent, reqs int64
	}
	res := map[string]*totals{publishManagedImage: {}, publishSnapshot: {}}
	for i := 0; b.Loop(); i++ {
		for _, ps := range []string{publishManagedImage, publishSnapshot} {
			bld := e.builder(b, map[string]any{"source_file": src, "publish_source": ps, "image_name": fmt.Sprintf("bench-%s-%d", strings.ReplaceAll(ps, "_", "-"), i)})
			bld.connect = func(ctx context.Context, c *Config) (*clients, error) {
				cl, err := clientsFromSession(e.session, 20*time.Millisecond)
				if err != nil {
					return nil, err
				}
				inner := cl.blobTransport
				if inner == nil {
					inner = http.DefaultClient
				}
				cl.blobTransport = countingTransport{inner: inner, sent: &sent}
				return cl, nil
			}
			before, reqs0 := sent.Load(), len(e.srv.Requests())
			start := time.Now()
			if _, err := bld.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{}); err != nil {
				b.Fatalf("%s: %v", ps, err)
			}
			t := res[ps]
			t.wall += time.Since(start)
			t.sent += sent.Load() - before
			t.reqs += int64(len(e.srv.Requests()) - reqs0)
		}
	}
	n := float64(b.N)
	mi, sn := res[publishManagedImage], res[publishSnapshot]
	b.ReportMetric(float64(mi.wall.Milliseconds())/n, "managed-image-ms/op")
	b.ReportMetric(float64(sn.wall.Milliseconds())/n, "snapshot-ms/op")
	b.ReportMetric(float64(mi.sent)/n/float64(vhd.MiB), "managed-image-MiB-sent/op")
	b.ReportMetric(float64(sn.sent)/n/float64(vhd.MiB), "snapshot-MiB-sent/op")
	b.ReportMetric(float64(mi.reqs)/n, "managed-image-arm-requests/op")
	b.ReportMetric(float64(sn.reqs)/n, "snapshot-arm-requests/op")
	b.ReportMetric(float64(sn.wall)/float64(mi.wall), "snapshot/managed-image-wall")
	b.ReportMetric(float64(sn.sent)/float64(mi.sent), "snapshot/managed-image-bytes")
}
