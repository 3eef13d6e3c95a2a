package vmware

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	sessions "github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// failNext makes the next call of method on the simulator fail with a
// fault of type kind.
func (s *sim) failNext(method string, kind simulator.FaultType) {
	s.model.Service.AddFaultRule(&simulator.FaultInjectionRule{
		MethodName: method, ObjectType: "*", ObjectName: "*",
		FaultType: kind, Message: injectedFailure,
		Probability: 1, MaxCount: 1, Enabled: true,
	})
}

// injected reports how many faults the simulator injected.
func (s *sim) injected() int64 {
	n, _ := s.model.Service.GetFaultStats()["total_injections"].(int64)
	return n
}

// TestCreateVMFailingMidway makes CreateVM fail after vSphere has begun to
// make the VM, and checks that nothing of it is left while its volume is.
func TestCreateVMFailingMidway(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(*sim)
	}{
		// The creation task's own call fails: vSphere makes nothing.
		{"create task refused", func(s *sim) { s.failNext("CreateVM_Task", simulator.FaultTypeInsufficientResourcesFault) }},
		// The connection fails while the task runs, and the task goes on
		// to make the VM: the driver waits for it and removes the VM.
		{"connection lost while the task runs", func(s *sim) { s.failNextCreateVM(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newESX(t)
			h := s.connect(t)
			spec := s.vmSpec(t, h)
			before, err := h.ListVolumes(t.Context(), s.pool())
			must(t, "ListVolumes", err)

			tc.inject(s)
			_, err = h.CreateVM(t.Context(), spec)
			if err == nil || !strings.Contains(err.Error(), injectedFailure) {
				t.Fatalf("CreateVM = %v, want the injected failure", err)
			}
			if s.injected() != 1 {
				t.Fatalf("the simulator injected %d faults, want 1", s.injected())
			}
			if s.vmExists(t, vmName(spec.ID)) || s.exists(t, "["+simDatastore+"] "+vmName(spec.ID)) {
				t.Errorf("VM %s or its folder is left after the failed CreateVM", vmName(spec.ID))
			}
			after, err := h.ListVolumes(t.Context(), s.pool())
			must(t, "ListVolumes", err)
			if len(after) != len(before) || !s.exists(t, volumePath(simDatastore, spec.Disks[0].VolumeID)) {
				t.Errorf("volumes were %+v before the failed CreateVM and are %+v after, want them kept", before, after)
			}
			_, err = h.CreateVM(t.Context(), spec)
			must(t, "CreateVM again", err)
		})
	}
}

// TestCreateVolumeFailingMidway makes the last step of CreateVolume fail
// and checks that it leaves no disk, VM or folder behind: the copy (ESXi)
// or the clone (vCenter) made before is removed.
func TestCreateVolumeFailingMidway(t *testing.T) {
	for _, tc := range []struct {
		name     string
		start    func(testing.TB) *sim
		template string
		size     int64
		fail     string
	}{
		{"ESX disk copy, then growing it fails", newESX, templateDisk, 2 * templateCapacity, "ExtendVirtualDisk_Task"},
		{"VPX clone, then moving its disk fails", newVPX, vmTemplatePrefix + templateVMName, 0, "MoveVirtualDisk_Task"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			h := s.connect(t)
			s.failNext(tc.fail, simulator.FaultTypeGeneric)
			v := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool(), SizeBytes: tc.size,
				Template: &hypervisors.TemplateRef{ID: "tiny", URL: tc.template}}
			_, err := h.CreateVolume(t.Context(), v)
			if err == nil || !strings.Contains(err.Error(), injectedFailure) {
				t.Fatalf("CreateVolume = %v, want the injected failure", err)
			}
			vols, err := h.ListVolumes(t.Context(), s.pool())
			must(t, "ListVolumes", err)
			if len(vols) != 0 || s.exists(t, volumePath(simDatastore, v.ID)) {
				t.Errorf("after the failed CreateVolume the pool has %+v, want no volume", vols)
			}
			clone := cloneNamePrefix + v.ID
			if s.vmExists(t, clone) || s.exists(t, "["+simDatastore+"] "+clone) {
				t.Errorf("the clone %s or its folder is left", clone)
			}
			_, err = h.CreateVolume(t.Context(), v)
			must(t, "CreateVolume again", err)
		})
	}
}

// TestSessionReestablished checks that a session that ends is logged in
// again and the call goes through: terminated by the server before a
// call, or reported as not authenticated while a task is waited for.
func TestSessionReestablished(t *testing.T) {
	s := newESX(t)
	h := s.connect(t)
	spec := s.vmSpec(t, h)
	_, err := h.CreateVM(t.Context(), spec)
	must(t, "CreateVM", err)

	t.Run("terminated", func(t *testing.T) {
		ctx := t.Context()
		us, err := sessions.NewManager(h.s.vim).UserSession(ctx)
		must(t, "UserSession", err)
		must(t, "TerminateSession", sessions.NewManager(s.admin.Client).TerminateSession(ctx, []string{us.Key}))
		logins := h.s.logins.Load()
		must(t, "StartVM after the session was terminated", h.StartVM(ctx, spec.ID))
		if h.s.logins.Load() != logins+1 {
			t.Errorf("the driver logged in %d times, want once", h.s.logins.Load()-logins)
		}
	})
	t.Run("not authenticated while waiting for a task", func(t *testing.T) {
		ctx := t.Context()
		logins := h.s.logins.Load()
		s.failNext("WaitForUpdatesEx", simulator.FaultTypeNotAuthenticated)
		must(t, "StopVM", h.StopVM(ctx, spec.ID, true))
		if h.s.logins.Load() != logins+1 || s.injected() != 1 {
			t.Errorf("the driver logged in %d times after %d injected faults, want once after one", h.s.logins.Load()-logins, s.injected())
		}
		st, err := h.VMStatus(ctx, spec.ID)
		must(t, "VMStatus", err)
		if st.Power != hypervisors.PowerStopped {
			t.Errorf("VM is %s after StopVM, want stopped", st.Power)
		}
	})
}

// TestSlowTaskHonoursDeadline delays the simulator's tasks beyond the
// caller's deadline: the call returns at the deadline with an error
// wrapping context.DeadlineExceeded, and a CreateVM cut short this way
// removes its VM once the task has made it.
func TestSlowTaskHonoursDeadline(t *testing.T) {
	const delay = time.Second
	s := newESX(t)
	h := s.connect(t)
	spec := s.vmSpec(t, h)
	// TaskDelay is the simulator's package-wide task delay: this test does
	// not run in parallel with others and waits for its delayed task to end
	// before it restores it.
	delayTask := func(t *testing.T, name string) {
		simulator.TaskDelay.MethodDelay = map[string]int{name: int(delay.Milliseconds())}
		t.Cleanup(func() { simulator.TaskDelay.MethodDelay = nil })
	}
	deadline := func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	returnsAtDeadline := func(t *testing.T, what string, call func(context.Context) error) {
		t.Helper()
		start := time.Now()
		err := call(deadline(t))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s = %v, want an error wrapping context.DeadlineExceeded", what, err)
		}
		if took := time.Since(start); took >= delay {
			t.Errorf("%s took %v, longer than the task delay (%v): it did not stop at the deadline", what, took, delay)
		}
	}

	t.Run("CreateVM", func(t *testing.T) {
		delayTask(t, "CreateVm")
		returnsAtDeadline(t, "CreateVM", func(ctx context.Context) error { _, err := h.CreateVM(ctx, spec); return err })
		h.cleanups.Wait() // Close does so too
		if s.vmExists(t, vmName(spec.ID)) {
			t.Errorf("VM %s is left after the CreateVM that ran out of time", vmName(spec.ID))
		}
	})
	t.Run("StartVM", func(t *testing.T) {
		ctx := t.Context()
		_, err := h.CreateVM(ctx, spec)
		must(t, "CreateVM", err)
		delayTask(t, "PowerOn")
		returnsAtDeadline(t, "StartVM", func(ctx context.Context) error { return h.StartVM(ctx, spec.ID) })
		for { // the power-on task goes on; wait for it before the delay is reset
			st, err := h.VMStatus(ctx, spec.ID)
			must(t, "VMStatus", err)
			if st.Power == hypervisors.PowerRunning {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestFaultsMapToErrors checks the mapping of vSphere faults to the errors
// of package hypervisors.
func TestFaultsMapToErrors(t *testing.T) {
	for _, tc := range []struct {
		fault types.BaseMethodFault
		want  error
	}{
		{&types.InvalidPowerState{}, hypervisors.ErrConflict},
		{&types.ResourceInUse{}, hypervisors.ErrConflict},
		{&types.DuplicateName{}, hypervisors.ErrConflict},
		{&types.FileAlreadyExists{}, hypervisors.ErrConflict},
		{&types.ManagedObjectNotFound{}, hypervisors.ErrNotFound},
		{&types.NotFound{}, hypervisors.ErrNotFound},
		{&types.FileNotFound{}, hypervisors.ErrNotFound},
		{&types.InvalidArgument{}, hypervisors.ErrInvalid},
		{&types.InvalidDatastorePath{}, hypervisors.ErrInvalid},
		{&types.InvalidLogin{}, hypervisors.ErrInvalid},
		{&types.InsufficientResourcesFault{}, hypervisors.ErrNoCapacity},
		{&types.InsufficientHostCapacityFault{}, hypervisors.ErrNoCapacity},
		{&types.NoDiskSpace{}, hypervisors.ErrNoCapacity},
		{&types.NotSupported{}, hypervisors.ErrNotSupported},
		{&types.HostNotConnected{}, hypervisors.ErrUnreachable},
	} {
		name := strings.TrimPrefix(fmt.Sprintf("%T", tc.fault), "*types.")
		t.Run(name, func(t *testing.T) {
			err := vsphereError(context.Background(), soap.WrapVimFault(tc.fault))
			if f, ok := faultOf[types.BaseMethodFault](err); !errors.Is(err, tc.want) || !ok || f != tc.fault {
				t.Errorf("vsphereError(%s) = %v, want it to wrap %q and keep the fault", name, err, tc.want)
			}
		})
	}
	t.Run("NotAuthenticated", func(t *testing.T) {
		if s := sentinelOf(soap.WrapVimFault(&types.NotAuthenticated{})); s != nil {
			t.Errorf("NotAuthenticated maps to %v; it is handled by logging in again", s)
		}
	})
	t.Run("done context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := vsphereError(ctx, errors.New("call failed")); !errors.Is(err, context.Canceled) {
			t.Errorf("vsphereError with a cancelled context = %v, want it to wrap context.Canceled", err)
		}
	})
}
