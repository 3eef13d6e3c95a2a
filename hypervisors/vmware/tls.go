package vmware

import (
	"crypto/sha1" //nolint:gosec // SHA-1 thumbprints are how vSphere shows certificates; only compared, never trusted alone
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// dialTimeout bounds the TCP connect of one connection to the server.
const dialTimeout = 30 * time.Second

// tlsConfig is how the driver checks the server's certificate: against the
// system's roots by default, against the pinned thumbprint when the URL
// gives one (the certificate may then be self-signed, as ESXi's are), or
// not at all with insecure=true.
func tlsConfig(c config) *tls.Config {
	switch {
	case c.thumbprint != "":
		return &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The chain is not verified: the pinned fingerprint is the trust.
			InsecureSkipVerify: true, //nolint:gosec // replaced by VerifyConnection
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("the server sent no certificate")
				}
				if !thumbprintMatches(c.thumbprint, cs.PeerCertificates[0]) {
					return &thumbprintMismatchError{cert: cs.PeerCertificates[0]}
				}
				return nil
			},
		}
	case c.insecure:
		return &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true} //nolint:gosec // explicit opt-in
	default:
		return &tls.Config{MinVersion: tls.VersionTLS12}
	}
}

// tlsDialer dials TLS connections with cfg, honouring the caller's context.
func tlsDialer(cfg *tls.Config) *tls.Dialer {
	return &tls.Dialer{NetDialer: &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}, Config: cfg}
}

// thumbprintMatches reports whether cert's SHA-1 or SHA-256 fingerprint is
// the normalised thumbprint tp.
func thumbprintMatches(tp string, cert *x509.Certificate) bool {
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // see the import
	s256 := sha256.Sum256(cert.Raw)
	for _, sum := range []string{colonHex(s1[:]), colonHex(s256[:])} {
		if subtle.ConstantTimeCompare([]byte(sum), []byte(tp)) == 1 {
			return true
		}
	}
	return false
}

// thumbprintOf is cert's SHA-256 fingerprint as the thumbprint parameter
// takes it.
func thumbprintOf(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return colonHex(sum[:])
}

// thumbprintMismatchError is a server certificate that is not the pinned one.
type thumbprintMismatchError struct{ cert *x509.Certificate }

func (e *thumbprintMismatchError) Error() string {
	return fmt.Sprintf("the server's certificate (SHA-256 thumbprint %s) is not the one the URL's thumbprint pins", thumbprintOf(e.cert))
}

// certificateAdvice explains a failed certificate check and how to fix it,
// or returns "" when err is not about the certificate.
func certificateAdvice(err error) string {
	var mismatch *thumbprintMismatchError
	if errors.As(err, &mismatch) {
		return mismatch.Error() + "; if the host's certificate was replaced, set thumbprint to the new one"
	}
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) && len(verify.UnverifiedCertificates) > 0 {
		return fmt.Sprintf("the server's certificate is not trusted (%v); if its SHA-256 thumbprint %s is the host's, "+
			"add thumbprint=%s to the URL, or insecure=true to skip the check",
			verify.Err, thumbprintOf(verify.UnverifiedCertificates[0]), thumbprintOf(verify.UnverifiedCertificates[0]))
	}
	return ""
}
