package simulator

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// ErrInjected is wrapped, beside a sentinel of package hypervisors, by every
// error a fault injects, so a test can tell an injected failure from a real one.
var ErrInjected = errors.New("injected fault")

// Action is what a Fault does to the call it falls on.
type Action string

const (
	// ActionFail makes the call fail with the fault's error and no effect.
	// CreateVM fails only after it has written its VM, and then removes it,
	// as its contract demands of a real failure.
	ActionFail Action = "fail"
	// ActionCrash kills the calling process with SIGKILL, before the call's
	// effect is written or, with Fault.After, right after it.
	ActionCrash Action = "crash"
)

// Fault makes the Nth call of one operation fail or crash the process.
//
// A fault injected through a Controller is kept on disk: it counts the calls
// every process makes to the host from the moment it was injected, and it is
// spent (removed from disk) by the call it falls on, before that call acts,
// so a crashed process does not crash again when it restarts. A fault set in
// the host URL counts the calls of that connection only.
//
// A call counts when it reaches the host: not when the host is unreachable
// or powered off, the context is done, or the arguments are malformed. When
// several faults fall on one call, all are spent and the first injected acts,
// Controller faults before URL faults. A CreateVM that fails for its own
// reason before it has written anything returns that reason.
type Fault struct {
	Op  Op  // the operation
	Nth int // 1 for the next call, 2 for the one after, ...
	// Action is ActionFail or ActionCrash.
	Action Action
	// After crashes after the call's effect is written instead of before
	// (ActionCrash only).
	After bool
	// Err is the sentinel the failing call wraps (ActionFail only): one of
	// hypervisors.ErrNotFound, ErrConflict, ErrInvalid, ErrNoCapacity,
	// ErrUnreachable or ErrNotSupported; nil means ErrUnreachable.
	Err error
}

// defaultFailure names the error of a fail fault that names none.
const defaultFailure = "unreachable"

// sentinels names the errors of package hypervisors for URLs and state files.
var sentinels = []struct {
	name string
	err  error
}{
	{"unreachable", hypervisors.ErrUnreachable},
	{"notfound", hypervisors.ErrNotFound},
	{"conflict", hypervisors.ErrConflict},
	{"invalid", hypervisors.ErrInvalid},
	{"nocapacity", hypervisors.ErrNoCapacity},
	{"notsupported", hypervisors.ErrNotSupported},
}

func sentinelNames() string {
	names := make([]string, len(sentinels))
	for i, s := range sentinels {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

func sentinelByName(name string) (error, bool) {
	for _, s := range sentinels {
		if s.name == name {
			return s.err, true
		}
	}
	return nil, false
}

// faultRecord is a pending fault, as parsed from a URL or kept in hostState.
type faultRecord struct {
	Op     Op     `json:"op"`
	Nth    int    `json:"nth"`
	Calls  int    `json:"calls,omitempty"` // calls of Op counted so far
	Action Action `json:"action"`
	After  bool   `json:"after,omitempty"`
	Err    string `json:"err,omitempty"` // a name from sentinels
}

// record validates f and returns it as a pending fault; ErrInvalid names
// what is wrong.
func (f Fault) record() (faultRecord, error) {
	bad := func(format string, args ...any) (faultRecord, error) {
		return faultRecord{}, fmt.Errorf("%w: simulator fault: "+format, append([]any{hypervisors.ErrInvalid}, args...)...)
	}
	if !f.Op.valid() {
		return bad("unknown operation %q (operations: %s)", f.Op, opNames())
	}
	if f.Nth < 1 {
		return bad("Nth is %d, want 1 or more", f.Nth)
	}
	r := faultRecord{Op: f.Op, Nth: f.Nth, Action: f.Action, After: f.After}
	switch f.Action {
	case ActionFail:
		if f.After {
			return bad("After applies to %s only", ActionCrash)
		}
		r.Err = defaultFailure
		if f.Err != nil {
			name, ok := sentinelName(f.Err)
			if !ok {
				return bad("Err %q is not a sentinel of package hypervisors (%s)", f.Err, sentinelNames())
			}
			r.Err = name
		}
	case ActionCrash:
		if f.Err != nil {
			return bad("Err applies to %s only", ActionFail)
		}
	default:
		return bad("unknown action %q (want %s or %s)", f.Action, ActionFail, ActionCrash)
	}
	return r, nil
}

func sentinelName(err error) (string, bool) {
	for _, s := range sentinels {
		if s.err == err {
			return s.name, true
		}
	}
	return "", false
}

// countCall counts one call of op against the pending faults. It returns the
// fault that falls on this call (nil if none), the faults still pending, and
// whether any pending fault concerned op. It reuses pending's array.
func countCall(pending []faultRecord, op Op) (due *faultRecord, rest []faultRecord, counted bool) {
	rest = pending[:0]
	for _, f := range pending {
		if f.Op == op {
			counted = true
			f.Calls++
			if f.Calls >= f.Nth {
				if due == nil {
					due = &f
				}
				continue
			}
		}
		rest = append(rest, f)
	}
	return due, rest, counted
}

// failure is the error a fail fault injects into a call on host hostname.
func (f *faultRecord) failure(hostname string) error {
	sentinel, ok := sentinelByName(f.Err)
	if !ok { // a hand-edited state file
		sentinel = hypervisors.ErrUnreachable
	}
	return fmt.Errorf("%w: %w: call %d of %s on simulator host %s", ErrInjected, sentinel, f.Nth, f.Op, hostname)
}
