package vmware

import (
	"crypto/sha1" //nolint:gosec // the tests pin by SHA-1 as well
	"errors"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// TestCertificateVerification checks that the simulator's self-signed
// certificate is refused unless the URL pins it by thumbprint or opts out
// of verification with insecure=true.
func TestCertificateVerification(t *testing.T) {
	s := newESX(t)
	sum := sha1.Sum(s.cert.Raw) //nolint:gosec // see the import
	for _, tc := range []struct {
		name          string
		query         string
		wantInMessage string // "": Connect succeeds
	}{
		{"verified by default", "", "add thumbprint=" + s.thumbprint},
		{"insecure=false", "insecure=false", "add thumbprint=" + s.thumbprint},
		{"wrong thumbprint", "thumbprint=" + sha256Print, "is not the one the URL's thumbprint pins"},
		{"right SHA-256 thumbprint", "thumbprint=" + s.thumbprint, ""},
		{"right SHA-1 thumbprint in lower case without colons", "thumbprint=" + strings.ToLower(colonHex(sum[:])), ""},
		{"insecure=true", "insecure=true", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := s.dial(t.Context(), s.url(tc.query))
			if tc.wantInMessage == "" {
				if err != nil {
					t.Fatalf("Connect: %v", err)
				}
				if err := h.Ping(t.Context()); err != nil {
					t.Errorf("Ping: %v", err)
				}
				if err := h.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				return
			}
			if !errors.Is(err, hypervisors.ErrUnreachable) || !strings.Contains(err.Error(), tc.wantInMessage) {
				t.Errorf("Connect = %v, want an ErrUnreachable saying %q", err, tc.wantInMessage)
			}
		})
	}
}
