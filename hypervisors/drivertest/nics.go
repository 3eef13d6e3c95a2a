package drivertest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testNICHotplug checks that Capabilities().NICHotplug agrees with the
// NICHotplugger interface and, when the host has the capability, attaches
// a NIC on a second network to a stopped and to a running VM (made from
// GuestTemplate when set) and detaches it again. ListVMs and VMStatus do
// not report NICs, so the suite observes them through RemoveNetwork, which
// refuses a network while a NIC is on it.
func (s *suite) testNICHotplug(t *testing.T) {
	caps := s.Host.Capabilities()
	hp, implements := s.Host.(hypervisors.NICHotplugger)
	switch {
	case caps.NICHotplug && !implements:
		t.Fatal("Capabilities().NICHotplug is true but the host does not implement hypervisors.NICHotplugger")
	case !caps.NICHotplug && implements:
		t.Skip("the host implements hypervisors.NICHotplugger but Capabilities().NICHotplug is false")
	case !caps.NICHotplug:
		t.Skip("the host has no NIC hot-plug (Capabilities().NICHotplug is false)")
	}
	// Ensured before the VMs, so that it is removed after they are destroyed.
	extra := s.ensureNetwork(t)

	for _, tc := range []struct {
		name  string
		power hypervisors.PowerState
	}{
		{"stopped VM", hypervisors.PowerStopped},
		{"running VM", hypervisors.PowerRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			tpl := s.Template
			if tc.power == hypervisors.PowerRunning && s.GuestTemplate != nil {
				tpl = *s.GuestTemplate
			}
			vm := s.create(t, s.vmSpecFrom(t, s.ensureNetwork(t), tpl))
			if tc.power == hypervisors.PowerRunning {
				s.startVM(t, vm.ID)
			}
			expectPower := func(after string) {
				t.Helper()
				if st := s.status(t, vm.ID); st.Power != tc.power || st.Resources != vm.Resources {
					t.Errorf("after %s, VMStatus = %+v, want it %s with %+v", after, st, tc.power, vm.Resources)
				}
			}
			nic := nicOn(extra, 20)
			must(t, "AttachNIC", hp.AttachNIC(ctx, vm.ID, nic))
			expectPower("AttachNIC")
			expectErr(t, "RemoveNetwork while an attached NIC is on it", s.Host.RemoveNetwork(ctx, extra.ID), hypervisors.ErrConflict)

			dup := nicOn(extra, 21)
			dup.MAC = nic.MAC
			expectErr(t, "AttachNIC with the MAC of an attached NIC", hp.AttachNIC(ctx, vm.ID, dup), hypervisors.ErrConflict)
			dup.MAC = vm.NICs[0].MAC
			expectErr(t, "AttachNIC with the MAC of a NIC the VM was created with", hp.AttachNIC(ctx, vm.ID, dup), hypervisors.ErrConflict)

			must(t, "DetachNIC", hp.DetachNIC(ctx, vm.ID, nic.MAC))
			expectErr(t, "DetachNIC of a detached NIC", hp.DetachNIC(ctx, vm.ID, nic.MAC), nil)
			expectPower("DetachNIC")
			expectErr(t, "RemoveNetwork once its NIC is detached", s.Host.RemoveNetwork(ctx, extra.ID), nil)
			expectErr(t, "RemoveNetwork of the network of a NIC the VM was created with", s.Host.RemoveNetwork(ctx, vm.NICs[0].NetworkID), hypervisors.ErrConflict)
			must(t, "EnsureNetwork of the removed network", s.Host.EnsureNetwork(ctx, extra))
		})
	}

	t.Run("missing objects", func(t *testing.T) {
		ctx := t.Context()
		missing := uuid.NewString()
		expectErr(t, "AttachNIC to a missing VM", hp.AttachNIC(ctx, missing, nicOn(extra, 22)), hypervisors.ErrNotFound)
		expectErr(t, "DetachNIC from a missing VM", hp.DetachNIC(ctx, missing, nicOn(extra, 22).MAC), hypervisors.ErrNotFound)
		vm := s.createVM(t)
		expectErr(t, "AttachNIC on a network not ensured", hp.AttachNIC(ctx, vm.ID, nicOn(networkSpec(), 23)), hypervisors.ErrNotFound)
	})
}
