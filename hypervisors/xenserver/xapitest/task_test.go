package xapitest

import (
	"reflect"
	"testing"
	"time"
)

func TestAsyncTasks(t *testing.T) {
	s, c := newPool(t, Options{})
	task := c.str("Async.VM.clone", c.template(), "async-clone")
	r := c.await(task)
	if r["status"] != "success" || r["name_label"] != "Async.VM.clone" || num(r["progress"]) != 1 {
		t.Errorf("task record: %v", r)
	}
	clone := resultRef(t, r)
	if c.rec("VM", clone)["name_label"] != "async-clone" {
		t.Errorf("task result %s is not the clone", clone)
	}
	// A void result is the empty string.
	vm := c.newVM("v")
	if r := c.await(c.str("Async.VM.start", vm, false, false)); r["status"] != "success" || r["result"] != "" {
		t.Errorf("Async.VM.start: %v / %q", r["status"], r["result"])
	}
	// Checks run in the task: the call itself succeeds.
	r = c.await(c.str("Async.VM.start", vm, false, false))
	if got := errorInfo(r); r["status"] != "failure" || !reflect.DeepEqual(got, []string{"VM_BAD_POWER_STATE", vm, "halted", "running"}) {
		t.Errorf("failed task: %v %v", r["status"], got)
	}
	r = c.await(c.str("Async.VM.clean_shutdown", "OpaqueRef:bogus"))
	if got := errorInfo(r); !reflect.DeepEqual(got, []string{"HANDLE_INVALID", "VM", "OpaqueRef:bogus"}) {
		t.Errorf("task with a bad handle: %v", got)
	}
	// task.destroy, also of a pending task (which goes when it ends).
	c.must("task.destroy", task)
	c.wantErr("task.get_record", []any{task}, "HANDLE_INVALID", "task", task)
	s.SetDelay("VM.clone", 50*time.Millisecond)
	pending := c.str("Async.VM.clone", c.template(), "later")
	c.must("task.destroy", pending)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, e := c.call("task.get_record", pending); e != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("destroyed pending task is still there")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTaskCancel(t *testing.T) {
	s, c := newPool(t, Options{TaskDelay: time.Hour})
	before := s.Counts()
	task := c.str("Async.VM.clone", c.template(), "never")
	if r := c.rec("task", task); r["status"] != "pending" || r["allowed_operations"].([]any)[0] != "cancel" {
		t.Fatalf("pending task: %v", r)
	}
	c.must("task.cancel", task)
	r := c.await(task)
	if got := errorInfo(r); r["status"] != "cancelled" || !reflect.DeepEqual(got, []string{"TASK_CANCELLED", task}) {
		t.Errorf("cancelled task: %v %v", r["status"], got)
	}
	after := s.Counts()
	after.Tasks--
	if after != before {
		t.Errorf("a cancelled clone left something: %+v -> %+v", before, after)
	}
	c.must("task.cancel", task) // done: nothing to cancel
	if _, ok := s.VMUUID("never"); ok {
		t.Error("the cancelled clone exists")
	}
}

func TestFailNext(t *testing.T) {
	s, c := newPool(t, Options{})
	vm := c.newVM("f")
	before := s.Counts()
	s.FailNext("VM.clone", "SR_BACKEND_FAILURE_44", "", "There is insufficient space", "")
	c.wantErr("VM.clone", []any{vm, "x"}, "SR_BACKEND_FAILURE_44", "", "There is insufficient space", "")
	if s.Counts() != before {
		t.Error("FailNext let the clone change the pool")
	}
	c.must("VM.clone", vm, "second") // only the next one fails

	s.FailNext("Async.VM.start", "HOST_OFFLINE", "OpaqueRef:h")
	r := c.await(c.str("Async.VM.start", vm, false, false))
	if got := errorInfo(r); r["status"] != "failure" || !reflect.DeepEqual(got, []string{"HOST_OFFLINE", "OpaqueRef:h"}) {
		t.Errorf("failed task: %v %v", r["status"], got)
	}
	if c.power(vm) != "Halted" {
		t.Error("FailNext let the start happen")
	}
	s.FailNext("session.login_with_password", "SESSION_AUTHENTICATION_FAILED", "root", "locked out")
	_, e := c.raw("session.login_with_password", "root", "password")
	checkErr(t, "login", e, "SESSION_AUTHENTICATION_FAILED", "root", "locked out")
}

// TestFailedTasksLeaveNothing: a clone or provision that runs out of space
// fails whole.
func TestFailedTasksLeaveNothing(t *testing.T) {
	s, c := newPool(t, Options{SRs: []SRSpec{{SizeBytes: 20 << 30}}})
	vm := c.newVM("a") // 8 GiB
	extra := c.newVDI(4 << 30)
	c.must("VBD.create", vbdArgs(vm, extra, "1")) // 12 GiB in the VM
	before := s.Counts()
	r := c.await(c.str("Async.VM.clone", vm, "too-big"))
	if got := errorInfo(r); r["status"] != "failure" || !reflect.DeepEqual(got, []string{"SR_FULL", itoa(24 << 30), itoa(20 << 30)}) {
		t.Errorf("clone: %v %v", r["status"], got)
	}
	tmpl := c.str("VM.clone", c.template(), "t2")
	c.newVDI(4 << 30) // 16 GiB allocated: the template's 8 GiB disk does not fit
	before.VDIs++
	mid := s.Counts()
	r = c.await(c.str("Async.VM.provision", tmpl))
	if got := errorInfo(r); r["status"] != "failure" || !reflect.DeepEqual(got, []string{"SR_FULL", itoa(24 << 30), itoa(20 << 30)}) {
		t.Errorf("provision: %v %v", r["status"], got)
	}
	after := s.Counts()
	after.Tasks -= 2
	mid.Tasks--
	if mid.VDIs != before.VDIs || after != mid {
		t.Errorf("failed tasks left objects: %+v, %+v, %+v", before, mid, after)
	}
	if got := c.vbdsOf(tmpl); len(got) != 0 {
		t.Errorf("failed provision left VBDs %v", got)
	}
}

func TestSyncDelay(t *testing.T) {
	s, c := newPool(t, Options{})
	s.SetDelay("VM.get_all", 30*time.Millisecond)
	start := time.Now()
	c.must("VM.get_all")
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("delayed call took %v", d)
	}
}
