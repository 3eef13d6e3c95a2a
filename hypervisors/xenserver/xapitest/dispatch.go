package xapitest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// method is one XenAPI call.
type method struct {
	name   string
	params []string // parameter names, after the session
	// optional is how many of the last params a caller may leave out, all
	// of them together, as with the parameters later XenAPI releases added
	// to a call (each release's form has its own count).
	optional int
	async    bool // has an Async. variant
	fn       func(c *call) (any, error)
}

// call is one invocation of a method; fn runs with Server.mu held.
type call struct {
	s    *Server
	st   *state
	args []json.RawMessage // without the session
	m    *method
	sess *session
}

const asyncPrefix = "Async."

func (s *Server) buildMethods() map[string]*method {
	var all []*method
	for _, group := range [][]*method{
		s.sessionMethods(), s.classMethods(), s.poolMethods(), s.vmMethods(),
		s.vmPowerMethods(), s.vmCopyMethods(), s.vdiMethods(), s.vbdMethods(),
		s.vifMethods(), s.networkMethods(), s.taskMethods(),
	} {
		all = append(all, group...)
	}
	m := map[string]*method{}
	for _, x := range all {
		m[x.name] = x
	}
	return m
}

// dispatch runs a JSON-RPC call: sync calls return their result, Async.
// calls a task reference.
func (s *Server) dispatch(name string, params []json.RawMessage, l *listener) (any, error) {
	base, async := strings.CutPrefix(name, asyncPrefix)
	m := s.methods[base]
	if m == nil && !async {
		m = s.getter(base)
	}
	if m == nil || (async && !m.async) {
		return nil, xerr(errMethodUnknown, name)
	}
	if base == "session.login_with_password" {
		return s.login(name, params, l)
	}
	if want := len(m.params) + 1; len(params) != want && (m.optional == 0 || len(params) != want-m.optional) {
		return nil, xerr(errParameterCountMismatch, name, strconv.Itoa(want), strconv.Itoa(len(params)))
	}
	args := params[1:]
	s.mu.Lock()
	sess, err := s.checkSession(params[0])
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if async {
		if s.closing {
			s.mu.Unlock()
			return nil, xerr(errInternal, "the server is shutting down")
		}
		t := s.newTask(name, m, args, sess)
		s.mu.Unlock()
		return t.ref, nil
	}
	s.mu.Unlock()
	if d := s.delayOf(base); d > 0 {
		select {
		case <-time.After(d):
		case <-s.closed:
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, err = s.checkSession(params[0]); err != nil {
		return nil, err
	}
	if e := s.takeFailure(base); e != nil {
		return nil, e
	}
	return m.fn(&call{s: s, st: s.st, args: args, m: m, sess: sess})
}

func (s *Server) delayOf(method string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delays[method]
}

// --- positional parameters ---

func (c *call) str(i int) (string, error) {
	v, ok := stringOf(c.args[i])
	if !ok {
		return "", fieldTypeError(c.m.params[i])
	}
	return v, nil
}

func (c *call) int(i int) (int64, error) {
	v, err := intOf(c.args[i])
	if err != nil {
		return 0, fieldTypeError(c.m.params[i])
	}
	return v, nil
}

func (c *call) bool(i int) (bool, error) {
	v, ok := boolOf(c.args[i])
	if !ok {
		return false, fieldTypeError(c.m.params[i])
	}
	return v, nil
}

func (c *call) strMap(i int) (map[string]string, error) {
	v, ok := strMapOf(c.args[i])
	if !ok {
		return nil, fieldTypeError(c.m.params[i])
	}
	return v, nil
}

// ref reads a reference parameter; the class check is the caller's.
func (c *call) ref(i int) (string, error) { return c.str(i) }

func (c *call) record(i int) (fields, error) {
	var m map[string]json.RawMessage
	if len(c.args[i]) == 0 || c.args[i][0] != '{' || json.Unmarshal(c.args[i], &m) != nil {
		return nil, fieldTypeError(c.m.params[i])
	}
	return fields(m), nil
}

func (c *call) vm(i int) (*vm, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	v := c.st.vms[ref]
	if v == nil {
		return nil, handleInvalid("VM", ref)
	}
	return v, nil
}

func (c *call) host(i int) (*host, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	h := c.st.hosts[ref]
	if h == nil {
		return nil, handleInvalid("host", ref)
	}
	return h, nil
}

func (c *call) vdi(i int) (*vdi, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	d := c.st.vdis[ref]
	if d == nil {
		return nil, handleInvalid("VDI", ref)
	}
	return d, nil
}

func (c *call) sr(i int) (*sr, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	r := c.st.srs[ref]
	if r == nil {
		return nil, handleInvalid("SR", ref)
	}
	return r, nil
}

// --- record parameters (the argument of <class>.create) ---

// fields is a record parameter, field by field.
type fields map[string]json.RawMessage

func (f fields) str(name string, def *string) (string, error) {
	raw, ok := f[name]
	if !ok {
		if def == nil {
			return "", fieldTypeError(name)
		}
		return *def, nil
	}
	v, ok := stringOf(raw)
	if !ok {
		return "", fieldTypeError(name)
	}
	return v, nil
}

func (f fields) int(name string, def *int64) (int64, error) {
	raw, ok := f[name]
	if !ok {
		if def == nil {
			return 0, fieldTypeError(name)
		}
		return *def, nil
	}
	v, err := intOf(raw)
	if err != nil {
		return 0, fieldTypeError(name)
	}
	return v, nil
}

func (f fields) bool(name string, def *bool) (bool, error) {
	raw, ok := f[name]
	if !ok {
		if def == nil {
			return false, fieldTypeError(name)
		}
		return *def, nil
	}
	v, ok := boolOf(raw)
	if !ok {
		return false, fieldTypeError(name)
	}
	return v, nil
}

func (f fields) strMap(name string) (map[string]string, error) {
	raw, ok := f[name]
	if !ok {
		return map[string]string{}, nil
	}
	v, ok := strMapOf(raw)
	if !ok {
		return nil, fieldTypeError(name)
	}
	return v, nil
}

// enum reads a string field that must be one of values.
func (f fields) enum(name string, def *string, values ...string) (string, error) {
	v, err := f.str(name, def)
	if err != nil {
		return "", err
	}
	for _, x := range values {
		if v == x {
			return v, nil
		}
	}
	return "", invalidValue(name, v)
}

func ptr[T any](v T) *T { return &v }
