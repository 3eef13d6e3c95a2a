package ipam

import (
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"strings"
)

// NewMAC returns a random locally administered unicast MAC address in
// lower-case colon form: "02:" followed by five random octets read from r
// (crypto/rand.Reader when r is nil). Uniqueness within a zone is the store's
// job; on a collision, draw again.
func NewMAC(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 0}
	if _, err := io.ReadFull(r, mac[1:]); err != nil {
		return "", fmt.Errorf("generate MAC address: %w", err)
	}
	return mac.String(), nil
}

// ParseMAC normalises a MAC address given by a user to lower-case colon form.
// It accepts six octets separated by colons or dashes (or Cisco's dotted
// form), in either case. It refuses other lengths, multicast (and broadcast)
// addresses and the all-zero address, which no NIC can have. Errors are
// *FieldError on field "mac_address".
func ParseMAC(s string) (string, error) {
	s = strings.TrimSpace(s)
	const example = `"02:00:0a:00:00:05"`
	mac, err := net.ParseMAC(s)
	switch {
	case err != nil || len(mac) != 6:
		return "", fieldErr("mac_address", "%q is not a MAC address; write six pairs of hexadecimal digits separated by colons, for example %s", s, example)
	case mac[0]&0x01 != 0:
		return "", fieldErr("mac_address", "%q is a multicast address; a NIC needs a unicast address (an even first octet), for example %s", s, example)
	case string(mac) == "\x00\x00\x00\x00\x00\x00":
		return "", fieldErr("mac_address", "%q is the all-zero address, which no NIC can have; give another, for example %s", s, example)
	}
	return mac.String(), nil
}
