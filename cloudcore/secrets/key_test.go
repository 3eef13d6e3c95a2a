package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testKeyBytes encodes with '+' and '/' in standard base64 ('-' and '_' in
// the URL alphabet), so that the alphabets are told apart.
var testKeyBytes = bytes.Repeat([]byte{0xfb, 0xff, 0xbf, 0x00}, KeySize/4)

func mustKey(t *testing.T) Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseKeyAccepts(t *testing.T) {
	want := base64.StdEncoding.EncodeToString(testKeyBytes)
	for _, in := range []string{
		hex.EncodeToString(testKeyBytes),
		strings.ToUpper(hex.EncodeToString(testKeyBytes)),
		base64.StdEncoding.EncodeToString(testKeyBytes),
		base64.RawStdEncoding.EncodeToString(testKeyBytes),
		base64.URLEncoding.EncodeToString(testKeyBytes),
		base64.RawURLEncoding.EncodeToString(testKeyBytes),
		"  " + base64.StdEncoding.EncodeToString(testKeyBytes) + "\r\n",
	} {
		k, err := ParseKey(in)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", in, err)
			continue
		}
		if got := k.String(); got != want {
			t.Errorf("ParseKey(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestParseKeyRefuses(t *testing.T) {
	secretLooking := "hunter2hunter2hunter2hunter2hunter2hunter2hu"
	for _, in := range []string{
		"",
		"   ",
		secretLooking,
		base64.StdEncoding.EncodeToString(testKeyBytes[:31]),
		base64.StdEncoding.EncodeToString(append(testKeyBytes, 1)),
		hex.EncodeToString(testKeyBytes)[:63],
		hex.EncodeToString(testKeyBytes)[:62] + "zz",
		hex.EncodeToString(testKeyBytes) + "00",
		base64.StdEncoding.EncodeToString(testKeyBytes)[:43] + "!",
		// Non-canonical padding bits: not what an encoder writes.
		base64.StdEncoding.EncodeToString(testKeyBytes)[:42] + "B=",
	} {
		_, err := ParseKey(in)
		if err == nil {
			t.Errorf("ParseKey(%q) succeeded, want an error", in)
			continue
		}
		if !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("ParseKey(%q) error %q does not wrap ErrInvalid", in, err)
		}
		for _, f := range []string{"64 hexadecimal digits", "base64", "openssl rand -base64 32"} {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("ParseKey(%q) error %q does not contain %q", in, err, f)
			}
		}
		if trimmed := strings.TrimSpace(in); len(trimmed) >= 8 && strings.Contains(err.Error(), trimmed[:8]) {
			t.Errorf("ParseKey error %q echoes its input", err)
		}
	}
	if _, err := ParseKey(""); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("ParseKey(\"\") error = %v, want it to say the key is empty", err)
	}
}

func TestGenerateKey(t *testing.T) {
	a, b := mustKey(t), mustKey(t)
	if a.String() == b.String() {
		t.Fatal("two generated keys are equal")
	}
	back, err := ParseKey(a.String())
	if err != nil || back.String() != a.String() {
		t.Fatalf("ParseKey(String()) = %v, %v; want the same key", back.String(), err)
	}
	// A key read back opens what the original sealed.
	sealed, err := a.Seal([]byte("pw"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := back.Open(sealed, nil); err != nil || string(got) != "pw" {
		t.Fatalf("Open with the parsed key = %q, %v", got, err)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustKey(t)
	for _, tt := range []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"password", []byte("correct horse battery staple"), []byte("host/6f1c2a9e-0b4d-4c55-9e0a-1a2b3c4d5e6f")},
		{"empty plaintext", []byte{}, []byte("host/1")},
		{"no associated data", []byte("pw-without-context"), nil},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe, '\n'}, []byte{0}},
		{"long", bytes.Repeat([]byte("0123456789"), 1000), []byte("oobm/1")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := k.Seal(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(sealed, "v1:") {
				t.Errorf("sealed %q does not start with v1:", sealed)
			}
			// A short plaintext can turn up in the base64 text by chance.
			if len(tt.plaintext) >= 8 && strings.Contains(sealed, string(tt.plaintext)) {
				t.Errorf("sealed value contains the plaintext")
			}
			again, err := k.Seal(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if again == sealed {
				t.Errorf("sealing twice gave the same text: nonces are not fresh")
			}
			for _, s := range []string{sealed, again} {
				got, err := k.Open(s, tt.ad)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if !bytes.Equal(got, tt.plaintext) {
					t.Fatalf("Open = %q, want %q", got, tt.plaintext)
				}
			}
		})
	}
}

// wantMismatch fails unless err is ErrKeyMismatch, wraps ErrInvalid, says
// what went wrong, and does not contain leak.
func wantMismatch(t *testing.T, err error, leak string) {
	t.Helper()
	if !errors.Is(err, ErrKeyMismatch) || !errors.Is(err, hypervisors.ErrInvalid) {
		t.Fatalf("error = %v, want ErrKeyMismatch wrapping ErrInvalid", err)
	}
	if !strings.Contains(err.Error(), "the secret key does not match the key the data was encrypted with") {
		t.Errorf("error %q does not say the key does not match", err)
	}
	if strings.Contains(err.Error(), leak) {
		t.Errorf("error %q contains %q", err, leak)
	}
}

func TestOpenWrongKey(t *testing.T) {
	k, other := mustKey(t), mustKey(t)
	sealed, err := k.Seal([]byte("s3cr3t-password"), []byte("host/1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := other.Open(sealed, []byte("host/1"))
	if got != nil {
		t.Errorf("Open with the wrong key returned %q", got)
	}
	wantMismatch(t, err, "s3cr3t-password")
}

func TestOpenAssociatedDataMismatch(t *testing.T) {
	k := mustKey(t)
	sealed, err := k.Seal([]byte("s3cr3t-password"), []byte("host/1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ad := range [][]byte{[]byte("host/2"), []byte("host/1 "), nil} {
		_, err := k.Open(sealed, ad)
		wantMismatch(t, err, "s3cr3t-password")
	}
}

func TestOpenTampered(t *testing.T) {
	k := mustKey(t)
	plaintext := "s3cr3t-password"
	sealed, err := k.Seal([]byte(plaintext), []byte("host/1"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if err != nil {
		t.Fatal(err)
	}
	reseal := func(b []byte) string { return "v1:" + base64.StdEncoding.EncodeToString(b) }

	// Every bit of the nonce, ciphertext and tag is authenticated.
	for i := range raw {
		for bit := range 8 {
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			_, err := k.Open(reseal(b), []byte("host/1"))
			wantMismatch(t, err, plaintext)
		}
	}
	for name, b := range map[string][]byte{
		"truncated tag": raw[:len(raw)-1],
		"extended":      append(bytes.Clone(raw), 0),
		"swapped nonce": append(bytes.Clone(raw[12:24]), append(bytes.Clone(raw[:12]), raw[24:]...)...),
	} {
		_, err := k.Open(reseal(b), []byte("host/1"))
		if err == nil {
			t.Fatalf("%s: Open succeeded", name)
		}
		wantMismatch(t, err, plaintext)
	}

	// Text that is not a sealed value at all.
	for _, tt := range []struct{ in, fragment string }{
		{plaintext, "not a sealed secret"},
		{"", "not a sealed secret"},
		{"v2:" + strings.TrimPrefix(sealed, "v1:"), "not a sealed secret"},
		{"V1:" + strings.TrimPrefix(sealed, "v1:"), "not a sealed secret"},
		{sealed[:len(sealed)-1], "corrupt"},
		{sealed + "!", "corrupt"},
		{"v1:" + plaintext, "corrupt"},
		{reseal(raw[:27]), "corrupt"},
	} {
		_, err := k.Open(tt.in, []byte("host/1"))
		if err == nil {
			t.Fatalf("Open(%q) succeeded", tt.in)
		}
		if !errors.Is(err, hypervisors.ErrInvalid) || errors.Is(err, ErrKeyMismatch) {
			t.Errorf("Open(%q) error %v: want ErrInvalid, not ErrKeyMismatch", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.fragment) {
			t.Errorf("Open(%q) error %q does not contain %q", tt.in, err, tt.fragment)
		}
		if strings.Contains(err.Error(), plaintext) || strings.Contains(err.Error(), sealed[3:20]) {
			t.Errorf("Open error %q echoes its input", err)
		}
	}
}

func TestZeroKey(t *testing.T) {
	var zero Key
	if s := zero.String(); s != "" {
		t.Errorf("zero Key String = %q, want empty", s)
	}
	if _, err := zero.Seal([]byte("x"), nil); err == nil {
		t.Error("Seal with the zero Key succeeded")
	}
	sealed, err := mustKey(t).Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zero.Open(sealed, nil); err == nil {
		t.Error("Open with the zero Key succeeded")
	}
}
