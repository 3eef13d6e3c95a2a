// Package ipam does the address arithmetic of guest networks: it validates a
// network's CIDR, gateway and reserved ranges, says which addresses guests may
// have, finds the next free one, and makes and checks MAC addresses.
//
// The package is pure: it keeps no state and never touches the store.
// Uniqueness of allocations is the store's job (a unique constraint); this
// package only proposes candidates and validates requests. IPv4 and IPv6 are
// both supported; IPv4-mapped IPv6 forms are refused so that one address has
// one spelling.
package ipam

import (
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// FieldError reports an invalid input field. Error names the field and says
// how to fix the value; errors.Is(err, hypervisors.ErrInvalid) holds, so a
// caller can classify it without knowing this type.
type FieldError struct {
	// Field is the input's name as users write it, e.g. "cidr", "gateway",
	// "reserved_ranges" or "mac_address".
	Field string
	// Reason says what is wrong with the value and how to fix it.
	Reason string
}

// Error returns "invalid <field>: <reason>".
func (e *FieldError) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Unwrap returns hypervisors.ErrInvalid.
func (e *FieldError) Unwrap() error { return hypervisors.ErrInvalid }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// addrRange is an inclusive range of addresses of one family, First <= Last.
type addrRange struct{ First, Last netip.Addr }

// Plan is the validated address plan of one guest network. A Plan is
// immutable and safe for concurrent use. Its zero value is not usable; make
// one with ParseNetwork.
type Plan struct {
	prefix  netip.Prefix
	gateway netip.Addr
	// first and last bound the host addresses: the network address and,
	// for IPv4, the broadcast address lie outside [first, last].
	first, last netip.Addr
	// excluded holds the gateway and the reserved ranges, clipped to
	// [first, last], sorted, merged, and neither overlapping nor adjacent,
	// so that an address just past one range is never inside the next.
	excluded []addrRange
}

// ParseNetwork validates a guest network's address plan and returns it.
//
// cidr is an IPv4 or IPv6 prefix in canonical form (host bits zero) with room
// for a gateway and at least one guest: IPv4 /30 or larger, IPv6 /126 or
// larger. gateway is optional: empty means the first host address of cidr;
// otherwise it must be a host address of cidr (neither the network address
// nor, for IPv4, the broadcast address). Each entry of reserved is one
// address or a range "A-B" with A <= B, inside cidr; reserved addresses are
// never allocated. Entries may overlap and may include the gateway, the
// network or the broadcast address, but together they must leave at least
// one address for guests.
//
// Errors are *FieldError on field "cidr", "gateway" or "reserved_ranges".
func ParseNetwork(cidr, gateway string, reserved []string) (*Plan, error) {
	prefix, err := parseCIDR(cidr)
	if err != nil {
		return nil, err
	}
	network := prefix.Addr()
	top := lastAddr(prefix)
	p := &Plan{prefix: prefix, first: network.Next(), last: top}
	if network.Is4() {
		p.last = top.Prev()
	}

	if strings.TrimSpace(gateway) == "" {
		p.gateway = p.first
	} else if p.gateway, err = p.parseGateway(gateway); err != nil {
		return nil, err
	}

	p.excluded = []addrRange{{p.gateway, p.gateway}}
	for i, entry := range reserved {
		r, err := parseRange(prefix, i, entry)
		if err != nil {
			return nil, err
		}
		// Clip to the host addresses; a range of only the network or
		// broadcast address leaves nothing to exclude.
		if r.First.Less(p.first) {
			r.First = p.first
		}
		if p.last.Less(r.Last) {
			r.Last = p.last
		}
		if !r.Last.Less(r.First) {
			p.excluded = append(p.excluded, r)
		}
	}
	p.excluded = mergeRanges(p.excluded)

	if p.Size() == 0 {
		return nil, fieldErr("reserved_ranges",
			"the reserved ranges and the gateway cover every host address of %s, leaving none for guests; shrink the reserved ranges", prefix)
	}
	return p, nil
}

func parseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, fieldErr("cidr", `the network needs a CIDR, for example "10.0.0.0/24" or "fd00:1::/64"`)
	}
	if !strings.Contains(s, "/") {
		example := "10.0.0.0/24"
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
			example = "fd00:1::/64"
		}
		return netip.Prefix{}, fieldErr("cidr", "%q has no prefix length; write address/length, for example %q", s, example)
	}
	prefix, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fieldErr("cidr", `%q is not a CIDR prefix; write address/length, for example "10.0.0.0/24" or "fd00:1::/64"`, s)
	}
	if prefix.Addr().Is4In6() {
		return netip.Prefix{}, fieldErr("cidr", "%q is an IPv4-mapped IPv6 prefix; write IPv4 networks in dotted form, for example \"10.0.0.0/24\"", s)
	}
	if masked := prefix.Masked(); masked != prefix {
		return netip.Prefix{}, fieldErr("cidr", "%q has host bits set; did you mean %q?", s, masked.String())
	}
	if maxBits := prefix.Addr().BitLen() - 2; prefix.Bits() > maxBits {
		return netip.Prefix{}, fieldErr("cidr", "%s has no room for a gateway and a guest; use a /%d or a larger network (a shorter prefix length)", prefix, maxBits)
	}
	return prefix, nil
}

func (p *Plan) parseGateway(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	gw, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return netip.Addr{}, fieldErr("gateway", "%q is not an IP address; give an address inside %s, for example %q, or leave it empty for %s", s, p.prefix, p.first.String(), p.first)
	case gw.Zone() != "":
		return netip.Addr{}, fieldErr("gateway", "%q carries a zone; remove the %%%s suffix", s, gw.Zone())
	case !p.prefix.Contains(gw):
		return netip.Addr{}, fieldErr("gateway", "%s is outside the network %s; give an address between %s and %s", gw, p.prefix, p.first, p.last)
	case gw == p.prefix.Addr():
		return netip.Addr{}, fieldErr("gateway", "%s is the network address of %s; give an address between %s and %s", gw, p.prefix, p.first, p.last)
	case p.last.Less(gw):
		return netip.Addr{}, fieldErr("gateway", "%s is the broadcast address of %s; give an address between %s and %s", gw, p.prefix, p.first, p.last)
	}
	return gw, nil
}

// parseRange parses reserved entry i, "A" or "A-B", and checks it lies in prefix.
func parseRange(prefix netip.Prefix, i int, entry string) (addrRange, error) {
	errf := func(format string, args ...any) error {
		return fieldErr("reserved_ranges", "entry %d (%q): %s", i+1, entry, fmt.Sprintf(format, args...))
	}
	lo, hi, isRange := strings.Cut(entry, "-")
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if !isRange {
		hi = lo
	}
	var r addrRange
	for _, part := range []struct {
		text string
		addr *netip.Addr
	}{{lo, &r.First}, {hi, &r.Last}} {
		a, err := netip.ParseAddr(part.text)
		if err != nil || a.Zone() != "" {
			return addrRange{}, errf(`%q is not an IP address; write one address or a range "first-last", for example "10.0.0.2-10.0.0.9"`, part.text)
		}
		*part.addr = a
	}
	switch {
	case r.First.Is4() != r.Last.Is4():
		return addrRange{}, errf("mixes IPv4 and IPv6; both ends must be of the family of %s", prefix)
	case !prefix.Contains(r.First) || !prefix.Contains(r.Last):
		return addrRange{}, errf("is not inside the network %s; reserve only addresses of the network", prefix)
	case r.Last.Less(r.First):
		return addrRange{}, errf("starts after it ends; write the lower address first (%s-%s)", r.Last, r.First)
	}
	return r, nil
}

// mergeRanges sorts rs and merges ranges that overlap or touch.
func mergeRanges(rs []addrRange) []addrRange {
	slices.SortFunc(rs, func(a, b addrRange) int { return a.First.Compare(b.First) })
	out := rs[:1]
	for _, r := range rs[1:] {
		cur := &out[len(out)-1]
		if !cur.Last.Less(r.First) || cur.Last.Next() == r.First {
			if cur.Last.Less(r.Last) {
				cur.Last = r.Last
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// lastAddr returns the highest address of p (the IPv4 broadcast address).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Prefix returns the network's prefix, e.g. 10.0.0.0/24.
func (p *Plan) Prefix() netip.Prefix { return p.prefix }

// Gateway returns the gateway address (given or defaulted).
func (p *Plan) Gateway() netip.Addr { return p.gateway }

// Contains reports whether ip lies inside the network's prefix, whatever its
// role there. An address with a zone or of the other family is not inside.
func (p *Plan) Contains(ip netip.Addr) bool { return p.prefix.Contains(ip) }

// Allocatable reports whether ip may be given to a guest: it is inside the
// prefix and is not the network address, the IPv4 broadcast address, the
// gateway, or a reserved address.
func (p *Plan) Allocatable(ip netip.Addr) bool { return p.refusal(ip) == "" }

// refusal says why ip is not allocatable, or returns "" when it is.
func (p *Plan) refusal(ip netip.Addr) string {
	switch {
	case !p.prefix.Contains(ip):
		return fmt.Sprintf("%s is outside the network %s", ip, p.prefix)
	case ip == p.prefix.Addr():
		return fmt.Sprintf("%s is the network address of %s", ip, p.prefix)
	case p.last.Less(ip):
		return fmt.Sprintf("%s is the broadcast address of %s", ip, p.prefix)
	case ip == p.gateway:
		return fmt.Sprintf("%s is the gateway of %s", ip, p.prefix)
	}
	if r, ok := p.excludedRange(ip); ok {
		return fmt.Sprintf("%s is reserved (%s-%s)", ip, r.First, r.Last)
	}
	return ""
}

// excludedRange returns the excluded range holding ip, if any.
func (p *Plan) excludedRange(ip netip.Addr) (addrRange, bool) {
	i, _ := slices.BinarySearchFunc(p.excluded, ip, func(r addrRange, ip netip.Addr) int {
		return r.Last.Compare(ip)
	})
	if i < len(p.excluded) && !ip.Less(p.excluded[i].First) {
		return p.excluded[i], true
	}
	return addrRange{}, false
}

// ParseAddr parses a guest address requested by a user and checks that it is
// allocatable in p. It does not check whether the address is already taken.
// Errors are *FieldError on field, saying why the address cannot be used.
func (p *Plan) ParseAddr(field, s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, fieldErr(field, "%q is not an IP address; give a free address of %s, or leave it empty to get one", s, p.prefix)
	}
	if why := p.refusal(ip); why != "" {
		return netip.Addr{}, fieldErr(field, "%s; give another address of %s, or leave it empty to get one", why, p.prefix)
	}
	return ip, nil
}

// Next returns the lowest allocatable address greater than after in the
// order of netip.Addr.Compare, or false when there is none. The zero Addr
// sorts before every address, so Next(netip.Addr{}) is the first allocatable
// address. A zone on after is ignored. Next costs O(log r) for r reserved
// ranges, however many addresses they hold.
func (p *Plan) Next(after netip.Addr) (netip.Addr, bool) {
	c := p.first
	if after = after.WithZone(""); !after.Less(p.first) {
		c = after.Next() // invalid past the family's last address
	}
	// Ranges are merged and not adjacent: at most one jump is needed.
	for c.IsValid() && !p.last.Less(c) {
		r, ok := p.excludedRange(c)
		if !ok {
			return c, true
		}
		c = r.Last.Next()
	}
	return netip.Addr{}, false
}

// FirstFree returns the lowest allocatable address not in used, or false when
// every allocatable address is used. used may be in any order and may hold
// duplicates and addresses that are not allocatable; it is not modified.
// It is the slow path for when Next of the highest allocated address finds
// nothing: it finds an address released below it in O(n log n) for n used
// addresses, without enumerating the prefix.
func (p *Plan) FirstFree(used []netip.Addr) (netip.Addr, bool) {
	sorted := slices.Clone(used)
	slices.SortFunc(sorted, netip.Addr.Compare)
	c, ok := p.Next(netip.Addr{})
	for _, u := range sorted {
		if !ok {
			break
		}
		switch u.Compare(c) {
		case 0:
			c, ok = p.Next(c)
		case 1:
			return c, true
		}
	}
	return c, ok
}

// Size returns how many addresses are allocatable, saturating at
// math.MaxUint64 for IPv6 prefixes larger than that.
func (p *Plan) Size() uint64 {
	n := span(p.first, p.last)
	for _, r := range p.excluded {
		n = n.sub(span(r.First, r.Last))
	}
	if n.hi != 0 {
		return math.MaxUint64
	}
	return n.lo
}

// u128 is an unsigned 128-bit integer, enough to count IPv6 addresses.
type u128 struct{ hi, lo uint64 }

func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, borrow)
	return u128{hi, lo}
}

func (x u128) addOne() u128 {
	lo, carry := bits.Add64(x.lo, 1, 0)
	return u128{x.hi + carry, lo}
}

func toU128(a netip.Addr) u128 {
	b := a.As16()
	var x u128
	for i := range 8 {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x
}

// span counts the addresses of [first, last] of one family, first <= last.
// It cannot overflow: the first host address is never ::.
func span(first, last netip.Addr) u128 {
	return toU128(last).sub(toU128(first)).addOne()
}

// Overlaps reports whether a and b share any address. Prefixes of different
// families, and invalid prefixes, never overlap; host bits are ignored.
func Overlaps(a, b netip.Prefix) bool { return a.Overlaps(b) }
