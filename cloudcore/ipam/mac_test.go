package ipam

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestNewMAC(t *testing.T) {
	got, err := NewMAC(bytes.NewReader([]byte{0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x99}))
	if err != nil || got != "02:ab:cd:ef:01:23" {
		t.Errorf("NewMAC = %q, %v; want 02:ab:cd:ef:01:23", got, err)
	}

	if _, err := NewMAC(bytes.NewReader([]byte{1, 2, 3})); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewMAC(short reader) error = %v, want io.ErrUnexpectedEOF", err)
	}

	seen := map[string]bool{}
	for range 100 {
		mac, err := NewMAC(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(mac, "02:") || len(mac) != 17 || mac != strings.ToLower(mac) {
			t.Fatalf("NewMAC(nil) = %q, want 02:xx:xx:xx:xx:xx in lower case", mac)
		}
		if norm, err := ParseMAC(mac); err != nil || norm != mac {
			t.Fatalf("ParseMAC(%q) = %q, %v; want it unchanged", mac, norm, err)
		}
		if seen[mac] {
			t.Fatalf("NewMAC(nil) repeated %s within 100 draws", mac)
		}
		seen[mac] = true
	}
}

func TestParseMAC(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"02:00:0a:00:00:05", "02:00:0a:00:00:05"},
		{"02:00:0A:00:00:05", "02:00:0a:00:00:05"},
		{"02-00-0A-00-00-05", "02:00:0a:00:00:05"},
		{" 52:54:00:AB:CD:EF\n", "52:54:00:ab:cd:ef"},
		{"0200.0a00.0005", "02:00:0a:00:00:05"},
		{"00:50:56:00:00:01", "00:50:56:00:00:01"}, // vendor (universally administered) unicast
		{"fe:ff:ff:ff:ff:ff", "fe:ff:ff:ff:ff:ff"},
	} {
		got, err := ParseMAC(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMAC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}

	for _, tt := range []struct{ in, fragment string }{
		{"", "not a MAC address"},
		{"02:00:0a:00:00", "not a MAC address"},
		{"02:00:0a:00:00:05:06", "not a MAC address"},
		{"02:00:0a:00:00:05:06:07", "not a MAC address"}, // EUI-64
		{"02:00:0a:00:00:zz", "not a MAC address"},
		{"0200:0a00:0005", "not a MAC address"},
		{"01:00:5e:00:00:01", "multicast"},
		{"33:33:00:00:00:01", "multicast"},
		{"ff:ff:ff:ff:ff:ff", "multicast"},
		{"03:00:00:00:00:00", "multicast"},
		{"00:00:00:00:00:00", "all-zero"},
	} {
		_, err := ParseMAC(tt.in)
		if err == nil {
			t.Errorf("ParseMAC(%q) succeeded, want an error", tt.in)
			continue
		}
		wantFieldError(t, err, "mac_address", tt.fragment, "for example")
	}
}
