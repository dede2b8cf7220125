package reliability

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// brokenEndpointBound is how long a broken endpoint may keep packer busy before the test kills it.
// The issue asks for a clear error "in under 30 s"; the table shows the time taken, and the test
// asserts the error text (timing is not asserted beyond this hard bound, which is generous so that a
// loaded CI machine, where starting packer and its plugin alone can take many seconds, gives the same
// answer twice).
const brokenEndpointBound = 2 * time.Minute

// TestR9BrokenEndpoints: the endpoint is unreachable, presents a certificate from an untrusted CA, or
// answers with garbage; each build fails with a clear error, without hanging or panicking.
func TestR9BrokenEndpoints(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R9 broken endpoints", "closed port; wrong CA (SSL_CERT_FILE of another CA); garbage JSON from metadata and from ARM")
	var times []string
	dir := filepath.Join(tools.Root, "example", "publish-from-image")
	src := "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/build-rg/providers/Microsoft.Compute/images/base"
	creds := func(host, caFile string) []string {
		return []string{"SSL_CERT_FILE=" + caFile, "ARM_METADATA_HOST=" + host, "ARM_SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000001",
			"ARM_TENANT_ID=00000000-0000-0000-0000-000000000002", "ARM_CLIENT_ID=00000000-0000-0000-0000-000000000003",
			"ARM_CLIENT_SECRET=not-a-real-secret", "PKR_VAR_source_image_id=" + src}
	}
	check := func(t *testing.T, name string, env []string, wants ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), brokenEndpointBound)
		defer cancel()
		start := time.Now()
		run := tools.RunPacker(ctx, t, dir, tools.PackerEnv(t, env...), "build", "-color=false", ".")
		took := time.Since(start).Round(100 * time.Millisecond)
		times = append(times, fmt.Sprintf("%s %s", name, took))
		if run.ExitCode == 0 {
			t.Fatalf("the build succeeded against a broken endpoint:\n%s", run.Output)
		}
		if strings.Contains(run.Output, "panic:") || strings.Contains(run.Output, "goroutine ") {
			t.Errorf("the plugin panicked:\n%s", run.Output)
		}
		for _, w := range wants {
			if !strings.Contains(strings.ToLower(run.Output), strings.ToLower(w)) {
				t.Errorf("the error does not mention %q:\n%s", w, run.Output)
			}
		}
		t.Logf("%s: failed in %s", name, took)
	}

	t.Run("unreachable", func(t *testing.T) {
		port, err := acctest.FreePort() // nothing listens there once FreePort returns
		if err != nil {
			t.Fatal(err)
		}
		host := fmt.Sprintf("127.0.0.1:%d", port)
		check(t, "closed port", creds(host, writeOtherCA(t)), "metadata_host", host, "connection refused")
	})
	t.Run("wrong CA", func(t *testing.T) {
		emu := tools.StartEmulator(t, acctest.EmulatorOptions{})
		check(t, "wrong CA", creds(emu.MetadataHost, writeOtherCA(t)), "metadata_host", "certificate")
	})
	t.Run("garbage metadata", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"resourceManager": "https://` + "\x00\xff" + `garbage`))
		}))
		defer srv.Close()
		check(t, "garbage metadata", creds(strings.TrimPrefix(srv.URL, "https://"), writeServerCert(t, srv)), "metadata")
	})
	t.Run("garbage ARM", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		emu := tools.StartEmulator(t, acctest.EmulatorOptions{})
		image := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: location, Name: "base"})
		if err := emu.CreateResourceGroup(ctx, t, galleryRG, location); err != nil {
			t.Fatal(err)
		}
		proxy := garbageARMProxy(t, emu)
		env := append(emu.Env(), "SSL_CERT_FILE="+writeServerCert(t, proxy), "ARM_METADATA_HOST="+strings.TrimPrefix(proxy.URL, "https://"), "PKR_VAR_source_image_id="+image)
		check(t, "garbage ARM", env, "gallery golden", "JSON")
		inv := inventoryOf(ctx, t, emu)
		if len(inv.Versions()) != 0 || len(inv.OfType("Microsoft.Compute/galleries")) != 0 {
			t.Errorf("garbage answers still led to writes: %d galleries, %d versions", len(inv.OfType("Microsoft.Compute/galleries")), len(inv.Versions()))
		}
	})
	row.Result = strings.Join(times, "; ")
}

// garbageARMProxy is a TLS reverse proxy to the emulator that answers every gallery request with
// truncated JSON and passes everything else (metadata, tokens) through. The emulator renders its
// endpoints from the Host header, so the client keeps talking to the proxy.
func garbageARMProxy(t *testing.T, emu *acctest.Emulator) *httptest.Server {
	t.Helper()
	target, err := url.Parse(emu.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := emu.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = hc.Transport
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(strings.ToLower(r.URL.Path), "/providers/microsoft.compute/galleries") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"id": "/subscriptions/`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// writeServerCert writes an httptest TLS server's certificate as a PEM trust file.
func writeServerCert(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "server.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeOtherCA writes a fresh self-signed CA that signed nothing the emulator serves.
func writeOtherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the emulator's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
