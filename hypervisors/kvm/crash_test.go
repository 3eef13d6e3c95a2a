package kvm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/google/uuid"
	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// TestCrashDuringCreate kills a process in the middle of CreateVM, after
// each of its steps, and checks that the next call cleans up: a CreateVM
// retry succeeds (or, once the domain is defined, the VM is there and
// DestroyVM removes it), and after DestroyVM nothing of the VM is left on
// the host: no domain, no config drive, no DHCP reservation.
func TestCrashDuringCreate(t *testing.T) {
	s := newSystem(t, nil)
	ctx := t.Context()
	n := hypervisors.NetworkSpec{ID: uuid.NewString(), CIDR: netip.MustParsePrefix("198.18.9.0/24"), Gateway: netip.MustParseAddr("198.18.9.1")}
	mustDo(t, "EnsureNetwork", s.host.EnsureNetwork(ctx, n))
	t.Cleanup(func() { mustDo(t, "RemoveNetwork", s.host.RemoveNetwork(context.Background(), n.ID)) })
	vol, err := s.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &s.template})
	mustDo(t, "CreateVolume", err)
	t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, vol.ID)) })

	for _, step := range []string{kvm.StepConfigDrive, kvm.StepReservations, kvm.StepDefined} {
		t.Run(step, func(t *testing.T) {
			spec := hypervisors.VMSpec{
				ID:        uuid.NewString(),
				Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 128},
				Disks:     []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}},
				NICs:      []hypervisors.NIC{{NetworkID: n.ID, MAC: "02:00:00:00:09:05", Address: netip.MustParsePrefix("198.18.9.5/24")}},
			}
			t.Cleanup(func() { mustDo(t, "DestroyVM", s.host.DestroyVM(context.Background(), spec.ID)) })
			crashCreate(t, s, step, spec)
			if got := leftovers(t, s, n.ID, spec.ID); len(got) == 0 {
				t.Errorf("the helper left nothing behind after step %s: did it die there?", step)
			}
			_, err := s.host.CreateVM(ctx, spec)
			if step == kvm.StepDefined {
				if !errors.Is(err, hypervisors.ErrConflict) {
					t.Errorf("CreateVM after a crash once the domain was defined: %v, want ErrConflict", err)
				}
			} else {
				mustDo(t, "CreateVM after the crash", err)
			}
			mustDo(t, "DestroyVM", s.host.DestroyVM(ctx, spec.ID))
			if got := leftovers(t, s, n.ID, spec.ID); len(got) > 0 {
				t.Errorf("after DestroyVM the host still has %v", got)
			}
		})
	}
}

// crashCreate runs a helper process that creates spec and dies by SIGKILL
// after CreateVM's step.
func crashCreate(t *testing.T, s *system, step string, spec hypervisors.VMSpec) {
	t.Helper()
	doc, err := json.Marshal(spec)
	mustDo(t, "encoding the spec", err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashStep+"="+step, envCrashSpec+"="+string(doc), envCrashLogs+"="+s.logDir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() {
		t.Fatalf("the helper was not killed: %v\n%s", err, out)
	}
}

// leftovers lists what the host holds of VM vmID: its domain, its config
// drive on the fixture's pool, its reservations on network networkID.
func leftovers(t *testing.T, s *system, networkID, vmID string) []string {
	t.Helper()
	c := libvirtConn(t)
	var found []string
	if d, err := c.LookupDomainByUUIDString(vmID); err == nil {
		found = append(found, "domain")
		_ = d.Free()
	} else if !errors.Is(err, libvirt.ERR_NO_DOMAIN) {
		t.Fatal(err)
	}
	pool, err := c.LookupStoragePoolByName("cloudcore-pool-" + s.pool.ID)
	mustDo(t, "looking up the pool", err)
	defer func() { _ = pool.Free() }()
	mustDo(t, "refreshing the pool", pool.Refresh(0))
	if v, err := pool.LookupStorageVolByName("cloudcore-cidata-" + vmID + ".iso"); err == nil {
		found = append(found, "config drive")
		_ = v.Free()
	}
	net, err := c.LookupNetworkByName("cloudcore-net-" + networkID)
	mustDo(t, "looking up the network", err)
	defer func() { _ = net.Free() }()
	for _, flags := range []libvirt.NetworkXMLFlags{0, libvirt.NETWORK_XML_INACTIVE} {
		doc, err := net.GetXMLDesc(flags)
		mustDo(t, "reading the network", err)
		var def libvirtxml.Network
		mustDo(t, "parsing the network", def.Unmarshal(doc))
		for _, ip := range def.IPs {
			for _, h := range ipHosts(ip) {
				if strings.HasPrefix(h.Name, "cloudcore-"+vmID) {
					found = append(found, "reservation "+h.Name)
				}
			}
		}
	}
	return found
}

func ipHosts(ip libvirtxml.NetworkIP) []libvirtxml.NetworkDHCPHost {
	if ip.DHCP == nil {
		return nil
	}
	return ip.DHCP.Hosts
}
