package emulator

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"
)

// Ready is the start contract's ready line: what a client needs to reach and trust the emulator.
type Ready struct {
	// Endpoint is the base URL of every endpoint (ARM, login, metadata), e.g. https://127.0.0.1:41234.
	Endpoint string `json:"endpoint"`
	// MetadataHost is host:port, as Packer's metadata_host takes it; clients fetch
	// https://{metadata_host}/metadata/endpoints?api-version=2022-09-01.
	MetadataHost string `json:"metadata_host"`
	// CAFile is the PEM CA to trust (SSL_CERT_FILE, or a transport's RootCAs).
	CAFile         string `json:"ca_file"`
	TenantID       string `json:"tenant_id"`
	SubscriptionID string `json:"subscription_id"`
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret"`
}

// CertPool is a pool holding only the emulator's CA.
func (r Ready) CertPool() (*x509.CertPool, error) {
	pem, err := os.ReadFile(r.CAFile)
	if err != nil {
		return nil, fmt.Errorf("reading the emulator CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", r.CAFile)
	}
	return pool, nil
}

// Transport is an HTTP transport that trusts the emulator's CA (and nothing else).
func (r Ready) Transport() (*http.Transport, error) {
	pool, err := r.CertPool()
	if err != nil {
		return nil, err
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport (replaced by another package?)", http.DefaultTransport)
	}
	t := base.Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

// HTTPClient is an *http.Client that trusts the emulator's CA; it satisfies azcore's policy.Transporter.
func (r Ready) HTTPClient() (*http.Client, error) {
	t, err := r.Transport()
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}, nil
}
