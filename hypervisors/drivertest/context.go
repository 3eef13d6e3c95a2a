package drivertest

import (
	"context"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testCancelledContext checks that calls with a cancelled context fail with
// its error and change nothing.
func (s *suite) testCancelledContext(t *testing.T) {
	h := s.Host
	vm := s.createVM(t)
	newVM := s.vmSpec(t)
	vol := s.volumeSpec(false, gib)
	cleanup(t, "DeleteVolume "+vol.ID, func(ctx context.Context) error { return h.DeleteVolume(ctx, s.Pool, vol.ID) })
	n := networkSpec()
	cleanup(t, "RemoveNetwork "+n.ID, func(ctx context.Context) error { return h.RemoveNetwork(ctx, n.ID) })

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	runCalls(ctx, t, []call{
		{"Info", func(ctx context.Context) error { _, err := h.Info(ctx); return err }, context.Canceled, nil},
		{"Ping", h.Ping, context.Canceled, nil},
		{"ListVMs", func(ctx context.Context) error { _, err := h.ListVMs(ctx); return err }, context.Canceled, nil},
		{"EnsureNetwork", func(ctx context.Context) error { return h.EnsureNetwork(ctx, n) }, context.Canceled, nil},
		{"StartVM", func(ctx context.Context) error { return h.StartVM(ctx, vm.ID) }, context.Canceled, func(t *testing.T) {
			if st := s.status(t, vm.ID); st.Power != hypervisors.PowerStopped {
				t.Errorf("VM is %s after StartVM with a cancelled context, want it still stopped", st.Power)
			}
		}},
		{"CreateVM", func(ctx context.Context) error { _, err := h.CreateVM(ctx, newVM); return err }, context.Canceled, func(t *testing.T) {
			s.expectGone(t, newVM.ID)
		}},
		{"CreateVolume", func(ctx context.Context) error { _, err := h.CreateVolume(ctx, vol); return err }, context.Canceled, func(t *testing.T) {
			if _, listed := s.listedVolume(t, vol.ID); listed {
				t.Errorf("CreateVolume with a cancelled context created volume %s", vol.ID)
			}
		}},
	})
}
