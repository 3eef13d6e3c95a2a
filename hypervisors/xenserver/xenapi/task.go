package xenapi

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

const (
	// pollMin and pollMax bound the wait between two polls of a task; the
	// wait doubles from the first to the second.
	pollMin = 50 * time.Millisecond
	pollMax = time.Second
)

// cancelGrace bounds how long a task whose caller gave up is given to end
// after task.cancel, and the cleanup calls that follow. A variable so that
// tests can shorten it.
var cancelGrace = 10 * time.Second

// TaskStatus is a task's status (enum task_status_type).
type TaskStatus string

// The values of TaskStatus.
const (
	TaskPending    TaskStatus = "pending"
	TaskSuccess    TaskStatus = "success"
	TaskFailure    TaskStatus = "failure"
	TaskCancelling TaskStatus = "cancelling"
	TaskCancelled  TaskStatus = "cancelled"
)

// done reports whether a task with status s has ended.
func (s TaskStatus) done() bool {
	return s == TaskSuccess || s == TaskFailure || s == TaskCancelled
}

// TaskRecord is the part of a task record the client reads.
type TaskRecord struct {
	UUID      string     `json:"uuid"`
	NameLabel string     `json:"name_label"`
	Status    TaskStatus `json:"status"`
	// Progress is the estimated fraction done, from 0 to 1; Status, not
	// Progress, tells whether the task has ended.
	Progress float64 `json:"progress"`
	// Result is, once the task succeeded, its result: empty for a call
	// returning void, else the value XML-RPC-encoded, as in
	// "<value>OpaqueRef:…</value>" (see CallAsync).
	Result string `json:"result"`
	// ErrorInfo is, once the task failed, the error code followed by its
	// parameters.
	ErrorInfo []string `json:"error_info"`
}

// TaskClass groups the calls of class task.
type TaskClass struct{ c *Client }

// GetRecord returns the task's record (task.get_record); HANDLE_INVALID
// when there is no such task.
func (t TaskClass) GetRecord(ctx context.Context, task TaskRef) (TaskRecord, error) {
	return call[TaskRecord](ctx, t.c, "task.get_record", task)
}

// Cancel asks the task to stop (task.cancel). Cancelling is advisory: the
// task goes to cancelling and then cancelled, or ends otherwise if its
// operation cannot stop; OPERATION_NOT_ALLOWED when it cannot be cancelled.
func (t TaskClass) Cancel(ctx context.Context, task TaskRef) error {
	return t.c.Call(ctx, "task.cancel", nil, task)
}

// Destroy deletes the task's record (task.destroy).
func (t TaskClass) Destroy(ctx context.Context, task TaskRef) error {
	return t.c.Call(ctx, "task.destroy", nil, task)
}

// CallAsync runs method as a task: it calls Async.<method> with args, polls
// task.get_record (every 50 ms at first, backing off to every second) until
// the task ends, destroys the task and returns its result. The result is
// the task's result decoded from its XML-RPC encoding: a reference for
// calls returning one, "" for calls returning void.
//
// A task that fails returns an *Error carrying the task's error_info: the
// same code and parameters the synchronous call would have returned.
//
// When ctx ends while the task runs, CallAsync sends task.cancel, waits a
// bounded time for the task to end, destroys it and returns ctx's error.
// When the task cannot be read any more (the pool stopped answering), it
// is left to XenAPI, which removes finished tasks of its own accord.
// If the task managed to succeed all the same, its result is returned
// alongside ctx's error, so the caller can clean up what it made.
func (c *Client) CallAsync(ctx context.Context, method string, args ...any) (string, error) {
	task, err := call[TaskRef](ctx, c, "Async."+method, args...)
	if err != nil {
		return "", err
	}
	return c.await(ctx, method, task)
}

// callAsync is CallAsync for calls returning a reference of type R.
func callAsync[R ~string](ctx context.Context, c *Client, method string, args ...any) (R, error) {
	result, err := c.CallAsync(ctx, method, args...)
	return R(result), err
}

// await waits for task, running method, to end.
func (c *Client) await(ctx context.Context, method string, task TaskRef) (string, error) {
	delay := pollMin
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		rec, err := c.Task.GetRecord(ctx, task)
		switch {
		case ctx.Err() != nil:
			return c.abandon(ctx, task)
		case err != nil:
			return "", fmt.Errorf("xenapi: %s: waiting for task %s: %w", method, task, err)
		case rec.Status.done():
			c.destroy(ctx, task)
			return taskOutcome(method, rec)
		}
		select {
		case <-ctx.Done():
			return c.abandon(ctx, task)
		case <-timer.C:
		}
		delay = min(2*delay, pollMax)
		timer.Reset(delay)
	}
}

// abandon cancels task after its caller's ctx ended, gives it a bounded
// time to end, destroys it and returns ctx's error, with the task's result
// if it succeeded all the same.
func (c *Client) abandon(ctx context.Context, task TaskRef) (string, error) {
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	_ = c.Task.Cancel(grace, task) // refused when the task cannot be cancelled or has ended
	result := ""
	for delay := pollMin; ; delay = min(2*delay, pollMax) {
		rec, err := c.Task.GetRecord(grace, task)
		if err != nil {
			break
		}
		if rec.Status.done() {
			if rec.Status == TaskSuccess {
				result, _ = decodeTaskResult(rec.Result)
			}
			break
		}
		if !sleep(grace, delay) {
			break
		}
	}
	c.destroy(grace, task)
	return result, ctx.Err()
}

// destroy deletes task's record, even when ctx has ended. Failing to is
// harmless: XenAPI removes finished tasks of its own accord in time.
func (c *Client) destroy(ctx context.Context, task TaskRef) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	_ = c.Task.Destroy(dctx, task)
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// taskOutcome is the result or the error of a task that ended.
func taskOutcome(method string, rec TaskRecord) (string, error) {
	if rec.Status == TaskSuccess {
		result, err := decodeTaskResult(rec.Result)
		if err != nil {
			return "", fmt.Errorf("xenapi: %s: %w", method, err)
		}
		return result, nil
	}
	if len(rec.ErrorInfo) > 0 {
		return "", &Error{Method: method, Code: rec.ErrorInfo[0], Params: rec.ErrorInfo[1:]}
	}
	if rec.Status == TaskCancelled {
		return "", &Error{Method: method, Code: CodeTaskCancelled}
	}
	return "", &Error{Method: method, Code: "INTERNAL_ERROR", Params: []string{"the task failed without error_info"}}
}

// decodeTaskResult decodes a task's result field. XenAPI keeps it in its
// XML-RPC encoding, "<value>OpaqueRef:…</value>" for a reference (a string
// may also come as "<value><string>…</string></value>"), and leaves it
// empty for void. A result that is not XML is returned as it is.
func decodeTaskResult(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "<") {
		return s, nil
	}
	var v struct {
		XMLName xml.Name `xml:"value"`
		Text    string   `xml:",chardata"`
		String  *string  `xml:"string"`
	}
	if err := xml.Unmarshal([]byte(s), &v); err != nil {
		return "", fmt.Errorf("reading the task result %q: %w", s, err)
	}
	if v.String != nil {
		return *v.String, nil
	}
	return strings.TrimSpace(v.Text), nil
}
