package vmware

import (
	"encoding/hex"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// defaultVSwitch is the standard vSwitch guest portgroups go on.
const defaultVSwitch = "vSwitch0"

// config is a parsed host URL.
type config struct {
	// sdk is the endpoint: https://<server>[:port]/sdk, without query.
	sdk *url.URL
	// host names the ESXi host on a vCenter: an inventory path
	// (/DC0/host/DC0_C0/DC0_C0_H0) or a host name. Empty on a standalone
	// ESXi, which has one host.
	host string
	// thumbprint pins the server certificate: its SHA-1 or SHA-256
	// fingerprint as upper-case hex bytes joined by colons.
	thumbprint string
	// insecure turns certificate verification off.
	insecure bool
	// vswitch is the standard vSwitch that takes guest portgroups.
	vswitch string
	// dvs names the distributed switch that takes guest portgroups on a
	// vCenter; empty means the first one the host is a member of.
	dvs string
}

// urlFormat is shown in errors about the URL.
const urlFormat = "https://<esxi or vcenter>[:port]/sdk[?host=<inventory path or name>&thumbprint=<sha1 or sha256>&insecure=true&vswitch=<name>&dvs=<name>]"

// parseURL parses a host URL; every error wraps hypervisors.ErrInvalid and
// names the culprit and the fix.
func parseURL(raw string) (config, error) {
	bad := func(format string, args ...any) (config, error) {
		return config{}, fmt.Errorf("%w: vmware host URL %q: "+format+" (want %s)",
			append(append([]any{hypervisors.ErrInvalid, raw}, args...), urlFormat)...)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return bad("%v", err)
	case u.Scheme != "https":
		return bad("the scheme must be https (TLS is required; insecure=true only skips certificate checks)")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return bad("a server name is required")
	case u.User != nil:
		return bad("user information is not allowed: the credentials are the host's username and password")
	case u.Path != "" && u.Path != "/" && u.Path != "/sdk":
		return bad("the path must be /sdk, not %q", u.Path)
	case u.Fragment != "":
		return bad("a fragment is not allowed")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("port %q is not a number from 1 to 65535", p)
		}
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("query: %v", err)
	}
	c := config{sdk: &url.URL{Scheme: "https", Host: u.Host, Path: "/sdk"}, vswitch: defaultVSwitch}
	for _, key := range slices.Sorted(maps.Keys(query)) {
		values := query[key]
		if len(values) > 1 {
			return bad("parameter %q is given %d times", key, len(values))
		}
		if err := c.set(key, values[0]); err != nil {
			return bad("parameter %q: %v", key, err)
		}
	}
	if c.insecure && c.thumbprint != "" {
		return bad("thumbprint pins the certificate and insecure=true skips its verification: give one of them")
	}
	return c, nil
}

// set applies one query parameter.
func (c *config) set(key, value string) error {
	switch key {
	case "host":
		if value == "" {
			return fmt.Errorf("want a host's inventory path (/<datacenter>/host/<cluster>/<host>) or name")
		}
		c.host = value
	case "thumbprint":
		tp, err := normaliseThumbprint(value)
		if err != nil {
			return err
		}
		c.thumbprint = tp
	case "insecure":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", value)
		}
		c.insecure = b
	case "vswitch", "dvs":
		if value == "" {
			return fmt.Errorf("want a switch name")
		}
		if key == "vswitch" {
			c.vswitch = value
		} else {
			c.dvs = value
		}
	default:
		return fmt.Errorf("unknown parameter (allowed: host, thumbprint, insecure, vswitch, dvs)")
	}
	return nil
}

// normaliseThumbprint accepts a SHA-1 (20 bytes) or SHA-256 (32 bytes)
// certificate fingerprint in hex, with or without colons, in any case, and
// returns it as upper-case bytes joined by colons.
func normaliseThumbprint(s string) (string, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil || (len(b) != 20 && len(b) != 32) {
		return "", fmt.Errorf("want the certificate's SHA-1 or SHA-256 fingerprint in hex (AB:CD:... or abcd...), got %q", s)
	}
	return colonHex(b), nil
}

// colonHex formats b as upper-case hex bytes joined by colons.
func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}
