// Package secrets protects credentials (host passwords, out-of-band
// management passwords) with a key the operator holds: they are sealed with
// AES-256-GCM before they are stored, and held in memory as Secret, which
// never prints its plaintext.
//
// A sealed value is text: "v1:" followed by the standard base64 of a random
// 96-bit nonce, the ciphertext and the 128-bit tag. Sealing binds associated
// data, such as the ID of the object the secret belongs to, so a sealed value
// copied onto another object's record does not open.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// KeySize is the size of a key in bytes (AES-256).
const KeySize = 32

// sealPrefix marks the version of the sealed format.
const sealPrefix = "v1:"

// ErrKeyMismatch is returned (wrapped) by Key.Open when a sealed value does
// not authenticate: it was sealed with another key, altered, or sealed for
// other associated data. It wraps hypervisors.ErrInvalid.
var ErrKeyMismatch = fmt.Errorf("%w: the secret key does not match the key the data was encrypted with "+
	"(or the sealed value was altered, or belongs to another object); configure the key it was sealed with", hypervisors.ErrInvalid)

var errNoKey = errors.New("secrets: no key: make one with ParseKey, GenerateKey or LoadOrCreateKeyFile")

// Key is an AES-256-GCM key. Its zero value holds no key: Seal and Open
// fail with it. A Key is safe for concurrent use and cheap to copy; copies
// share the key material. fmt verbs, GoString and slog print Redacted, so a
// key cannot reach a log by accident; call String for its encoding.
type Key struct {
	// m is a pointer so that printing a struct holding a Key in an
	// unexported field (where fmt cannot call methods) shows an address,
	// not key bytes.
	m *keyMaterial
}

type keyMaterial struct {
	raw  [KeySize]byte
	aead cipher.AEAD // prepends a random nonce on Seal, reads it on Open
}

func newKey(raw []byte) (Key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, err
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return Key{}, err
	}
	m := &keyMaterial{aead: aead}
	copy(m.raw[:], raw)
	return Key{m}, nil
}

// GenerateKey returns a new random key from crypto/rand.
func GenerateKey() (Key, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return Key{}, fmt.Errorf("secrets: generate key: %w", err)
	}
	return newKey(raw)
}

// ParseKey decodes a key of KeySize bytes written as 64 hexadecimal digits
// or in base64 (standard or URL-safe alphabet, with or without padding).
// Surrounding white space is ignored. Errors wrap hypervisors.ErrInvalid and
// never contain the input.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if raw, err := hex.DecodeString(s); err == nil {
			return newKey(raw)
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.Strict().DecodeString(s); err == nil && len(raw) == KeySize {
			return newKey(raw)
		}
	}
	what := "is not"
	if s == "" {
		what = "is empty; it must be"
	}
	return Key{}, fmt.Errorf("%w: the secret key %s %d bytes written as 64 hexadecimal digits or in base64 "+
		"(standard or URL-safe, 43 or 44 characters); generate one with `openssl rand -base64 32`", hypervisors.ErrInvalid, what, KeySize)
}

// String returns the key in standard base64 with padding, the form ParseKey
// reads and LoadOrCreateKeyFile writes; "" for the zero Key. Only an explicit
// call reveals the key: fmt verbs print Redacted.
func (k Key) String() string {
	if k.m == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(k.m.raw[:])
}

// GoString returns Redacted.
func (Key) GoString() string { return Redacted }

// Format prints Redacted for every verb, so fmt never shows the key.
func (Key) Format(f fmt.State, verb rune) { formatRedacted(f, verb) }

// LogValue returns Redacted, so slog never shows the key.
func (Key) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Seal encrypts plaintext with a fresh random nonce and binds associatedData
// (which is not stored: Open needs the same bytes). The result is
// "v1:" + base64(nonce || ciphertext || tag). A key must not seal more than
// 2^32 values, which keeps random nonces from colliding.
func (k Key) Seal(plaintext, associatedData []byte) (string, error) {
	if k.m == nil {
		return "", errNoKey
	}
	// The nonce is nil: this AEAD draws a random one itself (NonceSize 0).
	sealed := k.m.aead.Seal(nil, nil, plaintext, associatedData) //nolint:gosec // G407: not a fixed nonce, see above
	return sealPrefix + base64.StdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value made by Seal with the same key and associated data.
// It fails with ErrKeyMismatch when the value does not authenticate (another
// key, altered text, other associated data) and with another error wrapping
// hypervisors.ErrInvalid when the text is not a sealed value at all. Errors
// never contain the plaintext or the sealed text.
func (k Key) Open(sealed string, associatedData []byte) ([]byte, error) {
	if k.m == nil {
		return nil, errNoKey
	}
	body, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: the stored value is not a sealed secret (it does not start with %q); it may have been written in plain text or by a newer version", hypervisors.ErrInvalid, sealPrefix)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) < k.m.aead.Overhead() {
		return nil, fmt.Errorf("%w: the sealed secret is corrupt (bad base64 or truncated)", hypervisors.ErrInvalid)
	}
	plaintext, err := k.m.aead.Open(nil, nil, raw, associatedData)
	if err != nil {
		return nil, fmt.Errorf("decrypt secret: %w", ErrKeyMismatch)
	}
	return plaintext, nil
}
