package storetest

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var nicTests = []test{
	{"InsertListDelete", testNICs},
	{"MaxIP", testMaxIP},
	{"InsertConflicts", testNICConflicts},
	{"ConcurrentSameIPOneWinner", testConcurrentIP},
	{"ConcurrentSameMACOneWinner", testConcurrentMAC},
	{"L2WithoutAddresses", testL2NICs},
}

// testL2NICs: NICs on an L2 network have MACs but no addresses; any number
// of them fit on one network, MACs stay unique, and MaxIP ignores them.
func testL2NICs(t *testing.T, s store.Store) {
	l2 := func(id string, i int) store.NIC {
		return store.NIC{ID: id, InstanceID: "inst-" + id, NetworkID: "net-l2", ZoneID: "zone-1", MAC: mac(i)}
	}
	insertNICs(t, s, l2("l2-a", 1), l2("l2-b", 2))
	got := get(t, s, func(tx store.Tx) ([]store.NIC, error) { return tx.ListNICs(t.Context(), "", "net-l2") })
	if len(got) != 2 || got[0].IP.IsValid() || got[1].IP.IsValid() {
		t.Fatalf("L2 NICs = %+v; want two without addresses", got)
	}
	found := get(t, s, func(tx store.Tx) (bool, error) {
		_, ok, err := tx.MaxIP(t.Context(), "net-l2")
		return ok, err
	})
	if found {
		t.Fatal("MaxIP found an address on an L2 network")
	}
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertNIC(t.Context(), l2("l2-c", 2)) })
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Constraint != "mac" {
		t.Fatalf("a second L2 NIC with a taken MAC: %v; want a mac conflict", err)
	}
}

func nic(id, instance, network, zone string, index int, ip, mac string) store.NIC {
	return store.NIC{ID: id, InstanceID: instance, NetworkID: network, ZoneID: zone, Index: index, IP: netip.MustParseAddr(ip), MAC: mac}
}

func mac(i int) string { return fmt.Sprintf("02:00:00:00:%02x:%02x", i/256, i%256) }

func insertNICs(t *testing.T, s store.Store, nics ...store.NIC) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, n := range nics {
			if err := tx.InsertNIC(t.Context(), n); err != nil {
				return err
			}
		}
		return nil
	})
}

func testNICs(t *testing.T, s store.Store) {
	a1 := nic("nic-a1", "inst-a", "net-1", "zone-1", 1, "10.0.0.10", mac(1))
	a0 := nic("nic-a0", "inst-a", "net-2", "zone-1", 0, "10.0.1.5", mac(2))
	b0 := nic("nic-b0", "inst-b", "net-1", "zone-1", 0, "10.0.0.9", mac(3))
	a2 := nic("nic-a2", "inst-a", "net-1", "zone-1", 2, "10.0.0.200", mac(4))
	insertNICs(t, s, a1, a0, b0, a2)
	list := func(instance, network string) []store.NIC {
		return get(t, s, func(tx store.Tx) ([]store.NIC, error) { return tx.ListNICs(t.Context(), instance, network) })
	}
	for _, tc := range []struct {
		name              string
		instance, network string
		want              []store.NIC
	}{
		{"of an instance, by device index", "inst-a", "", []store.NIC{a0, a1, a2}},
		{"of a network, by address", "", "net-1", []store.NIC{b0, a1, a2}},
		{"of an instance on a network", "inst-a", "net-1", []store.NIC{a1, a2}},
		{"of an instance without NICs", "inst-c", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := list(tc.instance, tc.network)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ListNICs(%q, %q) = %v, want %v", tc.instance, tc.network, got, tc.want)
			}
			for _, n := range got {
				if !n.IP.Is4() {
					t.Fatalf("IPv4 address read back as %v", n.IP)
				}
			}
		})
	}
	wantIs(t, s.View(t.Context(), func(tx store.Tx) error {
		_, err := tx.ListNICs(t.Context(), "", "")
		return err
	}), hypervisors.ErrInvalid)

	update(t, s, func(tx store.Tx) error { return tx.DeleteNICs(t.Context(), "inst-a") })
	if got := list("inst-a", ""); len(got) != 0 {
		t.Fatalf("after DeleteNICs: %v", got)
	}
	if got := list("", "net-1"); !slices.Equal(got, []store.NIC{b0}) {
		t.Fatalf("net-1 after DeleteNICs of inst-a: %v, want only %v", got, b0)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteNICs(t.Context(), "inst-none") }) // nothing to delete is fine
	// The addresses and MACs are free again.
	insertNICs(t, s, nic("nic-c", "inst-c", "net-1", "zone-1", 0, "10.0.0.10", mac(1)))
}

func testMaxIP(t *testing.T, s store.Store) {
	for _, tc := range []struct {
		name string
		ips  []string
		want string // "" for none
	}{
		{"none", nil, ""},
		{"numeric, not textual, order", []string{"10.0.0.9", "10.0.0.10", "10.0.0.100", "10.0.0.2"}, "10.0.0.100"},
		{"across octets", []string{"10.0.0.255", "10.0.1.0", "9.255.255.255"}, "10.0.1.0"},
		{"high bit set", []string{"127.255.255.255", "192.168.0.1", "128.0.0.0"}, "192.168.0.1"},
		{"IPv6", []string{"fd00::9", "fd00::a", "fd00::1:0", "fd00::ffff"}, "fd00::1:0"},
		{"IPv6 beside mapped IPv4 range", []string{"::ffff:0:1", "fd00::1"}, "fd00::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			network := "net-" + tc.name
			var nics []store.NIC
			for i, ip := range tc.ips {
				nics = append(nics, nic(fmt.Sprintf("%s-%d", network, i), "inst-1", network, network, i, ip, mac(i)))
			}
			insertNICs(t, s, nics...)
			type result struct {
				ip netip.Addr
				ok bool
			}
			got := get(t, s, func(tx store.Tx) (result, error) {
				ip, ok, err := tx.MaxIP(t.Context(), network)
				return result{ip, ok}, err
			})
			switch {
			case tc.want == "" && got.ok:
				t.Fatalf("MaxIP = %v, want none", got.ip)
			case tc.want != "" && (!got.ok || got.ip != netip.MustParseAddr(tc.want)):
				t.Fatalf("MaxIP = %v (%v), want %s", got.ip, got.ok, tc.want)
			}
		})
	}
}

func testNICConflicts(t *testing.T, s store.Store) {
	insertNICs(t, s, nic("nic-1", "inst-1", "net-1", "zone-1", 0, "10.0.0.2", mac(1)))
	invalid := nic("nic-x", "inst-2", "net-1", "zone-1", 0, "10.0.0.9", mac(9))
	invalid.IP = netip.Addr{}
	zoned := nic("nic-z", "inst-2", "net-1", "zone-1", 0, "fe80::1%eth0", mac(10))
	for _, tc := range []struct {
		name       string
		nic        store.NIC
		constraint string
		invalid    bool
	}{
		{"same id", nic("nic-1", "inst-2", "net-2", "zone-2", 0, "10.0.0.3", mac(2)), "id", false},
		{"same ip on the network", nic("nic-2", "inst-2", "net-1", "zone-1", 0, "10.0.0.2", mac(3)), "ip", false},
		{"same mac in the zone", nic("nic-3", "inst-2", "net-1", "zone-1", 0, "10.0.0.4", mac(1)), "mac", false},
		{"same ip on another network", nic("nic-4", "inst-2", "net-2", "zone-1", 0, "10.0.0.2", mac(5)), "", false},
		{"same mac in another zone", nic("nic-5", "inst-2", "net-3", "zone-2", 0, "10.0.0.5", mac(1)), "", false},
		{"address with zone", zoned, "", true},
		{"no id", nic("", "inst-2", "net-1", "zone-1", 0, "10.0.0.6", mac(6)), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var insErr error
			next := nic("next-"+tc.name, "inst-9", "net-9", "zone-9", 0, "10.9.0.1", "02:99:"+tc.name)
			update(t, s, func(tx store.Tx) error {
				insErr = tx.InsertNIC(t.Context(), tc.nic)
				// The transaction stays usable: the engine tries the next address.
				return tx.InsertNIC(t.Context(), next)
			})
			switch {
			case tc.invalid:
				wantIs(t, insErr, hypervisors.ErrInvalid)
			case tc.constraint != "":
				wantConflict(t, insErr, tc.constraint)
			case insErr != nil:
				t.Fatalf("InsertNIC: %v", insErr)
			}
			update(t, s, func(tx store.Tx) error { return tx.DeleteNICs(t.Context(), "inst-9") })
		})
	}
	got := get(t, s, func(tx store.Tx) ([]store.NIC, error) { return tx.ListNICs(t.Context(), "inst-1", "") })
	if len(got) != 1 || got[0] != nic("nic-1", "inst-1", "net-1", "zone-1", 0, "10.0.0.2", mac(1)) {
		t.Fatalf("the first NIC changed: %v", got)
	}
}

func raceNICs(t *testing.T, s store.Store, constraint string, nicOf func(i int) store.NIC) {
	const writers = 16
	errs := parallel(writers, func(i int) error {
		return s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertNIC(t.Context(), nicOf(i)) })
	})
	got := outcomes(t, errs, func(err error) string {
		var ce *store.ConflictError
		if errors.As(err, &ce) && ce.Constraint == constraint {
			return constraint
		}
		return ""
	})
	if got["ok"] != 1 || got[constraint] != writers-1 {
		t.Fatalf("outcomes %v, want one ok and %d %s conflicts", got, writers-1, constraint)
	}
}

func testConcurrentIP(t *testing.T, s store.Store) {
	raceNICs(t, s, "ip", func(i int) store.NIC {
		return nic(id("nic", i), id("inst", i), "net-1", "zone-1", 0, "10.0.0.2", mac(i))
	})
}

func testConcurrentMAC(t *testing.T, s store.Store) {
	raceNICs(t, s, "mac", func(i int) store.NIC {
		return nic(id("nic", i), id("inst", i), "net-1", "zone-1", 0, fmt.Sprintf("10.0.0.%d", 10+i), mac(1))
	})
}
