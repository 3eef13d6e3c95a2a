package xenapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// NullRef is the reference XenAPI uses for "no object", as in a VM's
// resident_on while it is halted.
const NullRef = "OpaqueRef:NULL"

// References to XenAPI objects, one type per class. They are opaque strings
// (in practice "OpaqueRef:<uuid>") that are valid only for the server that
// issued them; UUIDs, not references, identify objects across sessions.
type (
	SessionRef     string
	HostRef        string
	HostMetricsRef string
	SRRef          string
	VDIRef         string
	VMRef          string
	VBDRef         string
	VIFRef         string
	NetworkRef     string
	PIFRef         string
	VLANRef        string
	TaskRef        string
)

// IsNull reports whether ref refers to no object: it is empty or
// OpaqueRef:NULL.
func IsNull[R ~string](ref R) bool {
	return ref == "" || ref == NullRef
}

// Int is a XenAPI int: 64 bits, sent as a JSON number. It also decodes from
// a string of decimal digits, the form XML-RPC uses for ints, so records
// read the same from servers that keep that form in JSON.
type Int int64

// UnmarshalJSON decodes a JSON number or a quoted decimal string.
func (i *Int) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unquoted)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*i = Int(n)
		return nil
	}
	// An integral value written with a fraction or an exponent (1e9, 4.0).
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64 {
		return fmt.Errorf("xenapi: %s is not a XenAPI int", b)
	}
	*i = Int(f)
	return nil
}

// orEmpty returns m, or an empty map when m is nil: XenAPI's maps are JSON
// objects, and a constructor refuses null where it expects one.
func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
