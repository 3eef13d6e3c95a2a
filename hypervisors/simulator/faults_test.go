package simulator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// expectInjected reports an error unless err is an injected fault wrapping want.
func expectInjected(t *testing.T, call string, err, want error) {
	t.Helper()
	if !errors.Is(err, simulator.ErrInjected) || !errors.Is(err, want) {
		t.Errorf("%s = %v, want an injected fault wrapping %q", call, err, want)
	}
}

func TestURLFaultFailsTheNthCallOfItsConnection(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "fail.CreateVM=3")
	other := connect(t, dir, "h1", "")
	fx := newFixture(t, h) // the first CreateVM
	create := func(h hypervisors.Host) (hypervisors.VMSpec, error) {
		spec := vmOn(fx.volume, fx.network.ID)
		_, err := h.CreateVM(t.Context(), spec)
		return spec, err
	}

	_, err := create(h)
	mustDo(t, "second CreateVM", err)
	_, err = create(other)
	mustDo(t, "CreateVM on another connection, which has no fault", err)
	third, err := create(h)
	expectInjected(t, "third CreateVM", err, hypervisors.ErrUnreachable)
	if _, err := h.VMStatus(t.Context(), third.ID); !errors.Is(err, hypervisors.ErrNotFound) {
		t.Errorf("VMStatus of the VM whose CreateVM failed = %v, want ErrNotFound", err)
	}
	_, err = h.CreateVM(t.Context(), third)
	mustDo(t, "retried CreateVM (fourth call)", err)
}

func TestURLFaultOnEveryOperation(t *testing.T) {
	// Each operation's second call fails; FenceHost's first, as its first
	// call would power the host off.
	nth := func(op simulator.Op) int {
		if op == simulator.OpFenceHost {
			return 1
		}
		return 2
	}
	query := []string{"hot_resize=true"}
	for _, op := range simulator.Ops {
		query = append(query, fmt.Sprintf("fail.%s=%d:conflict", op, nth(op)))
	}
	dir := t.TempDir()
	// Set up on a healthy connection; its calls do not count on the faulty one.
	healthy := connect(t, dir, "h1", "")
	fx := newFixture(t, healthy).withSnapshot(t, healthy)
	h := connect(t, dir, "h1", strings.Join(query, "&"))
	calls := everyCall(h, hostConfig(dir, "h1", strings.Join(query, "&")), fx)
	for _, op := range simulator.Ops {
		if nth(op) > 1 {
			mustDo(t, "first "+string(op), calls[op](t.Context()))
		}
	}
	for _, op := range simulator.Ops {
		expectInjected(t, fmt.Sprintf("call %d of %s", nth(op), op), calls[op](t.Context()), hypervisors.ErrConflict)
	}
	if err := h.Ping(t.Context()); err != nil {
		t.Errorf("Ping after the failed FenceHost = %v, want the host still on", err)
	}
}

func TestControllerFaultsCountCallsOfEveryConnection(t *testing.T) {
	dir := t.TempDir()
	h1, h2 := connect(t, dir, "h1", ""), connect(t, dir, "h1", "")
	fx := newFixture(t, h1)
	mustDo(t, "InjectFault", control(t, dir, "h1").InjectFault(simulator.Fault{
		Op: simulator.OpStartVM, Nth: 2, Action: simulator.ActionFail, Err: hypervisors.ErrNoCapacity,
	}))
	mustDo(t, "first StartVM (h1)", h1.StartVM(t.Context(), fx.vm.ID))
	mustDo(t, "StopVM", h1.StopVM(t.Context(), fx.vm.ID, true))
	expectInjected(t, "second StartVM (h2)", h2.StartVM(t.Context(), fx.vm.ID), hypervisors.ErrNoCapacity)
	if p := power(t, h1, fx.vm.ID); p != hypervisors.PowerStopped {
		t.Errorf("VM is %s after its StartVM failed, want stopped", p)
	}
	mustDo(t, "third StartVM (h1)", h1.StartVM(t.Context(), fx.vm.ID))
}

func TestControllerFaultDoesNotCountCallsThatNeverReachTheHost(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "")
	ctl := control(t, dir, "h1")
	mustDo(t, "InjectFault", ctl.InjectFault(simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: simulator.ActionFail}))
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.Ping(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with a cancelled context = %v", err)
	}
	mustDo(t, "SetReachable", ctl.SetReachable(false))
	if err := h.Ping(t.Context()); errors.Is(err, simulator.ErrInjected) {
		t.Errorf("Ping of an unreachable host = %v, want no fault injected", err)
	}
	mustDo(t, "SetReachable", ctl.SetReachable(true))
	expectInjected(t, "Ping", h.Ping(t.Context()), hypervisors.ErrUnreachable)
}

func TestClearFaults(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "")
	ctl := control(t, dir, "h1")
	mustDo(t, "InjectFault", ctl.InjectFault(simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: simulator.ActionCrash}))
	mustDo(t, "ClearFaults", ctl.ClearFaults())
	mustDo(t, "Ping", h.Ping(t.Context())) // would have killed the test binary
}

func TestInjectFaultRejectsBadFaults(t *testing.T) {
	ctl := control(t, t.TempDir(), "h1")
	for _, tc := range []struct {
		name          string
		fault         simulator.Fault
		wantInMessage string
	}{
		{"unknown operation", simulator.Fault{Op: "Teleport", Nth: 1, Action: simulator.ActionFail}, `unknown operation "Teleport"`},
		{"zeroth call", simulator.Fault{Op: simulator.OpPing, Action: simulator.ActionFail}, "Nth is 0"},
		{"unknown action", simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: "explode"}, `unknown action "explode"`},
		{"fail after", simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: simulator.ActionFail, After: true}, "After applies to crash"},
		{"crash with an error", simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: simulator.ActionCrash, Err: hypervisors.ErrConflict}, "Err applies to fail"},
		{"error not a sentinel", simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: simulator.ActionFail, Err: errors.New("boom")}, "not a sentinel"},
		{"wrapped sentinel", simulator.Fault{Op: simulator.OpPing, Nth: 1, Action: simulator.ActionFail, Err: fmt.Errorf("x: %w", hypervisors.ErrConflict)}, "not a sentinel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ctl.InjectFault(tc.fault)
			if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), tc.wantInMessage) {
				t.Errorf("InjectFault(%+v) = %v, want an ErrInvalid saying %q", tc.fault, err, tc.wantInMessage)
			}
		})
	}
}
