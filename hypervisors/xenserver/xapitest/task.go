package xapitest

import (
	"cmp"
	"encoding/json"
	"html"
	"strings"
	"time"
)

// Task statuses.
const (
	taskPending    = "pending"
	taskSuccess    = "success"
	taskFailure    = "failure"
	taskCancelling = "cancelling"
	taskCancelled  = "cancelled"
)

// task is an asynchronous call in progress or done.
type task struct {
	obj
	name, status    string
	progress        float64
	created, done   time.Time
	result          string
	errorInfo       []string
	cancel          chan struct{} // closed by task.cancel
	started         bool          // the operation has begun: too late to cancel
	destroyWhenDone bool
	residentOn      string
}

func recTask(_ *state, o object) map[string]any {
	t := o.(*task)
	allowed := []string{}
	if t.status == taskPending && !t.started {
		allowed = []string{"cancel"}
	}
	return map[string]any{
		"uuid": t.uuid, "name_label": t.name, "name_description": "",
		"status": t.status, "progress": t.progress, "created": xapiTime(t.created),
		"finished": xapiTime(t.done), "result": t.result, "error_info": orEmpty(t.errorInfo),
		"resident_on": cmp.Or(t.residentOn, nullRef), "type": "<none/>", "other_config": map[string]string{},
		"subtask_of": nullRef, "subtasks": []string{}, "backtrace": "()",
		"allowed_operations": allowed, "current_operations": map[string]string{},
	}
}

// newTask creates the task of an Async. call and starts it.
func (s *Server) newTask(name string, m *method, args []json.RawMessage, sess *session) *task {
	t := &task{obj: s.st.newObj(), name: name, status: taskPending, created: time.Now(),
		cancel: make(chan struct{}), residentOn: s.st.master}
	s.st.tasks[t.ref] = t
	if m == nil {
		return t // task.create: a task for the caller to track
	}
	s.tasks.Add(1)
	go s.runTask(t, m, args, sess)
	return t
}

// runTask waits for the method's delay, then runs it atomically.
func (s *Server) runTask(t *task, m *method, args []json.RawMessage, sess *session) {
	defer s.tasks.Done()
	d := s.delayOf(m.name)
	if d == 0 {
		d = s.opts.TaskDelay
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.cancel:
	case <-s.closed:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.status == taskCancelling {
		s.finish(t, "", xerr(errTaskCancelled, t.ref))
		return
	}
	t.started = true
	if e := s.takeFailure(m.name); e != nil {
		s.finish(t, "", e)
		return
	}
	res, err := m.fn(&call{s: s, st: s.st, args: args, m: m, sess: sess})
	if err != nil {
		s.finish(t, "", asAPIError(err))
		return
	}
	s.finish(t, encodeResult(res), nil)
}

// finish records a task's outcome.
func (s *Server) finish(t *task, result string, e *apiError) {
	t.done = time.Now()
	t.progress = 1
	switch {
	case e == nil:
		t.status, t.result = taskSuccess, result
	case e.code == errTaskCancelled:
		t.status, t.errorInfo = taskCancelled, e.info()
	default:
		t.status, t.errorInfo = taskFailure, e.info()
	}
	if t.destroyWhenDone {
		delete(s.st.tasks, t.ref)
	}
}

// encodeResult is a task result: the XML-RPC encoding of the value, as xapi
// stores it ("" for void).
func encodeResult(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return ""
		}
		return "<value>" + html.EscapeString(x) + "</value>"
	case []string:
		var b strings.Builder
		b.WriteString("<value><array><data>")
		for _, s := range x {
			b.WriteString("<value>" + html.EscapeString(s) + "</value>")
		}
		b.WriteString("</data></array></value>")
		return b.String()
	}
	return ""
}

func (s *Server) taskMethods() []*method {
	get := func(c *call) (*task, error) {
		ref, err := c.ref(0)
		if err != nil {
			return nil, err
		}
		t := c.st.tasks[ref]
		if t == nil {
			return nil, handleInvalid("task", ref)
		}
		return t, nil
	}
	return []*method{
		{name: "task.cancel", params: []string{"task"}, fn: func(c *call) (any, error) {
			t, err := get(c)
			if err != nil {
				return nil, err
			}
			if t.status == taskPending && !t.started {
				t.status = taskCancelling
				close(t.cancel)
			}
			return "", nil
		}},
		{name: "task.destroy", params: []string{"self"}, fn: func(c *call) (any, error) {
			t, err := get(c)
			if err != nil {
				return nil, err
			}
			if t.status == taskPending || t.status == taskCancelling {
				t.destroyWhenDone = true
			} else {
				delete(c.st.tasks, t.ref)
			}
			return "", nil
		}},
		{name: "task.create", params: []string{"label", "description"}, fn: func(c *call) (any, error) {
			label, err := c.str(0)
			if err != nil {
				return nil, err
			}
			if _, err := c.str(1); err != nil {
				return nil, err
			}
			return c.s.newTask(label, nil, nil, c.sess).ref, nil
		}},
	}
}

// takeFailure pops the failure FailNext queued for a method, if any.
func (s *Server) takeFailure(method string) *apiError {
	q := s.failures[method]
	if len(q) == 0 {
		return nil
	}
	s.failures[method] = q[1:]
	return q[0]
}

// FailNext makes the next call, or the next task, of method (e.g.
// "VM.clone", which covers "Async.VM.clone" too) fail with the given XenAPI
// error without changing anything. Several calls queue up.
func (s *Server) FailNext(method, code string, params ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	method = strings.TrimPrefix(method, asyncPrefix)
	s.failures[method] = append(s.failures[method], xerr(code, params...))
}

// SetDelay makes every later call and task of method (e.g. "VM.start") wait
// d before it runs; 0 removes the delay. A task can be cancelled while it
// waits.
func (s *Server) SetDelay(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	method = strings.TrimPrefix(method, asyncPrefix)
	if d <= 0 {
		delete(s.delays, method)
		return
	}
	s.delays[method] = d
}
