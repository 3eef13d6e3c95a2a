package simulator

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// do runs one call of op on the host, in this order:
//
//  1. fail on a closed connection or a done ctx;
//  2. wait the op's delay, returning ctx's error if ctx ends first;
//  3. take the host's lock for the rest of the call;
//  4. fail with ErrUnreachable when the host is unreachable or off
//     (FenceHost excepted: it reaches the host out of band);
//  5. count the call against the pending faults; a crash fault kills the
//     process here, a fail fault returns its error;
//  6. run effect, which reads and writes the host's state;
//  7. a crash fault with After kills the process.
func (h *host) do(ctx context.Context, op Op, effect func(hostTxn) error) error {
	return h.run(ctx, op, false, func(t hostTxn, _ func() error) error { return effect(t) })
}

// doFailingLate is do for an operation that takes an injected failure only
// after it has written part of its work, to show that it cleans up: effect
// calls failure at that point and, when failure returns an error, undoes
// what it wrote and returns that error.
func (h *host) doFailingLate(ctx context.Context, op Op, effect func(t hostTxn, failure func() error) error) error {
	return h.run(ctx, op, true, effect)
}

func (h *host) run(ctx context.Context, op Op, late bool, effect func(t hostTxn, failure func() error) error) error {
	if h.closed.Load() {
		return fmt.Errorf("%w: %s on a closed connection to simulator host %s", hypervisors.ErrInvalid, op, h.store.name)
	}
	if err := h.wait(ctx, op); err != nil {
		return err
	}
	return h.store.update(func(t hostTxn) error {
		st, err := t.state()
		if err != nil {
			return err
		}
		if op != OpFenceHost {
			if err := t.answers(st); err != nil {
				return err
			}
		}
		due, err := h.dueFault(t, st, op)
		if err != nil {
			return err
		}
		var injected error
		switch {
		case due == nil:
		case due.Action == ActionCrash && !due.After:
			crash()
		case due.Action == ActionFail:
			injected = due.failure(h.store.name)
			if !late {
				return injected
			}
		}
		err = effect(t, func() error { return injected })
		if due != nil && due.Action == ActionCrash && due.After {
			crash()
		}
		return err
	})
}

// wait honours ctx and sleeps the delay of op.
func (h *host) wait(ctx context.Context, op Op) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s on simulator host %s: %w", op, h.store.name, err)
	}
	var st hostState
	err := h.store.update(func(t hostTxn) (err error) {
		st, err = t.state()
		return err
	})
	if err != nil {
		return err
	}
	d := h.cfg.delayOf(st, op)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s on simulator host %s, during its %v delay: %w", op, h.store.name, d, ctx.Err())
	}
}

// dueFault counts a call of op against the host's pending faults, those on
// disk (in st, saved back when they changed) and those of the URL, and
// returns the fault that falls on it, if any.
func (h *host) dueFault(t hostTxn, st hostState, op Op) (*faultRecord, error) {
	due, rest, counted := countCall(st.Faults, op)
	if counted {
		st.Faults = rest
		if err := t.saveState(st); err != nil {
			return nil, err
		}
	}
	h.mu.Lock()
	urlDue, urlRest, _ := countCall(h.urlFaults, op)
	h.urlFaults = urlRest
	h.mu.Unlock()
	if due == nil {
		due = urlDue
	}
	return due, nil
}

// crash kills this process as a power cut or the OOM killer would: no
// deferred calls run and nothing is flushed.
func crash() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL to oneself is delivered before kill returns
}
