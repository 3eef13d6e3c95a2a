package store

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestIPKeyOrdersAndRoundTrips(t *testing.T) {
	var addrs []netip.Addr
	for _, s := range []string{
		"0.0.0.0", "0.0.0.1", "9.255.255.255", "10.0.0.2", "10.0.0.9", "10.0.0.10", "10.0.0.100", "10.0.1.0",
		"127.255.255.255", "128.0.0.0", "192.168.0.1", "255.255.255.255",
		"::", "::1", "2001:db8::", "2001:db8::9", "2001:db8::a", "2001:db8::1:0", "fd00::ffff", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	} {
		addrs = append(addrs, netip.MustParseAddr(s))
	}
	for _, a := range addrs {
		back, err := ipFromKey(ipKey(a))
		if err != nil || back != a {
			t.Fatalf("%v read back as %v (%v)", a, back, err)
		}
		for _, b := range addrs {
			if a.Is4() != b.Is4() {
				continue // a network has one family
			}
			if got, want := bytes.Compare(ipKey(a), ipKey(b)), a.Compare(b); got != want {
				t.Fatalf("keys of %v and %v compare %d, addresses %d", a, b, got, want)
			}
		}
	}
	if _, err := ipFromKey([]byte{10, 0, 0, 1}); err == nil {
		t.Fatal("a 4-byte key was accepted")
	}
}
