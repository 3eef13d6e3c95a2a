package simulator_test

import (
	"errors"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// expectAllUnreachable reports an error unless every call but FenceHost, and
// Connect, fail with ErrUnreachable.
func expectAllUnreachable(t *testing.T, dir string, h hypervisors.Host, fx fixture) {
	t.Helper()
	for op, call := range everyCall(h, hostConfig(dir, "h1", ""), fx) {
		if op == simulator.OpFenceHost {
			continue
		}
		if err := call(t.Context()); !errors.Is(err, hypervisors.ErrUnreachable) {
			t.Errorf("%s = %v, want ErrUnreachable", op, err)
		}
	}
	if _, err := connectErr(t.Context(), dir, "h1", ""); !errors.Is(err, hypervisors.ErrUnreachable) {
		t.Errorf("Connect = %v, want ErrUnreachable", err)
	}
}

func TestUnreachableHost(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "hot_resize=true")
	fx := newFixture(t, h).withSnapshot(t, h)
	ctl := control(t, dir, "h1")

	mustDo(t, "SetReachable(false)", ctl.SetReachable(false))
	expectAllUnreachable(t, dir, h, fx)
	mustDo(t, "SetReachable(true)", ctl.SetReachable(true))
	mustDo(t, "Ping", h.Ping(t.Context()))
	if p := power(t, h, fx.vm.ID); p != hypervisors.PowerRunning {
		t.Errorf("VM is %s after the host was cut off for a while, want it still running", p)
	}
}

func TestPoweredOffHost(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "hot_resize=true")
	fx := newFixture(t, h).withSnapshot(t, h)
	ctl := control(t, dir, "h1")

	mustDo(t, "PowerOff", ctl.PowerOff())
	expectAllUnreachable(t, dir, h, fx)
	mustDo(t, "PowerOn", ctl.PowerOn())
	mustDo(t, "Ping", h.Ping(t.Context()))
	if p := power(t, h, fx.vm.ID); p != hypervisors.PowerStopped {
		t.Errorf("VM is %s after its host was powered off and on, want it stopped", p)
	}
}

func TestFenceHostWorksOutOfBand(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "")
	fx := newFixture(t, h).withSnapshot(t, h)
	ctl := control(t, dir, "h1")
	cfg := hostConfig(dir, "h1", "")

	mustDo(t, "SetReachable(false)", ctl.SetReachable(false))
	mustDo(t, "FenceHost of an unreachable host", fence(t.Context(), cfg))
	mustDo(t, "FenceHost of a fenced host", fence(t.Context(), cfg))
	mustDo(t, "SetReachable(true)", ctl.SetReachable(true))
	if err := h.Ping(t.Context()); !errors.Is(err, hypervisors.ErrUnreachable) {
		t.Errorf("Ping of a fenced host = %v, want ErrUnreachable", err)
	}
	mustDo(t, "PowerOn", ctl.PowerOn())
	if p := power(t, h, fx.vm.ID); p != hypervisors.PowerStopped {
		t.Errorf("VM is %s after its host was fenced, want it stopped", p)
	}
}

func TestClosedConnection(t *testing.T) {
	h := connect(t, t.TempDir(), "h1", "")
	mustDo(t, "Close", h.Close())
	mustDo(t, "second Close", h.Close())
	if err := h.Ping(t.Context()); !errors.Is(err, hypervisors.ErrInvalid) {
		t.Errorf("Ping on a closed connection = %v, want ErrInvalid", err)
	}
}

func TestInvestigatePeer(t *testing.T) {
	dir := t.TempDir()
	h1 := connect(t, dir, "h1", "")
	connect(t, dir, "h2", "")
	peer := hostConfig(dir, "h2", "")
	ctl := control(t, dir, "h2")
	investigate := func() hypervisors.Liveness {
		t.Helper()
		live, err := h1.(hypervisors.Investigator).InvestigatePeer(t.Context(), peer)
		mustDo(t, "InvestigatePeer", err)
		return live
	}
	for _, step := range []struct {
		what   string
		change func() error
		want   hypervisors.Liveness
	}{
		{"a healthy peer", func() error { return nil }, hypervisors.LivenessAlive},
		{"a peer cut off from the management plane", func() error { return ctl.SetReachable(false) }, hypervisors.LivenessAlive},
		{"a peer powered off", ctl.PowerOff, hypervisors.LivenessDead},
		{"a peer powered on again", ctl.PowerOn, hypervisors.LivenessAlive},
		{"a fenced peer", func() error { return fence(t.Context(), peer) }, hypervisors.LivenessDead},
	} {
		mustDo(t, step.what, step.change())
		if got := investigate(); got != step.want {
			t.Errorf("InvestigatePeer of %s = %s, want %s", step.what, got, step.want)
		}
	}
	if _, err := h1.(hypervisors.Investigator).InvestigatePeer(t.Context(), hypervisors.HostConfig{URL: "https://esx"}); !errors.Is(err, hypervisors.ErrInvalid) {
		t.Errorf("InvestigatePeer of a host that is not simulated = %v, want ErrInvalid", err)
	}
}
