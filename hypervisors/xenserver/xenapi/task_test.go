package xenapi

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// scriptTask makes Async.<method> start task OpaqueRef:task-1, whose
// task.get_record answers come from records in turn, the last repeated.
// It returns how many polls the task had.
func scriptTask(f *fakeXAPI, method string, records ...map[string]any) *int {
	polls := 0
	f.handle("Async."+method, func([]json.RawMessage) (any, *xapiFault) { return "OpaqueRef:task-1", nil })
	f.handle("task.get_record", func(p []json.RawMessage) (any, *xapiFault) {
		if str(p[0]) != "OpaqueRef:task-1" {
			return nil, &xapiFault{CodeHandleInvalid, []string{"task", str(p[0])}}
		}
		rec := records[min(polls, len(records)-1)]
		polls++
		return rec, nil
	})
	f.handle("task.destroy", func([]json.RawMessage) (any, *xapiFault) { return "", nil })
	f.handle("task.cancel", func([]json.RawMessage) (any, *xapiFault) { return "", nil })
	return &polls
}

func pending(progress float64) map[string]any {
	return map[string]any{"status": "pending", "progress": progress, "result": "", "error_info": []string{}}
}

// destroyed reports whether the task was destroyed, exactly once.
func destroyedOnce(t *testing.T, f *fakeXAPI) {
	t.Helper()
	d := f.seen("task.destroy")
	if len(d) != 1 || str(d[0].Params[1]) != "OpaqueRef:task-1" {
		t.Errorf("task.destroy calls: %d, want 1 for OpaqueRef:task-1", len(d))
	}
}

func TestTaskSuccess(t *testing.T) {
	f := newFake(t)
	polls := scriptTask(f, "VM.clone", pending(0), pending(0.5),
		map[string]any{"status": "success", "progress": 1.0, "result": "<value>OpaqueRef:clone</value>", "error_info": []string{}})
	c := newClient(t, f)

	ref, err := c.VM.Clone(t.Context(), "OpaqueRef:tpl", "web-1")
	if err != nil {
		t.Fatal(err)
	}
	if ref != "OpaqueRef:clone" {
		t.Errorf("Clone = %q, want OpaqueRef:clone decoded from the task's result", ref)
	}
	if *polls != 3 {
		t.Errorf("%d polls, want 3: until the task succeeded", *polls)
	}
	destroyedOnce(t, f)
	if n := len(f.seen("task.cancel")); n != 0 {
		t.Errorf("%d task.cancel calls, want none", n)
	}
}

func TestTaskFailure(t *testing.T) {
	f := newFake(t)
	scriptTask(f, "VM.start_on", pending(0), map[string]any{
		"status": "failure", "progress": 1.0, "result": "",
		"error_info": []string{"VM_BAD_POWER_STATE", "OpaqueRef:vm", "halted", "running"},
	})
	c := newClient(t, f)

	err := c.VM.StartOn(t.Context(), "OpaqueRef:vm", "OpaqueRef:host", false, false)
	want := &Error{Method: "VM.start_on", Code: CodeVMBadPowerState, Params: []string{"OpaqueRef:vm", "halted", "running"}}
	var e *Error
	if !errors.As(err, &e) || !reflect.DeepEqual(e, want) {
		t.Fatalf("err = %#v, want %#v", err, want)
	}
	if got := err.Error(); got != "xenapi: VM.start_on: VM_BAD_POWER_STATE(OpaqueRef:vm, halted, running)" {
		t.Errorf("Error() = %q", got)
	}
	destroyedOnce(t, f)
}

// TestTaskRefusedAtOnce: an Async call can fail before it makes a task.
func TestTaskRefusedAtOnce(t *testing.T) {
	f := newFake(t)
	scriptTask(f, "VM.clean_shutdown", pending(0))
	f.handle("Async.VM.clean_shutdown", func(p []json.RawMessage) (any, *xapiFault) {
		return nil, &xapiFault{CodeHandleInvalid, []string{"VM", str(p[0])}}
	})
	c := newClient(t, f)
	if err := c.VM.CleanShutdown(t.Context(), "OpaqueRef:gone"); !IsCode(err, CodeHandleInvalid) {
		t.Errorf("err = %v, want HANDLE_INVALID", err)
	}
	if n := len(f.seen("task.get_record")); n != 0 {
		t.Errorf("%d polls of a task that does not exist", n)
	}
}

// TestTaskCancelledByContext: when the caller gives up, the task is
// cancelled and destroyed and the context's error returned.
func TestTaskCancelledByContext(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cancelled := false
	f.handle("Async.VM.hard_shutdown", func([]json.RawMessage) (any, *xapiFault) { return "OpaqueRef:task-1", nil })
	f.handle("task.get_record", func([]json.RawMessage) (any, *xapiFault) {
		if cancelled {
			return map[string]any{"status": "cancelled", "progress": 1.0, "result": "",
				"error_info": []string{CodeTaskCancelled, "OpaqueRef:task-1"}}, nil
		}
		cancel() // the caller gives up while the task runs
		return pending(0.1), nil
	})
	f.handle("task.cancel", func(p []json.RawMessage) (any, *xapiFault) {
		cancelled = str(p[0]) == "OpaqueRef:task-1"
		return "", nil
	})
	f.handle("task.destroy", func([]json.RawMessage) (any, *xapiFault) { return "", nil })
	c := newClient(t, f)

	start := time.Now()
	err := c.VM.HardShutdown(ctx, "OpaqueRef:vm")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if Code(err) != "" {
		t.Errorf("err = %v, want the context's error, not the task's", err)
	}
	f.mu.Lock()
	sent := cancelled
	f.mu.Unlock()
	if !sent {
		t.Error("task.cancel was not sent for the task")
	}
	destroyedOnce(t, f)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestTaskIgnoresCancel: a task that does not stop is waited for a bounded
// time, then destroyed.
func TestTaskIgnoresCancel(t *testing.T) {
	saved := cancelGrace
	cancelGrace = 300 * time.Millisecond
	t.Cleanup(func() { cancelGrace = saved })

	f := newFake(t)
	scriptTask(f, "VM.clean_shutdown", pending(0.1))
	c := newClient(t, f)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	start := time.Now()
	err := c.VM.CleanShutdown(ctx, "OpaqueRef:vm")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v, want about 100ms + 300ms of grace", d)
	}
	if len(f.seen("task.cancel")) != 1 {
		t.Errorf("task.cancel calls: %d, want 1", len(f.seen("task.cancel")))
	}
	destroyedOnce(t, f)
}

// TestTaskSucceedsDespiteCancel returns what the task made with the
// context's error, so the caller can clean it up.
func TestTaskSucceedsDespiteCancel(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	polls := scriptTask(f, "VM.snapshot", pending(0.9),
		map[string]any{"status": "success", "progress": 1.0, "result": "<value>OpaqueRef:snap</value>", "error_info": []string{}})
	f.handle("task.cancel", func([]json.RawMessage) (any, *xapiFault) {
		return nil, &xapiFault{"OPERATION_NOT_ALLOWED", []string{"the task cannot be cancelled"}}
	})
	inner := f.handlers["task.get_record"]
	f.handle("task.get_record", func(p []json.RawMessage) (any, *xapiFault) {
		if *polls == 0 {
			cancel()
		}
		return inner(p)
	})
	c := newClient(t, f)

	ref, err := c.VM.Snapshot(ctx, "OpaqueRef:vm", "snap-1")
	if !errors.Is(err, context.Canceled) || ref != "OpaqueRef:snap" {
		t.Errorf("Snapshot = %q, %v; want OpaqueRef:snap and context.Canceled", ref, err)
	}
	destroyedOnce(t, f)
}

func TestDecodeTaskResult(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{"<value>OpaqueRef:5b3c0a8e-1f5b-4c6e-9b1a-2d3e4f5a6b7c</value>", "OpaqueRef:5b3c0a8e-1f5b-4c6e-9b1a-2d3e4f5a6b7c", false},
		{"<value><string>OpaqueRef:a</string></value>", "OpaqueRef:a", false},
		{" <value>OpaqueRef:b</value>\n", "OpaqueRef:b", false},
		{"", "", false},
		{"<value></value>", "", false},
		{"OpaqueRef:c", "OpaqueRef:c", false},
		{"<value>OpaqueRef:d", "", true},
		{"<array/>", "", true},
	} {
		got, err := decodeTaskResult(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("decodeTaskResult(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
