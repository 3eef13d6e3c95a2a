package simulator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

func TestDelays(t *testing.T) {
	for _, tc := range []struct {
		name       string
		query      string
		controller string // Ping's delay set through the Controller, if any
		wantDelay  bool   // Ping waits past a short deadline
	}{
		{"none", "", "", false},
		{"every operation", "delay=1h", "", true},
		{"Ping's", "delay.Ping=1h", "", true},
		{"another operation's", "delay.StartVM=1h", "", false},
		{"Ping's overrides every operation's", "delay=1h&delay.Ping=0s", "", false},
		{"Controller's", "", "1h", true},
		{"Controller's zero overrides the URL's", "delay.Ping=1h", "0s", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := connect(t, dir, "h1", tc.query)
			if tc.controller != "" {
				d, err := time.ParseDuration(tc.controller)
				mustDo(t, "ParseDuration", err)
				mustDo(t, "SetDelay", control(t, dir, "h1").SetDelay(simulator.OpPing, d))
			}
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			err := h.Ping(ctx)
			if tc.wantDelay && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Ping = %v, want it to outlast its deadline", err)
			}
			if !tc.wantDelay && err != nil {
				t.Errorf("Ping = %v, want no delay", err)
			}
		})
	}
}

func TestDelayWaits(t *testing.T) {
	const delay = 30 * time.Millisecond
	h := connect(t, t.TempDir(), "h1", "delay.Ping="+delay.String())
	start := time.Now()
	mustDo(t, "Ping", h.Ping(t.Context()))
	if took := time.Since(start); took < delay {
		t.Errorf("Ping took %v, want at least %v", took, delay)
	}
}

func TestCancelledDuringDelayCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "")
	fx := newFixture(t, h)
	slow := connect(t, dir, "h1", "delay.CreateVM=1h")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	spec := vmOn(fx.volume, fx.network.ID)
	if _, err := slow.CreateVM(ctx, spec); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CreateVM = %v, want its context's error", err)
	}
	if _, err := h.VMStatus(t.Context(), spec.ID); !errors.Is(err, hypervisors.ErrNotFound) {
		t.Errorf("VMStatus = %v, want ErrNotFound", err)
	}
}

func TestSetDelayRejectsBadDelays(t *testing.T) {
	ctl := control(t, t.TempDir(), "h1")
	for _, tc := range []struct {
		op simulator.Op
		d  time.Duration
	}{
		{"Teleport", time.Second},
		{simulator.OpPing, -time.Second},
	} {
		if err := ctl.SetDelay(tc.op, tc.d); !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("SetDelay(%q, %v) = %v, want ErrInvalid", tc.op, tc.d, err)
		}
	}
}
