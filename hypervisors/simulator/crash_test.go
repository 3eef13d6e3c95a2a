package simulator_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// TestCrashKillsTheProcess runs a helper process that creates and starts a
// VM, with a crash fault at one of those steps, and checks that the process
// died by SIGKILL at that exact point: what the state on disk shows.
func TestCrashKillsTheProcess(t *testing.T) {
	for _, tc := range []struct {
		name      string
		query     string           // URL faults of the helper's connection
		fault     *simulator.Fault // injected through the Controller
		wantPower hypervisors.PowerState
	}{
		{"before CreateVM, by Controller", "",
			&simulator.Fault{Op: simulator.OpCreateVM, Nth: 1, Action: simulator.ActionCrash}, ""},
		{"after CreateVM, by Controller", "",
			&simulator.Fault{Op: simulator.OpCreateVM, Nth: 1, Action: simulator.ActionCrash, After: true}, hypervisors.PowerStopped},
		{"before StartVM, by URL", "crash.StartVM=1", nil, hypervisors.PowerStopped},
		{"after StartVM, by URL", "crash_after.StartVM=1", nil, hypervisors.PowerRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.fault != nil {
				mustDo(t, "InjectFault", control(t, dir, "h1").InjectFault(*tc.fault))
			}
			vm := uuid.NewString()
			if !deploy(t, dir, "simulator://h1?"+tc.query, vm) {
				t.Fatal("the helper process was not killed")
			}
			h := connect(t, dir, "h1", "")
			st, err := h.VMStatus(t.Context(), vm)
			switch {
			case tc.wantPower == "" && !errors.Is(err, hypervisors.ErrNotFound):
				t.Errorf("VMStatus = %+v, %v; want ErrNotFound, as the process died before writing the VM", st, err)
			case tc.wantPower != "" && (err != nil || st.Power != tc.wantPower):
				t.Errorf("VMStatus = %+v, %v; want the VM %s", st, err, tc.wantPower)
			}
			// The fault is spent and the host's lock free: a restarted process gets through.
			if deploy(t, dir, "simulator://h1", uuid.NewString()) {
				t.Error("a second helper process was killed too")
			}
			if tc.wantPower != "" {
				if p := power(t, h, vm); p != tc.wantPower {
					t.Errorf("the second process changed the first one's VM to %s", p)
				}
			}
		})
	}
}

// deploy runs a helper process that creates VM id on the host of url and
// starts it, and reports whether SIGKILL ended the process.
func deploy(t *testing.T, dir, url, id string) (killed bool) {
	t.Helper()
	return startHelper(t, roleDeploy, dir, url, envVM+"="+id).wait(t)
}
