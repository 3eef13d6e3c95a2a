package kvm_test

import (
	"context"
	"net/netip"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// linkDetails returns `ip -d link show dev name`, or "" when there is no
// such device.
func linkDetails(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("ip", "-d", "link", "show", "dev", name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// TestVLANSegmentation ensures a network with a VLAN ID on the real
// libvirtd with each segmentation and checks the devices it plugs into the
// VLAN's bridge, and that RemoveNetwork takes them away again.
func TestVLANSegmentation(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil {
		testenv.Missing(t, "kvm", "ip(8) is not on the PATH")
	}
	for _, tc := range []struct {
		name    string
		query   url.Values
		vlan    int
		uplink  string // the device that must join the bridge
		details string // what `ip -d link` must show of it
		stays   bool   // the uplink outlives the network
	}{
		{"vxlan", url.Values{"vlan_mode": {"vxlan"}, "vxlan_remote": {"127.0.0.1"}, "vxlan_port": {"4790"}}, 3001, "ccx3001", "vxlan id 3001", false},
		{"bridge with uplink", url.Values{"vlan_uplink": {"cctu%d"}}, 3002, "cctu3002", "veth", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.stays {
				run(t, "ip", "link", "add", tc.uplink, "type", "veth", "peer", "name", "cctp"+tc.uplink[4:])
				t.Cleanup(func() { run(t, "ip", "link", "del", tc.uplink) })
			}
			s := newSystem(t, tc.query)
			n := hypervisors.NetworkSpec{ID: uuid.NewString(), VLAN: tc.vlan, CIDR: netip.MustParsePrefix("198.18.3.0/24"), Gateway: netip.MustParseAddr("198.18.3.1")}
			t.Cleanup(func() { mustDo(t, "RemoveNetwork", s.host.RemoveNetwork(context.Background(), n.ID)) })
			for range 2 { // idempotent
				mustDo(t, "EnsureNetwork", s.host.EnsureNetwork(t.Context(), n))
			}
			bridge := "ccv" + strconv.Itoa(tc.vlan)
			got := linkDetails(t, tc.uplink)
			if !strings.Contains(got, tc.details) || !strings.Contains(got, "master "+bridge) {
				t.Errorf("ip -d link show %s:\n%s\nwant %q and master %s", tc.uplink, got, tc.details, bridge)
			}
			mustDo(t, "RemoveNetwork", s.host.RemoveNetwork(t.Context(), n.ID))
			if got := linkDetails(t, bridge); got != "" {
				t.Errorf("bridge %s outlives its network:\n%s", bridge, got)
			}
			if got := linkDetails(t, tc.uplink); (got != "") != tc.stays {
				t.Errorf("after RemoveNetwork, uplink %s: %q (want it kept: %v)", tc.uplink, got, tc.stays)
			}
		})
	}
}
