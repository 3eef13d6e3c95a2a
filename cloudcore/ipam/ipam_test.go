package ipam

import (
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// wantFieldError fails unless err is a *FieldError on field whose message
// contains every fragment, and errors.Is(err, hypervisors.ErrInvalid).
func wantFieldError(t *testing.T, err error, field string, fragments ...string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want *FieldError", err, err)
	}
	if fe.Field != field {
		t.Errorf("Field = %q, want %q (error %q)", fe.Field, field, err)
	}
	if !errors.Is(err, hypervisors.ErrInvalid) {
		t.Errorf("errors.Is(%q, ErrInvalid) = false", err)
	}
	if !strings.HasPrefix(err.Error(), "invalid "+field+": ") {
		t.Errorf("error %q does not start by naming the field %q", err, field)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func mustPlan(t *testing.T, cidr, gateway string, reserved ...string) *Plan {
	t.Helper()
	p, err := ParseNetwork(cidr, gateway, reserved)
	if err != nil {
		t.Fatalf("ParseNetwork(%q, %q, %q): %v", cidr, gateway, reserved, err)
	}
	return p
}

func TestParseNetworkRefuses(t *testing.T) {
	tests := []struct {
		name, cidr, gateway string
		reserved            []string
		field               string
		fragments           []string
	}{
		{name: "empty cidr", cidr: "", field: "cidr", fragments: []string{"needs a CIDR"}},
		{name: "blank cidr", cidr: "  ", field: "cidr", fragments: []string{"needs a CIDR"}},
		{name: "v4 without length", cidr: "10.0.0.0", field: "cidr", fragments: []string{"no prefix length", `"10.0.0.0/24"`}},
		{name: "v6 without length", cidr: "fd00::", field: "cidr", fragments: []string{"no prefix length", `"fd00:1::/64"`}},
		{name: "not an address", cidr: "banana/24", field: "cidr", fragments: []string{`"banana/24" is not a CIDR prefix`}},
		{name: "v4 length too long", cidr: "10.0.0.0/33", field: "cidr", fragments: []string{"not a CIDR prefix"}},
		{name: "v6 length too long", cidr: "fd00::/129", field: "cidr", fragments: []string{"not a CIDR prefix"}},
		{name: "zone", cidr: "fe80::%eth0/64", field: "cidr", fragments: []string{"not a CIDR prefix"}},
		{name: "host bits /24", cidr: "10.0.0.1/24", field: "cidr", fragments: []string{"host bits", `did you mean "10.0.0.0/24"?`}},
		{name: "host bits /16", cidr: "172.16.5.0/16", field: "cidr", fragments: []string{`did you mean "172.16.0.0/16"?`}},
		{name: "host bits /30", cidr: "10.0.0.6/30", field: "cidr", fragments: []string{`did you mean "10.0.0.4/30"?`}},
		{name: "host bits v6", cidr: "fd00:1::1/64", field: "cidr", fragments: []string{`did you mean "fd00:1::/64"?`}},
		{name: "v4 /31", cidr: "10.0.0.0/31", field: "cidr", fragments: []string{"no room for a gateway and a guest", "/30"}},
		{name: "v4 /32", cidr: "10.0.0.7/32", field: "cidr", fragments: []string{"no room", "/30"}},
		{name: "v6 /127", cidr: "fd00::/127", field: "cidr", fragments: []string{"no room", "/126"}},
		{name: "v6 /128", cidr: "fd00::1/128", field: "cidr", fragments: []string{"no room", "/126"}},
		{name: "v4-mapped v6", cidr: "::ffff:10.0.0.0/120", field: "cidr", fragments: []string{"IPv4-mapped", "dotted form"}},

		{name: "gateway not an address", cidr: "10.0.0.0/24", gateway: "router", field: "gateway", fragments: []string{`"router" is not an IP address`, "leave it empty"}},
		{name: "gateway outside", cidr: "10.0.0.0/24", gateway: "10.0.1.1", field: "gateway", fragments: []string{"outside the network 10.0.0.0/24", "between 10.0.0.1 and 10.0.0.254"}},
		{name: "gateway other family", cidr: "10.0.0.0/24", gateway: "fd00::1", field: "gateway", fragments: []string{"outside"}},
		{name: "gateway v4-mapped", cidr: "10.0.0.0/24", gateway: "::ffff:10.0.0.1", field: "gateway", fragments: []string{"outside"}},
		{name: "gateway network /24", cidr: "10.0.0.0/24", gateway: "10.0.0.0", field: "gateway", fragments: []string{"network address"}},
		{name: "gateway broadcast /24", cidr: "10.0.0.0/24", gateway: "10.0.0.255", field: "gateway", fragments: []string{"broadcast address"}},
		{name: "gateway network /30", cidr: "10.0.0.4/30", gateway: "10.0.0.4", field: "gateway", fragments: []string{"network address", "between 10.0.0.5 and 10.0.0.6"}},
		{name: "gateway broadcast /30", cidr: "10.0.0.4/30", gateway: "10.0.0.7", field: "gateway", fragments: []string{"broadcast address"}},
		{name: "gateway broadcast /16", cidr: "172.16.0.0/16", gateway: "172.16.255.255", field: "gateway", fragments: []string{"broadcast address"}},
		{name: "gateway network v6", cidr: "fd00::/64", gateway: "fd00::", field: "gateway", fragments: []string{"network address"}},
		{name: "gateway outside v6", cidr: "fd00::/64", gateway: "fd00:0:0:1::1", field: "gateway", fragments: []string{"outside"}},
		{name: "gateway zone", cidr: "fe80::/64", gateway: "fe80::1%eth0", field: "gateway", fragments: []string{"zone", "%eth0"}},

		{name: "reserved not an address", cidr: "10.0.0.0/24", reserved: []string{"dhcp"}, field: "reserved_ranges", fragments: []string{`entry 1 ("dhcp")`, "not an IP address", `"first-last"`}},
		{name: "reserved empty entry", cidr: "10.0.0.0/24", reserved: []string{""}, field: "reserved_ranges", fragments: []string{"entry 1", "not an IP address"}},
		{name: "reserved open end", cidr: "10.0.0.0/24", reserved: []string{"10.0.0.2-"}, field: "reserved_ranges", fragments: []string{`"" is not an IP address`}},
		{name: "reserved three parts", cidr: "10.0.0.0/24", reserved: []string{"10.0.0.2-10.0.0.3-10.0.0.4"}, field: "reserved_ranges", fragments: []string{"not an IP address"}},
		{name: "reserved reversed", cidr: "10.0.0.0/24", reserved: []string{"10.0.0.2", "10.0.0.9-10.0.0.5"}, field: "reserved_ranges", fragments: []string{"entry 2", "starts after it ends", "(10.0.0.5-10.0.0.9)"}},
		{name: "reserved outside", cidr: "10.0.0.0/24", reserved: []string{"10.0.1.5"}, field: "reserved_ranges", fragments: []string{"not inside the network 10.0.0.0/24"}},
		{name: "reserved straddles", cidr: "10.0.0.0/24", reserved: []string{"10.0.0.250-10.0.1.5"}, field: "reserved_ranges", fragments: []string{"not inside"}},
		{name: "reserved mixed families", cidr: "10.0.0.0/24", reserved: []string{"10.0.0.5-fd00::1"}, field: "reserved_ranges", fragments: []string{"mixes IPv4 and IPv6"}},
		{name: "reserved other family", cidr: "10.0.0.0/24", reserved: []string{"fd00::1"}, field: "reserved_ranges", fragments: []string{"not inside"}},
		{name: "reserved v6 outside", cidr: "fd00::/64", reserved: []string{"fd00:0:0:1::5"}, field: "reserved_ranges", fragments: []string{"not inside"}},
		{name: "reserved zone", cidr: "fe80::/64", reserved: []string{"fe80::5%eth0"}, field: "reserved_ranges", fragments: []string{"not an IP address"}},
		{name: "reserved leave nothing /30", cidr: "10.0.0.0/30", reserved: []string{"10.0.0.2"}, field: "reserved_ranges", fragments: []string{"leaving none for guests"}},
		{name: "reserved leave nothing /24", cidr: "10.0.0.0/24", reserved: []string{"10.0.0.0-10.0.0.255"}, field: "reserved_ranges", fragments: []string{"leaving none"}},
		{name: "reserved leave nothing v6", cidr: "fd00::/126", reserved: []string{"fd00::2-fd00::3"}, field: "reserved_ranges", fragments: []string{"leaving none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseNetwork(tt.cidr, tt.gateway, tt.reserved)
			if err == nil {
				t.Fatalf("ParseNetwork(%q, %q, %q) = %v, want an error", tt.cidr, tt.gateway, tt.reserved, p.Prefix())
			}
			wantFieldError(t, err, tt.field, tt.fragments...)
		})
	}
}

func TestParseNetworkAccepts(t *testing.T) {
	tests := []struct {
		name, cidr, gateway string
		reserved            []string
		wantPrefix, wantGW  string
		wantSize            uint64
		wantFirst, wantLast string // lowest and highest allocatable
	}{
		{name: "/30 default gateway", cidr: "10.0.0.0/30",
			wantPrefix: "10.0.0.0/30", wantGW: "10.0.0.1", wantSize: 1, wantFirst: "10.0.0.2", wantLast: "10.0.0.2"},
		{name: "/30 gateway at the top", cidr: "10.0.0.4/30", gateway: "10.0.0.6",
			wantPrefix: "10.0.0.4/30", wantGW: "10.0.0.6", wantSize: 1, wantFirst: "10.0.0.5", wantLast: "10.0.0.5"},
		{name: "/24 default gateway", cidr: "10.0.0.0/24",
			wantPrefix: "10.0.0.0/24", wantGW: "10.0.0.1", wantSize: 253, wantFirst: "10.0.0.2", wantLast: "10.0.0.254"},
		{name: "/24 gateway at the top", cidr: "10.0.0.0/24", gateway: "10.0.0.254",
			wantPrefix: "10.0.0.0/24", wantGW: "10.0.0.254", wantSize: 253, wantFirst: "10.0.0.1", wantLast: "10.0.0.253"},
		{name: "/24 gateway in the middle", cidr: "192.168.7.0/24", gateway: "192.168.7.100",
			wantPrefix: "192.168.7.0/24", wantGW: "192.168.7.100", wantSize: 253, wantFirst: "192.168.7.1", wantLast: "192.168.7.254"},
		{name: "/24 reserved at both edges, including network and broadcast", cidr: "10.0.0.0/24",
			reserved:   []string{"10.0.0.0-10.0.0.10", "10.0.0.250-10.0.0.255"},
			wantPrefix: "10.0.0.0/24", wantGW: "10.0.0.1", wantSize: 254 - 10 - 5, wantFirst: "10.0.0.11", wantLast: "10.0.0.249"},
		{name: "/24 reserved only the network and broadcast addresses", cidr: "10.0.0.0/24",
			reserved:   []string{"10.0.0.0", "10.0.0.255"},
			wantPrefix: "10.0.0.0/24", wantGW: "10.0.0.1", wantSize: 253, wantFirst: "10.0.0.2", wantLast: "10.0.0.254"},
		{name: "/24 reserved overlapping, adjacent and holding the gateway", cidr: "10.0.0.0/24", gateway: "10.0.0.7",
			reserved:   []string{"10.0.0.8-10.0.0.12", "10.0.0.5-10.0.0.9", "10.0.0.13", "10.0.0.13"},
			wantPrefix: "10.0.0.0/24", wantGW: "10.0.0.7", wantSize: 254 - 9, wantFirst: "10.0.0.1", wantLast: "10.0.0.254"},
		{name: "/24 with spaces", cidr: " 10.0.0.0/24 ", gateway: " 10.0.0.1 ", reserved: []string{" 10.0.0.2 - 10.0.0.3 "},
			wantPrefix: "10.0.0.0/24", wantGW: "10.0.0.1", wantSize: 251, wantFirst: "10.0.0.4", wantLast: "10.0.0.254"},
		{name: "/16", cidr: "172.16.0.0/16",
			wantPrefix: "172.16.0.0/16", wantGW: "172.16.0.1", wantSize: 65533, wantFirst: "172.16.0.2", wantLast: "172.16.255.254"},
		{name: "/16 one address left at the top", cidr: "172.16.0.0/16", reserved: []string{"172.16.0.2-172.16.255.253"},
			wantPrefix: "172.16.0.0/16", wantGW: "172.16.0.1", wantSize: 1, wantFirst: "172.16.255.254", wantLast: "172.16.255.254"},
		{name: "/16 one address left at the bottom", cidr: "172.16.0.0/16", gateway: "172.16.255.254", reserved: []string{"172.16.0.2-172.16.255.255"},
			wantPrefix: "172.16.0.0/16", wantGW: "172.16.255.254", wantSize: 1, wantFirst: "172.16.0.1", wantLast: "172.16.0.1"},
		{name: "whole IPv4 space", cidr: "0.0.0.0/0",
			wantPrefix: "0.0.0.0/0", wantGW: "0.0.0.1", wantSize: 1<<32 - 3, wantFirst: "0.0.0.2", wantLast: "255.255.255.254"},
		{name: "v6 /126", cidr: "fd00::/126",
			wantPrefix: "fd00::/126", wantGW: "fd00::1", wantSize: 2, wantFirst: "fd00::2", wantLast: "fd00::3"},
		{name: "v6 /126 gateway at the top", cidr: "fd00::4/126", gateway: "fd00::7",
			wantPrefix: "fd00::4/126", wantGW: "fd00::7", wantSize: 2, wantFirst: "fd00::5", wantLast: "fd00::6"},
		{name: "v6 /120 upper case, reserved edges", cidr: "FD00:0:0::100/120", gateway: "FD00::1FF", reserved: []string{"fd00::100-fd00::10f", "fd00::1f0-fd00::1ff"},
			wantPrefix: "fd00::100/120", wantGW: "fd00::1ff", wantSize: 255 - 15 - 16, wantFirst: "fd00::110", wantLast: "fd00::1ef"},
		{name: "v6 /64", cidr: "fd00:1::/64",
			wantPrefix: "fd00:1::/64", wantGW: "fd00:1::1", wantSize: math.MaxUint64 - 1, wantFirst: "fd00:1::2", wantLast: "fd00:1::ffff:ffff:ffff:ffff"},
		{name: "v6 /48 saturates", cidr: "fd00:1::/48",
			wantPrefix: "fd00:1::/48", wantGW: "fd00:1::1", wantSize: math.MaxUint64, wantFirst: "fd00:1::2", wantLast: "fd00:1:0:ffff:ffff:ffff:ffff:ffff"},
		{name: "whole IPv6 space saturates", cidr: "::/0",
			wantPrefix: "::/0", wantGW: "::1", wantSize: math.MaxUint64, wantFirst: "::2", wantLast: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{name: "v6 top of the space reserved", cidr: "ffff:ffff:ffff:ffff::/64", reserved: []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
			wantPrefix: "ffff:ffff:ffff:ffff::/64", wantGW: "ffff:ffff:ffff:ffff::1", wantSize: math.MaxUint64 - 1 - 16,
			wantFirst: "ffff:ffff:ffff:ffff::2", wantLast: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPlan(t, tt.cidr, tt.gateway, tt.reserved...)
			if got := p.Prefix().String(); got != tt.wantPrefix {
				t.Errorf("Prefix = %s, want %s", got, tt.wantPrefix)
			}
			if got := p.Gateway().String(); got != tt.wantGW {
				t.Errorf("Gateway = %s, want %s", got, tt.wantGW)
			}
			if p.Allocatable(p.Gateway()) {
				t.Errorf("gateway %s is allocatable", p.Gateway())
			}
			if got := p.Size(); got != tt.wantSize {
				t.Errorf("Size = %d, want %d", got, tt.wantSize)
			}
			first, ok := p.Next(netip.Addr{})
			if !ok || first.String() != tt.wantFirst {
				t.Errorf("Next(zero) = %s, %v; want %s", first, ok, tt.wantFirst)
			}
			last := netip.MustParseAddr(tt.wantLast)
			if !p.Allocatable(last) {
				t.Errorf("Allocatable(%s) = false, want the highest allocatable address", last)
			}
			if got, ok := p.Next(last); ok {
				t.Errorf("Next(%s) = %s, want none after the highest allocatable address", last, got)
			}
		})
	}
}

func TestAllocatable(t *testing.T) {
	v4 := mustPlan(t, "10.0.0.0/24", "", "10.0.0.10-10.0.0.19", "10.0.0.254")
	v6 := mustPlan(t, "fd00::/64", "fd00::5", "fd00::ff00-fd00::ffff")
	tests := []struct {
		plan *Plan
		ip   string // "" for the zero Addr
		want bool
	}{
		{v4, "10.0.0.0", false},   // network
		{v4, "10.0.0.1", false},   // gateway
		{v4, "10.0.0.2", true},    // first
		{v4, "10.0.0.9", true},    // just below a reserved range
		{v4, "10.0.0.10", false},  // reserved, low edge
		{v4, "10.0.0.15", false},  // reserved
		{v4, "10.0.0.19", false},  // reserved, high edge
		{v4, "10.0.0.20", true},   // just above a reserved range
		{v4, "10.0.0.253", true},  // last
		{v4, "10.0.0.254", false}, // reserved single address
		{v4, "10.0.0.255", false}, // broadcast
		{v4, "10.0.1.2", false},   // outside
		{v4, "9.255.255.255", false},
		{v4, "::ffff:10.0.0.2", false}, // IPv4-mapped form of an allocatable address
		{v4, "fd00::2", false},
		{v4, "", false},
		{v6, "fd00::", false},  // network (subnet-router anycast)
		{v6, "fd00::1", true},  // default gateway is not used: one was given
		{v6, "fd00::5", false}, // gateway
		{v6, "fd00::6", true},
		{v6, "fd00::feff", true},
		{v6, "fd00::ff00", false},
		{v6, "fd00::ffff", false},
		{v6, "fd00::1:0", true},
		{v6, "fd00::ffff:ffff:ffff:ffff", true}, // no broadcast in IPv6
		{v6, "fd00:0:0:1::", false},
		{v6, "fd00::6%eth0", false}, // zoned
		{v6, "10.0.0.2", false},
	}
	for _, tt := range tests {
		var ip netip.Addr
		if tt.ip != "" {
			ip = netip.MustParseAddr(tt.ip)
		}
		if got := tt.plan.Allocatable(ip); got != tt.want {
			t.Errorf("%s: Allocatable(%q) = %v, want %v", tt.plan.Prefix(), tt.ip, got, tt.want)
		}
	}
}

func TestContains(t *testing.T) {
	p := mustPlan(t, "10.0.0.0/24", "")
	for ip, want := range map[string]bool{
		"10.0.0.0": true, "10.0.0.1": true, "10.0.0.255": true,
		"10.0.1.0": false, "9.255.255.255": false, "::ffff:10.0.0.5": false, "fd00::1": false,
	} {
		if got := p.Contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", ip, got, want)
		}
	}
}

func TestNext(t *testing.T) {
	v4 := mustPlan(t, "10.0.0.0/24", "", "10.0.0.10-10.0.0.19", "10.0.0.254")
	v6 := mustPlan(t, "fd00::/64", "fd00::5", "fd00::ff00-fd00::ffff")
	tests := []struct {
		plan  *Plan
		after string // "" for the zero Addr
		want  string // "" for none
	}{
		{v4, "", "10.0.0.2"},
		{v4, "0.0.0.0", "10.0.0.2"},
		{v4, "9.255.255.255", "10.0.0.2"},
		{v4, "10.0.0.0", "10.0.0.2"},
		{v4, "10.0.0.1", "10.0.0.2"},
		{v4, "10.0.0.2", "10.0.0.3"},
		{v4, "10.0.0.9", "10.0.0.20"},  // skips a reserved range in one step
		{v4, "10.0.0.12", "10.0.0.20"}, // from inside a reserved range
		{v4, "10.0.0.252", "10.0.0.253"},
		{v4, "10.0.0.253", ""}, // .254 reserved, .255 broadcast
		{v4, "10.0.0.255", ""},
		{v4, "10.0.1.0", ""},
		{v4, "255.255.255.255", ""},
		{v4, "fd00::1", ""}, // IPv6 sorts after IPv4
		{v6, "", "fd00::1"},
		{v6, "10.0.0.1", "fd00::1"}, // IPv4 sorts before IPv6
		{v6, "fd00::4", "fd00::6"},  // skips the gateway
		{v6, "fd00::4%eth0", "fd00::6"},
		{v6, "fd00::feff", "fd00::1:0"},
		{v6, "fd00::ffff:ffff:ffff:fffe", "fd00::ffff:ffff:ffff:ffff"},
		{v6, "fd00::ffff:ffff:ffff:ffff", ""},
		{v6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""},
	}
	for _, tt := range tests {
		var after netip.Addr
		if tt.after != "" {
			after = netip.MustParseAddr(tt.after)
		}
		got, ok := tt.plan.Next(after)
		if tt.want == "" {
			if ok {
				t.Errorf("%s: Next(%q) = %s, want none", tt.plan.Prefix(), tt.after, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(tt.want) {
			t.Errorf("%s: Next(%q) = %s, %v; want %s", tt.plan.Prefix(), tt.after, got, ok, tt.want)
		}
	}
}

// TestNextWalksEveryAddress walks whole small networks and compares with a
// check of every address.
func TestNextWalksEveryAddress(t *testing.T) {
	for _, tt := range []struct {
		cidr, gateway string
		reserved      []string
	}{
		{"10.0.0.0/30", "", nil},
		{"10.0.0.0/30", "10.0.0.2", nil},
		{"10.0.0.0/24", "10.0.0.254", []string{"10.0.0.0-10.0.0.3", "10.0.0.100-10.0.0.150", "10.0.0.152", "10.0.0.253-10.0.0.255"}},
		{"172.16.0.0/16", "", []string{"172.16.1.0-172.16.200.255"}},
		{"fd00::/118", "fd00::3ff", []string{"fd00::1-fd00::10", "fd00::200"}},
	} {
		p := mustPlan(t, tt.cidr, tt.gateway, tt.reserved...)
		var want []netip.Addr
		for a := p.Prefix().Addr(); p.Contains(a); a = a.Next() {
			if p.Allocatable(a) {
				want = append(want, a)
			}
		}
		var got []netip.Addr
		for a, ok := p.Next(netip.Addr{}); ok; a, ok = p.Next(a) {
			got = append(got, a)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Next walk differs from Allocatable: got %d addresses, want %d", tt.cidr, len(got), len(want))
		}
		if uint64(len(want)) != p.Size() {
			t.Errorf("%s: Size = %d, want %d", tt.cidr, p.Size(), len(want))
		}
	}
}

func TestFirstFree(t *testing.T) {
	p := mustPlan(t, "10.0.0.0/29", "") // allocatable: .2 to .6
	a := func(s string) netip.Addr { return netip.MustParseAddr("10.0.0." + s) }
	tests := []struct {
		name string
		used []netip.Addr
		want string // "" for none
	}{
		{"none used", nil, "2"},
		{"hole at the start", []netip.Addr{a("3"), a("4")}, "2"},
		{"prefix used", []netip.Addr{a("2"), a("3")}, "4"},
		{"unsorted with duplicates", []netip.Addr{a("4"), a("2"), a("3"), a("2"), a("4")}, "5"},
		{"hole in the middle", []netip.Addr{a("6"), a("2"), a("5"), a("3")}, "4"},
		{"hole at the end", []netip.Addr{a("2"), a("3"), a("4"), a("5")}, "6"},
		{"non-allocatable entries ignored", []netip.Addr{a("0"), a("1"), a("7"), netip.MustParseAddr("192.168.0.2"), netip.MustParseAddr("fd00::2"), {}, a("2")}, "3"},
		{"all used", []netip.Addr{a("2"), a("3"), a("4"), a("5"), a("6")}, ""},
		{"all used and more", []netip.Addr{a("7"), a("6"), a("5"), a("4"), a("3"), a("2"), a("1"), a("0")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.used)
			got, ok := p.FirstFree(tt.used)
			if !slices.Equal(before, tt.used) {
				t.Errorf("FirstFree modified its argument: %v, was %v", tt.used, before)
			}
			if tt.want == "" {
				if ok {
					t.Errorf("FirstFree = %s, want none", got)
				}
				return
			}
			if !ok || got != a(tt.want) {
				t.Errorf("FirstFree = %s, %v; want %s", got, ok, a(tt.want))
			}
		})
	}
}

// TestFirstFreeLargePrefix would not finish if FirstFree enumerated the prefix.
func TestFirstFreeLargePrefix(t *testing.T) {
	p := mustPlan(t, "fd00::/64", "", "fd00::10-fd00::1f")
	var used []netip.Addr
	for a, _ := p.Next(netip.Addr{}); len(used) < 5000; a, _ = p.Next(a) {
		used = append(used, a)
	}
	slices.Reverse(used)
	want, _ := p.Next(used[0])
	if got, ok := p.FirstFree(used); !ok || got != want {
		t.Errorf("FirstFree = %s, %v; want %s", got, ok, want)
	}
	// With a hole left by a release in the middle.
	hole := used[2500]
	used = slices.Delete(used, 2500, 2501)
	if got, ok := p.FirstFree(used); !ok || got != hole {
		t.Errorf("FirstFree = %s, %v; want the released %s", got, ok, hole)
	}
}

func TestParseAddr(t *testing.T) {
	p := mustPlan(t, "10.0.0.0/24", "", "10.0.0.10-10.0.0.19")
	if got, err := p.ParseAddr("ip_address", " 10.0.0.5 "); err != nil || got != netip.MustParseAddr("10.0.0.5") {
		t.Errorf("ParseAddr(10.0.0.5) = %s, %v", got, err)
	}
	for _, tt := range []struct{ in, fragment string }{
		{"ten", `"ten" is not an IP address`},
		{"", `"" is not an IP address`},
		{"10.0.0.0", "10.0.0.0 is the network address of 10.0.0.0/24"},
		{"10.0.0.255", "broadcast address"},
		{"10.0.0.1", "10.0.0.1 is the gateway"},
		{"10.0.0.15", "10.0.0.15 is reserved (10.0.0.10-10.0.0.19)"},
		{"10.0.1.5", "outside the network 10.0.0.0/24"},
		{"fd00::5", "outside"},
		{"fe80::1%eth0", "not an IP address"},
	} {
		_, err := p.ParseAddr("ip_address", tt.in)
		if err == nil {
			t.Errorf("ParseAddr(%q) succeeded, want an error", tt.in)
			continue
		}
		wantFieldError(t, err, "ip_address", tt.fragment, "give")
	}
}

func TestOverlaps(t *testing.T) {
	tests := []struct {
		a, b string // "" for the zero Prefix
		want bool
	}{
		{"10.0.0.0/24", "10.0.0.0/24", true},
		{"10.0.0.0/16", "10.0.5.0/24", true},
		{"10.0.5.0/24", "10.0.0.0/16", true},
		{"10.0.0.0/24", "10.0.1.0/24", false},
		{"10.0.0.0/30", "10.0.0.4/30", false},
		{"10.0.0.0/30", "10.0.0.3/32", true},
		{"0.0.0.0/0", "192.168.1.0/24", true},
		{"fd00::/64", "fd00::/48", true},
		{"fd00::/64", "fd00:0:0:1::/64", false},
		{"10.0.0.0/8", "::ffff:10.0.0.0/104", false}, // families differ
		{"0.0.0.0/0", "::/0", false},
		{"10.0.0.0/24", "", false},
	}
	for _, tt := range tests {
		var a, b netip.Prefix
		if tt.a != "" {
			a = netip.MustParsePrefix(tt.a)
		}
		if tt.b != "" {
			b = netip.MustParsePrefix(tt.b)
		}
		if got := Overlaps(a, b); got != tt.want {
			t.Errorf("Overlaps(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// addrAt returns the address off positions above the start of p; off must
// be below the prefix's size, which the fuzz test keeps under 2^10.
func addrAt(p netip.Prefix, off uint64) netip.Addr {
	if p.Addr().Is4() {
		b := p.Addr().As4()
		binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])+uint32(off))
		return netip.AddrFrom4(b)
	}
	b := p.Addr().As16()
	binary.BigEndian.PutUint64(b[8:], binary.BigEndian.Uint64(b[8:])+off)
	return netip.AddrFrom16(b)
}

// FuzzNext builds small IPv4 and IPv6 networks (4 to 1024 addresses) with a
// gateway and two reserved ranges, and checks Allocatable, Next, Size and
// FirstFree against a model that looks at every address.
func FuzzNext(f *testing.F) {
	f.Add(false, uint8(0), uint64(0x0a000000), uint16(4), uint16(0), uint16(0), uint16(0), uint16(0), uint16(0), uint64(0))
	f.Add(false, uint8(6), uint64(0x0a000000), uint16(300), uint16(2), uint16(5), uint16(250), uint16(10), uint16(7), uint64(0xff))
	f.Add(false, uint8(8), uint64(0xc0a80000), uint16(1), uint16(0), uint16(1023), uint16(600), uint16(3), uint16(1000), uint64(0xf0f0))
	f.Add(true, uint8(0), uint64(0xfd00), uint16(4), uint16(3), uint16(0), uint16(0), uint16(0), uint16(1), uint64(1))
	f.Add(true, uint8(8), uint64(0xfd000001), uint16(1023), uint16(1000), uint16(23), uint16(1), uint16(0), uint16(512), uint64(0x5555))
	f.Add(true, uint8(3), uint64(0xffffffffffffffff), uint16(9), uint16(0), uint16(63), uint16(0), uint16(0), uint16(60), uint64(0xaaaa))
	f.Fuzz(func(t *testing.T, v6 bool, hostSel uint8, base uint64, gwSel, r1Start, r1Len, r2Start, r2Len, afterSel uint16, usedBits uint64) {
		hostBits := 2 + int(hostSel%9)
		size := uint64(1) << hostBits
		var prefix netip.Prefix
		if v6 {
			var b [16]byte
			binary.BigEndian.PutUint64(b[:8], base)
			binary.BigEndian.PutUint64(b[8:], base)
			prefix = netip.PrefixFrom(netip.AddrFrom16(b), 128-hostBits).Masked()
		} else {
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], uint32(base))
			prefix = netip.PrefixFrom(netip.AddrFrom4(b), 32-hostBits).Masked()
		}
		gateway, gwOff := "", uint64(1) // empty: the first host address
		if g := uint64(gwSel) % (size + 1); g < size {
			gateway, gwOff = addrAt(prefix, g).String(), g
		}
		type span struct{ lo, hi uint64 }
		var spans []span
		var reserved []string
		for _, r := range [][2]uint16{{r1Start, r1Len}, {r2Start, r2Len}} {
			if r[1] == 0 {
				continue // no range
			}
			lo := uint64(r[0]) % size
			hi := min(lo+uint64(r[1]-1)%(size/2), size-1)
			spans = append(spans, span{lo, hi})
			reserved = append(reserved, addrAt(prefix, lo).String()+"-"+addrAt(prefix, hi).String())
		}

		// The model: offsets of allocatable addresses, in order.
		var model []netip.Addr
		for off := uint64(0); off < size; off++ {
			ok := off != 0 && off != gwOff && (v6 || off != size-1) // not network, gateway, IPv4 broadcast
			for _, s := range spans {
				ok = ok && (off < s.lo || off > s.hi)
			}
			if ok {
				model = append(model, addrAt(prefix, off))
			}
		}

		p, err := ParseNetwork(prefix.String(), gateway, reserved)
		gwValid := gwOff != 0 && (v6 || gwOff != size-1)
		if !gwValid || len(model) == 0 {
			if err == nil {
				t.Fatalf("ParseNetwork(%s, %q, %q) succeeded; gateway valid %v, %d allocatable", prefix, gateway, reserved, gwValid, len(model))
			}
			wantFieldError(t, err, map[bool]string{true: "reserved_ranges", false: "gateway"}[gwValid])
			return
		}
		if err != nil {
			t.Fatalf("ParseNetwork(%s, %q, %q): %v", prefix, gateway, reserved, err)
		}

		for off := uint64(0); off < size; off++ {
			a := addrAt(prefix, off)
			if got, want := p.Allocatable(a), slices.Contains(model, a); got != want {
				t.Fatalf("Allocatable(%s) = %v, want %v", a, got, want)
			}
		}

		// Walk with Next: every result allocatable, strictly increasing
		// (so never repeated), and together exactly the model.
		var walk []netip.Addr
		prev := netip.Addr{}
		for a, ok := p.Next(prev); ok; a, ok = p.Next(a) {
			if !p.Allocatable(a) {
				t.Fatalf("Next(%s) = %s, which is not allocatable", prev, a)
			}
			if !prev.Less(a) {
				t.Fatalf("Next(%s) = %s, not above its argument", prev, a)
			}
			if len(walk) > len(model) {
				t.Fatalf("Next walked past %d addresses, the model has %d", len(walk), len(model))
			}
			walk = append(walk, a)
			prev = a
		}
		if !slices.Equal(walk, model) {
			t.Fatalf("Next walk = %v, want %v", walk, model)
		}
		if p.Size() != uint64(len(model)) {
			t.Fatalf("Size = %d, want %d", p.Size(), len(model))
		}

		// Next from an arbitrary address of the prefix.
		after := addrAt(prefix, uint64(afterSel)%size)
		got, ok := p.Next(after)
		i, _ := slices.BinarySearchFunc(model, after, netip.Addr.Compare)
		if i < len(model) && model[i] == after {
			i++
		}
		if want := i < len(model); ok != want || (ok && got != model[i]) {
			t.Fatalf("Next(%s) = %s, %v; model says %v", after, got, ok, model[i:min(i+1, len(model))])
		}

		// FirstFree with a subset of the model used.
		var used []netip.Addr
		var wantFree netip.Addr
		for j, a := range model {
			if usedBits>>(j%64)&1 == 1 {
				used = append(used, a)
			} else if !wantFree.IsValid() {
				wantFree = a
			}
		}
		slices.Reverse(used)
		if got, ok := p.FirstFree(used); ok != wantFree.IsValid() || got != wantFree {
			t.Fatalf("FirstFree(%v) = %s, %v; want %s", used, got, ok, wantFree)
		}
	})
}

// TestExcludedMerged checks the invariant Next relies on for its single jump:
// the gateway and reserved ranges are kept sorted, merged when they overlap
// or touch, and clipped to the host addresses.
func TestExcludedMerged(t *testing.T) {
	p := mustPlan(t, "10.0.0.0/24", "10.0.0.30",
		"10.0.0.20-10.0.0.29", "10.0.0.31", "10.0.0.5-10.0.0.9", "10.0.0.0-10.0.0.2", "10.0.0.7-10.0.0.8", "10.0.0.250-10.0.0.255", "10.0.0.10")
	a := netip.MustParseAddr
	want := []addrRange{
		{a("10.0.0.1"), a("10.0.0.2")},
		{a("10.0.0.5"), a("10.0.0.10")},
		{a("10.0.0.20"), a("10.0.0.31")},
		{a("10.0.0.250"), a("10.0.0.254")},
	}
	if !slices.Equal(p.excluded, want) {
		t.Errorf("excluded = %v, want %v", p.excluded, want)
	}
}
