package kvm_test

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// reservationsOn lists the DHCP reservations of VM vmID on network
// networkID, live and persistent, as "name mac ip".
func reservationsOn(t *testing.T, s *system, networkID, vmID string) []string {
	t.Helper()
	var found []string
	for _, what := range leftovers(t, s, networkID, vmID) {
		if strings.HasPrefix(what, "reservation ") {
			found = append(found, what)
		}
	}
	return found
}

// TestNICHotplugNeedsACooperatingGuest attaches a NIC to a running guest
// without an operating system: the attach works (with a DHCP reservation
// for the NIC's address), but the guest never releases the NIC, so
// DetachNIC fails with ErrConflict after nic_detach_timeout and leaves the
// NIC and its reservation in place. Once the VM is off, DetachNIC removes
// both. An AttachNIC that fails after the reservation removes it again.
func TestNICHotplugNeedsACooperatingGuest(t *testing.T) {
	s := newSystem(t, url.Values{"nic_detach_timeout": {"1s"}})
	ctx := t.Context()
	nets := make([]hypervisors.NetworkSpec, 2)
	for i := range nets {
		nets[i] = hypervisors.NetworkSpec{ID: uuid.NewString(), CIDR: netip.MustParsePrefix("198.18.6.0/24"), Gateway: netip.MustParseAddr("198.18.6.1")}
		mustDo(t, "EnsureNetwork", s.host.EnsureNetwork(ctx, nets[i]))
		t.Cleanup(func() { mustDo(t, "RemoveNetwork", s.host.RemoveNetwork(context.Background(), nets[i].ID)) })
	}
	vol, err := s.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &s.template})
	mustDo(t, "CreateVolume", err)
	t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, vol.ID)) })
	spec := hypervisors.VMSpec{
		ID: uuid.NewString(), Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 64},
		Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}},
		NICs:  []hypervisors.NIC{{NetworkID: nets[0].ID, MAC: "02:00:00:00:06:0a", Address: netip.MustParsePrefix("198.18.6.10/24")}},
	}
	t.Cleanup(func() { mustDo(t, "DestroyVM", s.host.DestroyVM(context.Background(), spec.ID)) })
	_, err = s.host.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	mustDo(t, "StartVM", s.host.StartVM(ctx, spec.ID))
	hp := s.host.(hypervisors.NICHotplugger)

	nic := hypervisors.NIC{NetworkID: nets[1].ID, MAC: "02:00:00:00:06:0b", Address: netip.MustParsePrefix("198.18.6.11/24")}
	kvm.SetStepHook(s.host, func(step string) error {
		if step == kvm.StepNICReserved {
			return errInjected
		}
		return nil
	})
	err = hp.AttachNIC(ctx, spec.ID, nic)
	kvm.SetStepHook(s.host, nil)
	if !errors.Is(err, errInjected) {
		t.Fatalf("AttachNIC broken after its reservation: %v, want the injected failure", err)
	}
	if got := reservationsOn(t, s, nets[1].ID, spec.ID); len(got) > 0 {
		t.Errorf("after a failed AttachNIC the network keeps %v", got)
	}

	mustDo(t, "AttachNIC", hp.AttachNIC(ctx, spec.ID, nic))
	want := "reservation cloudcore-" + spec.ID + "-nic0"
	if got := reservationsOn(t, s, nets[1].ID, spec.ID); len(got) != 2 || got[0] != want || got[1] != want {
		t.Errorf("after AttachNIC the live and persistent reservations are %v, want %q twice", got, want)
	}

	err = hp.DetachNIC(ctx, spec.ID, nic.MAC)
	if !errors.Is(err, hypervisors.ErrConflict) || !strings.Contains(err.Error(), "did not release NIC "+nic.MAC) {
		t.Fatalf("DetachNIC from a guest without an OS: %v, want ErrConflict saying the guest did not release the NIC", err)
	}
	if err := s.host.RemoveNetwork(ctx, nets[1].ID); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("RemoveNetwork of the NIC's network after the failed DetachNIC: %v, want ErrConflict", err)
	}
	if got := reservationsOn(t, s, nets[1].ID, spec.ID); len(got) != 2 {
		t.Errorf("after the failed DetachNIC the reservations are %v, want them kept", got)
	}

	mustDo(t, "StopVM", s.host.StopVM(ctx, spec.ID, true))
	mustDo(t, "DetachNIC from the stopped VM", hp.DetachNIC(ctx, spec.ID, nic.MAC))
	if got := reservationsOn(t, s, nets[1].ID, spec.ID); len(got) > 0 {
		t.Errorf("after DetachNIC the network keeps %v", got)
	}
	mustDo(t, "RemoveNetwork once the NIC is gone", s.host.RemoveNetwork(ctx, nets[1].ID))
	if got := reservationsOn(t, s, nets[0].ID, spec.ID); !slices.Contains(got, "reservation cloudcore-"+spec.ID+"-nic0") {
		t.Errorf("the VM's own NIC lost its reservation: %v", got)
	}
}
