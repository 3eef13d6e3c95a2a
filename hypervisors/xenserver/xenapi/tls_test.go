package xenapi

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"testing"
)

// TestTLSVerification serves XenAPI over TLS with a self-signed
// certificate: refused by default, accepted with the certificate as CA or
// with verification switched off.
func TestTLSVerification(t *testing.T) {
	f := newFakeUnstarted(t)
	f.srv = httptest.NewUnstartedServer(f)
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})

	for _, tc := range []struct {
		name    string
		opts    Options
		refused bool
	}{
		{"verified against the system roots by default", Options{}, true},
		{"trusted through its CA", Options{CAPEM: caPEM}, false},
		{"not verified when insecure", Options{Insecure: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(f.url(), "root", "secret", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Login(t.Context())
			if !tc.refused {
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				return
			}
			var te *TransportError
			var verify *tls.CertificateVerificationError
			if !errors.As(err, &te) || !errors.As(err, &verify) {
				t.Fatalf("Login = %v, want a *TransportError wrapping a certificate verification error", err)
			}
			if IsCode(err, CodeSessionAuthenticationFailed) || Code(err) != "" {
				t.Errorf("a TLS failure reads as a XenAPI error: %v", err)
			}
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  string
		opts Options
	}{
		{"insecure with a CA", "https://xs.example", Options{Insecure: true, CAPEM: []byte("x")}},
		{"a CA that is no PEM", "https://xs.example", Options{CAPEM: []byte("not a certificate")}},
		{"no scheme", "xs.example", Options{}},
		{"another scheme", "ftp://xs.example", Options{}},
		{"credentials in the URL", "https://root:secret@xs.example", Options{}},
		{"a query", "https://xs.example?x=1", Options{}},
	} {
		if _, err := New(tc.url, "root", "secret", tc.opts); err == nil {
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
	c, err := New("https://xs.example:8443/", "root", "secret", Options{})
	if err != nil || c.BaseURL() != "https://xs.example:8443" {
		t.Errorf("New = %v, %v; want base https://xs.example:8443", c, err)
	}
}
