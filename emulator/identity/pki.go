package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names inside the data directory. They are part of the emulator's on-disk contract: CAFile is what
// clients trust (SSL_CERT_FILE), and keeping the keys means tokens and trust survive a restart.
const (
	CAFileName         = "ca.pem"
	caKeyFileName      = "ca-key.pem"
	serverCertFileName = "server.pem"
	serverKeyFileName  = "server-key.pem"
	signingKeyFileName = "token-signing-key.pem"
)

// pki is the emulator's trust material: a CA, a loopback server certificate it signed, and the RSA key
// that signs access tokens.
type pki struct {
	caFile     string
	caCert     *x509.Certificate
	serverCert tls.Certificate
	signingKey *rsa.PrivateKey
	kid        string
}

// loadOrCreatePKI reads the trust material from dir, generating what is missing. A server certificate
// that expires within a day is re-issued from the same CA, so clients that trust ca.pem keep working.
func loadOrCreatePKI(dir string, now time.Time) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data dir: %w", err)
	}
	p := &pki{caFile: filepath.Join(dir, CAFileName)}
	caKey, err := p.loadOrCreateCA(dir, now)
	if err != nil {
		return nil, err
	}
	if err := p.loadOrCreateServerCert(dir, caKey, now); err != nil {
		return nil, err
	}
	if err := p.loadOrCreateSigningKey(dir); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pki) loadOrCreateCA(dir string, now time.Time) (*ecdsa.PrivateKey, error) {
	certPath, keyPath := filepath.Join(dir, CAFileName), filepath.Join(dir, caKeyFileName)
	cert, key, err := readCertAndKey(certPath, keyPath)
	if err == nil {
		ecKey, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: the CA key is not ECDSA", keyPath)
		}
		p.caCert = cert
		return ecKey, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "azure-gallery-emulator CA", Organization: []string{"azure-gallery-emulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	if err := writeKey(keyPath, caKey); err != nil {
		return nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, err
	}
	p.caCert, err = x509.ParseCertificate(der)
	return caKey, err
}

func (p *pki) loadOrCreateServerCert(dir string, caKey *ecdsa.PrivateKey, now time.Time) error {
	certPath, keyPath := filepath.Join(dir, serverCertFileName), filepath.Join(dir, serverKeyFileName)
	cert, key, err := readCertAndKey(certPath, keyPath)
	if err == nil && now.Add(24*time.Hour).Before(cert.NotAfter) && cert.CheckSignatureFrom(p.caCert) == nil {
		p.serverCert = tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"azure-gallery-emulator"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writeKey(keyPath, srvKey); err != nil {
		return err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	p.serverCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: srvKey, Leaf: leaf}
	return nil
}

func (p *pki) loadOrCreateSigningKey(dir string) error {
	path := filepath.Join(dir, signingKeyFileName)
	key, err := readKey(path)
	switch {
	case err == nil:
		rsaKey, ok := key.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("%s: the token-signing key is not RSA", path)
		}
		p.signingKey = rsaKey
	case errors.Is(err, fs.ErrNotExist):
		if p.signingKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return err
		}
		if err := writeKey(path, p.signingKey); err != nil {
			return err
		}
	default:
		return err
	}
	p.kid = keyID(&p.signingKey.PublicKey)
	return nil
}

// keyID is the SHA-1 thumbprint of the public key, base64url, the same shape as Entra's kid values.
func keyID(pub crypto.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha1.Sum(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func readCertAndKey(certPath, keyPath string) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("%s: no PEM certificate", certPath)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certPath, err)
	}
	key, err := readKey(keyPath)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func readKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM key", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: unsupported key type", path)
	}
	return signer, nil
}

func writeKey(path string, key any) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

// writePEM writes atomically (temp file and rename), so a crash never leaves half a key behind.
func writePEM(path, blockType string, der []byte, mode os.FileMode) error {
	return WriteFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), mode)
}

// WriteFileAtomic writes data to a temporary file in the same directory and renames it over path.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // after the rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
