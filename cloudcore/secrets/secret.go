package secrets

import (
	"fmt"
	"log/slog"
)

// Redacted is what a Secret or a Key prints instead of its value.
const Redacted = "(sensitive)"

// Secret is a plaintext secret held in memory, such as a host password.
// String, GoString, every fmt verb, slog (LogValue) and text and JSON
// encoders (MarshalText) show Redacted, so a Secret can never reach a log or
// an API response by accident; Reveal returns the plaintext.
//
// Two places are out of its reach. fmt cannot call methods on unexported
// struct fields, so a Secret in an unexported field of a struct printed with
// %v shows in plain text; and encoding/json writes a map key of string kind
// as is. Keep Secrets in exported fields and out of map keys.
type Secret string

// Reveal returns the plaintext. Call it only where the secret is used (to
// log in to a host, to seal it), never to build a message.
func (s Secret) Reveal() string { return string(s) }

// String returns Redacted.
func (Secret) String() string { return Redacted }

// GoString returns Redacted.
func (Secret) GoString() string { return Redacted }

// Format prints Redacted for every verb, honouring width and flags.
func (Secret) Format(f fmt.State, verb rune) { formatRedacted(f, verb) }

// LogValue returns Redacted.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText returns Redacted, so encoding/json and other text encoders
// never write the plaintext of a Secret value. There is deliberately
// no UnmarshalText: decoding JSON into a Secret reads the plaintext as a
// plain string.
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// formatRedacted prints Redacted under the directive fmt was given, so that
// width, precision and quoting apply to the redaction; %#v prints it as is.
func formatRedacted(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, Redacted)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Redacted)
}
