package drivertest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// call is one host call under test.
type call struct {
	name  string
	do    func(context.Context) error
	want  error              // nil: success
	after func(t *testing.T) // when set, checks the state the call left
}

// runCalls makes each call with ctx as a subtest and checks its outcome.
func runCalls(ctx context.Context, t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			expectErr(t, c.name, c.do(ctx), c.want)
			if c.after != nil {
				c.after(t)
			}
		})
	}
}

// testMissingObjects calls every operation on objects that do not exist:
// ErrNotFound, or success for the idempotent removals.
func (s *suite) testMissingObjects(t *testing.T) {
	h := s.Host
	vm := s.createVM(t).ID // exists, without snapshots
	missing := uuid.NewString()
	calls := []call{
		{"VMStatus", func(ctx context.Context) error { _, err := h.VMStatus(ctx, missing); return err }, hypervisors.ErrNotFound, nil},
		{"StartVM", func(ctx context.Context) error { return h.StartVM(ctx, missing) }, hypervisors.ErrNotFound, nil},
		{"RebootVM", func(ctx context.Context) error { return h.RebootVM(ctx, missing) }, hypervisors.ErrNotFound, nil},
		{"ReconfigureVM", func(ctx context.Context) error { return h.ReconfigureVM(ctx, missing, testResources) }, hypervisors.ErrNotFound, nil},
		{"ListSnapshots", func(ctx context.Context) error { _, err := h.ListSnapshots(ctx, missing); return err }, hypervisors.ErrNotFound, nil},
		{"RevertSnapshot of a missing VM", func(ctx context.Context) error { return h.RevertSnapshot(ctx, missing, missing) }, hypervisors.ErrNotFound, nil},
		{"RevertSnapshot to a missing snapshot", func(ctx context.Context) error { return h.RevertSnapshot(ctx, vm, missing) }, hypervisors.ErrNotFound, nil},
		{"ResizeVolume", func(ctx context.Context) error { return h.ResizeVolume(ctx, s.Pool, missing, gib) }, hypervisors.ErrNotFound, nil},
		{"StopVM", func(ctx context.Context) error { return h.StopVM(ctx, missing, false) }, nil, nil},
		{"StopVM forced", func(ctx context.Context) error { return h.StopVM(ctx, missing, true) }, nil, nil},
		{"DestroyVM", func(ctx context.Context) error { return h.DestroyVM(ctx, missing) }, nil, nil},
		{"DeleteSnapshot of a missing VM", func(ctx context.Context) error { return h.DeleteSnapshot(ctx, missing, missing) }, nil, nil},
		{"DeleteSnapshot of a missing snapshot", func(ctx context.Context) error { return h.DeleteSnapshot(ctx, vm, missing) }, nil, nil},
		{"DeleteVolume", func(ctx context.Context) error { return h.DeleteVolume(ctx, s.Pool, missing) }, nil, nil},
		{"RemoveNetwork", func(ctx context.Context) error { return h.RemoveNetwork(ctx, missing) }, nil, nil},
	}
	if h.Capabilities().DiskSnapshots {
		calls = append(calls, call{"CreateSnapshot of a missing VM", func(ctx context.Context) error {
			_, err := h.CreateSnapshot(ctx, missing, hypervisors.SnapshotSpec{ID: uuid.NewString()})
			return err
		}, hypervisors.ErrNotFound, nil})
	}
	runCalls(t.Context(), t, calls)
}

// testInvalidRequests checks that malformed requests fail with ErrInvalid
// and create nothing.
func (s *suite) testInvalidRequests(t *testing.T) {
	h := s.Host
	vm := s.createVM(t)
	createVM := func(name string, spoil func(*hypervisors.VMSpec)) call {
		spec := s.vmSpec(t)
		id := spec.ID
		spoil(&spec)
		return call{
			name:  name,
			do:    func(ctx context.Context) error { _, err := h.CreateVM(ctx, spec); return err },
			want:  hypervisors.ErrInvalid,
			after: func(t *testing.T) { s.expectGone(t, id) },
		}
	}
	createVolume := func(name string, v hypervisors.VolumeSpec) call {
		return call{
			name: name,
			do:   func(ctx context.Context) error { _, err := h.CreateVolume(ctx, v); return err },
			want: hypervisors.ErrInvalid,
			after: func(t *testing.T) {
				if _, listed := s.listedVolume(t, v.ID); listed {
					t.Errorf("ListVolumes lists volume %s", v.ID)
				}
			},
		}
	}
	runCalls(t.Context(), t, []call{
		createVM("CreateVM without ID", func(v *hypervisors.VMSpec) { v.ID = "" }),
		createVM("CreateVM without CPUs", func(v *hypervisors.VMSpec) { v.CPUs = 0 }),
		createVM("CreateVM without memory", func(v *hypervisors.VMSpec) { v.MemoryMiB = 0 }),
		{name: "ReconfigureVM to no CPUs", do: func(ctx context.Context) error {
			return h.ReconfigureVM(ctx, vm.ID, hypervisors.Resources{MemoryMiB: vm.MemoryMiB})
		}, want: hypervisors.ErrInvalid, after: func(t *testing.T) {
			if st := s.status(t, vm.ID); st.Resources != vm.Resources {
				t.Errorf("VM has %+v after a refused ReconfigureVM, want %+v", st.Resources, vm.Resources)
			}
		}},
		createVolume("CreateVolume empty without size", s.volumeSpec(false, 0)),
		createVolume("CreateVolume of negative size", s.volumeSpec(false, -gib)),
	})
}
