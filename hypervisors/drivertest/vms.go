package drivertest

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// gone stands for "the VM does not exist" where a power state is expected.
const gone hypervisors.PowerState = ""

// testVMLifecycle takes one VM through its power states, including the
// calls that must be idempotent, to its destruction.
func (s *suite) testVMLifecycle(t *testing.T) {
	id := s.createVM(t).ID
	start := func(ctx context.Context) error { return s.Host.StartVM(ctx, id) }
	stop := func(force bool) func(context.Context) error {
		return func(ctx context.Context) error { return s.Host.StopVM(ctx, id, force) }
	}
	reboot := func(ctx context.Context) error { return s.Host.RebootVM(ctx, id) }
	destroy := func(ctx context.Context) error { return s.Host.DestroyVM(ctx, id) }

	for _, step := range []struct {
		name string
		call func(context.Context) error
		want error
		then hypervisors.PowerState
	}{
		{"start", start, nil, hypervisors.PowerRunning},
		{"start when running", start, nil, hypervisors.PowerRunning},
		{"reboot", reboot, nil, hypervisors.PowerRunning},
		{"graceful stop", stop(false), nil, hypervisors.PowerStopped},
		{"graceful stop when stopped", stop(false), nil, hypervisors.PowerStopped},
		{"forced stop when stopped", stop(true), nil, hypervisors.PowerStopped},
		{"reboot when stopped", reboot, hypervisors.ErrConflict, hypervisors.PowerStopped},
		{"start again", start, nil, hypervisors.PowerRunning},
		{"forced stop", stop(true), nil, hypervisors.PowerStopped},
		{"start for destroy", start, nil, hypervisors.PowerRunning},
		{"destroy when running", destroy, nil, gone},
		{"destroy when gone", destroy, nil, gone},
		{"graceful stop when gone", stop(false), nil, gone},
		{"forced stop when gone", stop(true), nil, gone},
		{"start when gone", start, hypervisors.ErrNotFound, gone},
		{"reboot when gone", reboot, hypervisors.ErrNotFound, gone},
	} {
		ok := t.Run(step.name, func(t *testing.T) {
			expectErr(t, step.name, step.call(t.Context()), step.want)
			if step.then == gone {
				s.expectGone(t, id)
			} else if st := s.status(t, id); st.Power != step.then {
				t.Errorf("VM is %s after %s, want %s", st.Power, step.name, step.then)
			}
		})
		if !ok {
			break // later steps start from this one's state
		}
	}
}

// testVMReconfigure resizes a stopped VM, then a running one as HotResize says.
func (s *suite) testVMReconfigure(t *testing.T) {
	ctx := t.Context()
	id := s.createVM(t).ID

	stopped := hypervisors.Resources{CPUs: 2, MemoryMiB: 512}
	must(t, "ReconfigureVM of a stopped VM", s.Host.ReconfigureVM(ctx, id, stopped))
	if st := s.status(t, id); st.Resources != stopped || st.Power != hypervisors.PowerStopped {
		t.Errorf("after ReconfigureVM to %+v of a stopped VM, VMStatus = %+v", stopped, st)
	}

	s.startVM(t, id)
	running := hypervisors.Resources{CPUs: 4, MemoryMiB: 1024}
	err := s.Host.ReconfigureVM(ctx, id, running)
	want, wantErr := running, error(nil)
	if !s.Host.Capabilities().HotResize {
		want, wantErr = stopped, hypervisors.ErrConflict
	}
	expectErr(t, "ReconfigureVM of a running VM", err, wantErr)
	if st := s.status(t, id); st.Resources != want || st.Power != hypervisors.PowerRunning {
		t.Errorf("after ReconfigureVM to %+v of a running VM (HotResize %v), VMStatus = %+v, want running with %+v",
			running, s.Host.Capabilities().HotResize, st, want)
	}
}

// testVMCreateConflict checks that CreateVM with the ID of an existing VM
// fails with ErrConflict and leaves that VM alone.
func (s *suite) testVMCreateConflict(t *testing.T) {
	spec := s.createVM(t)
	s.startVM(t, spec.ID)
	dup := spec
	dup.Name += "-duplicate"
	dup.Resources = hypervisors.Resources{CPUs: 2, MemoryMiB: 512}
	_, err := s.Host.CreateVM(t.Context(), dup)
	expectErr(t, "CreateVM with the ID of an existing VM", err, hypervisors.ErrConflict)
	if st := s.status(t, spec.ID); st.Power != hypervisors.PowerRunning || st.Resources != spec.Resources {
		t.Errorf("after a conflicting CreateVM, the existing VM is %+v, want it running with %+v", st, spec.Resources)
	}
}

// testVMCreateCleanup makes CreateVM fail in several ways and checks that
// each time no VM is left, the volumes are, and a retry succeeds.
func (s *suite) testVMCreateCleanup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, spec *hypervisors.VMSpec)
		want  error // nil: any error
	}{
		{"second disk's volume missing", func(t *testing.T, spec *hypervisors.VMSpec) {
			spec.Disks = append(spec.Disks, hypervisors.Disk{VolumeID: uuid.NewString(), Pool: s.Pool})
		}, hypervisors.ErrNotFound},
		{"second NIC's network not ensured", func(t *testing.T, spec *hypervisors.VMSpec) {
			spec.NICs = append(spec.NICs, nicOn(networkSpec(), 11))
		}, hypervisors.ErrNotFound},
		{"injected failure", func(t *testing.T, _ *hypervisors.VMSpec) {
			if s.FailNextCreateVM == nil {
				t.Skip("the harness cannot inject a CreateVM failure (Harness.FailNextCreateVM is nil)")
			}
			s.FailNextCreateVM(t)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := s.vmSpec(t)
			spoilt := spec
			spoilt.Disks = slices.Clone(spec.Disks)
			spoilt.NICs = slices.Clone(spec.NICs)
			tc.spoil(t, &spoilt)
			_, err := s.Host.CreateVM(t.Context(), spoilt)
			if err == nil {
				t.Fatal("CreateVM succeeded, want it to fail")
			}
			if tc.want != nil {
				expectErr(t, "CreateVM", err, tc.want)
			}
			s.expectGone(t, spec.ID)
			s.expectListedSize(t, spec.Disks[0].VolumeID, 1)
			s.create(t, spec)
		})
	}
}

// testListVMs checks that ListVMs reports a VM as VMStatus does and leaves
// out a destroyed one.
func (s *suite) testListVMs(t *testing.T) {
	kept, destroyed := s.createVM(t), s.createVM(t)
	s.startVM(t, kept.ID)
	must(t, "DestroyVM of a stopped VM", s.Host.DestroyVM(t.Context(), destroyed.ID))
	want := s.status(t, kept.ID)
	if got, listed := s.listedVM(t, kept.ID); !listed || got != want {
		t.Errorf("ListVMs reports %+v (listed: %v), want %+v as VMStatus does", got, listed, want)
	}
	s.expectGone(t, destroyed.ID)
}
