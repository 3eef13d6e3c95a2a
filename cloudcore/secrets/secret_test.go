package secrets

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const plain = "hunter2-Pa55w0rd"

type hostCredentials struct {
	Username string
	Password Secret
	Key      Key
}

// leaks reports whether out shows the plaintext or the key in any encoding
// fmt, slog or encoding/json could produce.
func leaks(out string, key Key) bool {
	return strings.Contains(out, plain) ||
		strings.Contains(out, hex.EncodeToString([]byte(plain))) ||
		strings.Contains(out, strings.ToUpper(hex.EncodeToString([]byte(plain)))) ||
		(key.String() != "" && strings.Contains(out, key.String()))
}

func TestSecretReveal(t *testing.T) {
	if got := Secret(plain).Reveal(); got != plain {
		t.Errorf("Reveal = %q, want %q", got, plain)
	}
}

func TestRedactionFmt(t *testing.T) {
	s := Secret(plain)
	k := mustKey(t)
	creds := hostCredentials{Username: "root", Password: s, Key: k}
	for _, format := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%d", "%20s", "%-20v|", "%.4s"} {
		for name, arg := range map[string]any{
			"Secret":          s,
			"*Secret":         &s,
			"[]Secret":        []Secret{s, s},
			"map":             map[string]Secret{"pw": s},
			"struct":          creds,
			"*struct":         &creds,
			"Key":             k,
			"*Key":            &k,
			"unexported Key":  struct{ k Key }{k},
			"[]any of Secret": []any{s, k},
		} {
			out := fmt.Sprintf(format, arg)
			if leaks(out, k) {
				t.Errorf("Sprintf(%q, %s) = %q leaks", format, name, out)
			}
			if format != "%x" && format != "%X" && format != "%.4s" &&
				name != "unexported Key" && !strings.Contains(out, Redacted) {
				t.Errorf("Sprintf(%q, %s) = %q does not show %q", format, name, out, Redacted)
			}
		}
	}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintln(s, k), s.String(), s.GoString(), k.GoString(), fmt.Errorf("login with %v: denied", s).Error()} {
		if leaks(out, k) || !strings.Contains(out, Redacted) {
			t.Errorf("%q: want %q and no plaintext", out, Redacted)
		}
	}
	if got := fmt.Sprintf("[%15s]", s); got != "[    (sensitive)]" {
		t.Errorf("width is not honoured: %q", got)
	}
}

func TestRedactionSlog(t *testing.T) {
	s := Secret(plain)
	k := mustKey(t)
	creds := hostCredentials{Username: "root", Password: s, Key: k}
	// The text handler prints a struct with fmt (both fields show Redacted);
	// the JSON handler encodes it with encoding/json (a Key has no exported
	// fields: {}).
	for name, tt := range map[string]struct {
		newHandler func(*bytes.Buffer) slog.Handler
		redactions int
	}{
		"text": {func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }, 11},
		"json": {func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }, 9},
	} {
		var buf bytes.Buffer
		log := slog.New(tt.newHandler(&buf))
		log.Info("connect", "password", s, "key", k)
		log.Info("connect", slog.Any("password", s), slog.Any("pw_ptr", &s))
		log.Info("connect", slog.Group("host", "password", s, "key", k))
		log.Info("connect", "credentials", creds, "credentials_ptr", &creds)
		log.With("password", s).Info("connect")
		out := buf.String()
		if leaks(out, k) {
			t.Errorf("%s handler output leaks:\n%s", name, out)
		}
		if n := strings.Count(out, Redacted); n != tt.redactions {
			t.Errorf("%s handler output shows %q %d times, want %d:\n%s", name, Redacted, n, tt.redactions, out)
		}
	}
}

func TestRedactionJSON(t *testing.T) {
	s := Secret(plain)
	for name, v := range map[string]any{
		"value":   s,
		"pointer": &s,
		"struct":  struct{ Password Secret }{s},
		"tagged": struct {
			Password Secret `json:"password,omitempty"`
		}{s},
		"map value": map[string]Secret{"password": s},
		"slice":     []Secret{s},
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if leaks(string(b), Key{}) || !strings.Contains(string(b), `"`+Redacted+`"`) {
			t.Errorf("%s: json = %s, want %q and no plaintext", name, b, Redacted)
		}
	}

	// Decoding reads the plaintext: requests can carry secrets in.
	var in struct{ Password Secret }
	if err := json.Unmarshal([]byte(`{"Password":"`+plain+`"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.Password.Reveal() != plain {
		t.Errorf("decoded Password = %q, want %q", in.Password.Reveal(), plain)
	}
}
