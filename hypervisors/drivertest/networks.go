package drivertest

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testNetworks checks that EnsureNetwork is idempotent and RemoveNetwork
// refuses a network in use and accepts one that is gone.
func (s *suite) testNetworks(t *testing.T) {
	ctx := t.Context()
	n := s.ensureNetwork(t)
	expectErr(t, "EnsureNetwork of an ensured network", s.Host.EnsureNetwork(ctx, n), nil)
	vm := s.create(t, s.vmSpecOn(t, n))
	expectErr(t, "RemoveNetwork while a VM uses it", s.Host.RemoveNetwork(ctx, n.ID), hypervisors.ErrConflict)
	s.status(t, vm.ID)
	must(t, "DestroyVM", s.Host.DestroyVM(ctx, vm.ID))
	expectErr(t, "RemoveNetwork once unused", s.Host.RemoveNetwork(ctx, n.ID), nil)
	expectErr(t, "RemoveNetwork of a removed network", s.Host.RemoveNetwork(ctx, n.ID), nil)
	expectErr(t, "EnsureNetwork of a removed network", s.Host.EnsureNetwork(ctx, n), nil)
}
