package xapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// client speaks raw JSON-RPC 2.0 to a Server, as any XenAPI client would.
type client struct {
	t       testing.TB
	url     string
	http    *http.Client
	session string
	id      atomic.Int64
}

// rpcError is the error member of a JSON-RPC 2.0 response.
type rpcError struct {
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Data    []string `json:"data"`
}

// newPool starts a server and logs in to it.
func newPool(t testing.TB, opts Options) (*Server, *client) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	c := &client{t: t, url: s.URL, http: s.Client()}
	c.session = c.loginAs(s.opts.Username, s.opts.Password)
	return s, c
}

// with is c reporting to another test.
func (c *client) with(t testing.TB) *client {
	return &client{t: t, url: c.url, http: c.http, session: c.session}
}

func (c *client) loginAs(user, password string) string {
	c.t.Helper()
	var ref string
	c.decode(c.mustRaw("session.login_with_password", user, password, "1.0", "xapitest"), &ref)
	return ref
}

// raw calls method with exactly params (no session added).
func (c *client) raw(method string, params ...any) (json.RawMessage, *rpcError) {
	c.t.Helper()
	if params == nil {
		params = []any{}
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": c.id.Add(1)})
	resp, err := c.http.Post(c.url+"/jsonrpc", "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %s", method, resp.Status)
	}
	var out struct {
		JSONRPC string          `json:"jsonrpc"`
		Result  json.RawMessage `json:"result"`
		Error   *rpcError       `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatalf("%s: decoding the response: %v", method, err)
	}
	if out.JSONRPC != "2.0" {
		c.t.Fatalf("%s: response jsonrpc = %q, want 2.0", method, out.JSONRPC)
	}
	return out.Result, out.Error
}

func (c *client) mustRaw(method string, params ...any) json.RawMessage {
	c.t.Helper()
	res, e := c.raw(method, params...)
	if e != nil {
		c.t.Fatalf("%s%v: %s%v", method, params, e.Message, e.Data)
	}
	return res
}

// call calls method with the session first.
func (c *client) call(method string, params ...any) (json.RawMessage, *rpcError) {
	c.t.Helper()
	return c.raw(method, append([]any{c.session}, params...)...)
}

func (c *client) must(method string, params ...any) json.RawMessage {
	c.t.Helper()
	return c.mustRaw(method, append([]any{c.session}, params...)...)
}

func (c *client) str(method string, params ...any) string {
	c.t.Helper()
	var s string
	c.decode(c.must(method, params...), &s)
	return s
}

func (c *client) rec(class, ref string) map[string]any {
	c.t.Helper()
	var m map[string]any
	c.decode(c.must(class+".get_record", ref), &m)
	return m
}

func (c *client) decode(raw json.RawMessage, v any) {
	c.t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		c.t.Fatalf("decoding %s: %v", raw, err)
	}
}

// wantErr checks that a call fails with code and exactly data.
func (c *client) wantErr(method string, params []any, code string, data ...string) {
	c.t.Helper()
	_, e := c.call(method, params...)
	checkErr(c.t, method, e, code, data...)
}

func checkErr(t testing.TB, what string, e *rpcError, code string, data ...string) {
	t.Helper()
	if data == nil {
		data = []string{}
	}
	switch {
	case e == nil:
		t.Errorf("%s succeeded, want %s%v", what, code, data)
	case e.Code != 1 || e.Message != code || !reflect.DeepEqual(e.Data, data):
		t.Errorf("%s failed with {code %d, %s%q}, want {code 1, %s%q}", what, e.Code, e.Message, e.Data, code, data)
	}
}

// await polls a task until it is done and returns its record.
func (c *client) await(task string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.rec("task", task)
		if st := r["status"]; st != "pending" && st != "cancelling" {
			return r
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("task %s still %v", task, r["status"])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// errorInfo is a task record's error_info as strings.
func errorInfo(r map[string]any) []string {
	var out []string
	for _, x := range r["error_info"].([]any) {
		out = append(out, x.(string))
	}
	return out
}

// resultRef extracts the reference from a task result "<value>ref</value>".
func resultRef(t testing.TB, r map[string]any) string {
	t.Helper()
	s, _ := r["result"].(string)
	ref, ok := strings.CutPrefix(s, "<value>")
	ref, ok2 := strings.CutSuffix(ref, "</value>")
	if !ok || !ok2 || !strings.HasPrefix(ref, "OpaqueRef:") {
		t.Fatalf("task result %q is not <value>OpaqueRef:…</value>", s)
	}
	return ref
}

// --- fixtures ---

func (c *client) template() string {
	c.t.Helper()
	var refs []string
	c.decode(c.must("VM.get_by_name_label", templateName), &refs)
	if len(refs) != 1 {
		c.t.Fatalf("templates named %q: %v", templateName, refs)
	}
	return refs[0]
}

// newVM installs a halted VM from the built-in template: clone, provision,
// and make it a VM, as clients do.
func (c *client) newVM(name string) string {
	c.t.Helper()
	ref := c.str("VM.clone", c.template(), name)
	c.must("VM.provision", ref)
	c.must("VM.set_is_a_template", ref, false)
	return ref
}

// vmIn makes a VM and brings it to a power state.
func (c *client) vmIn(name, power string) string {
	c.t.Helper()
	ref := c.newVM(name)
	switch power {
	case halted:
	case running:
		c.must("VM.start", ref, false, false)
	case paused:
		c.must("VM.start", ref, true, false)
	case suspended:
		c.must("VM.start", ref, false, false)
		c.must("VM.suspend", ref)
	default:
		c.t.Fatalf("no power state %q", power)
	}
	return ref
}

func (c *client) power(ref string) string {
	c.t.Helper()
	return c.str("VM.get_power_state", ref)
}

func (c *client) hosts() []string {
	c.t.Helper()
	var refs []string
	c.decode(c.must("host.get_all"), &refs)
	return refs
}

func (c *client) defaultSR() string {
	c.t.Helper()
	pool := c.poolRef()
	return c.str("pool.get_default_SR", pool)
}

func (c *client) poolRef() string {
	c.t.Helper()
	var refs []string
	c.decode(c.must("pool.get_all"), &refs)
	return refs[0]
}

func (c *client) managementNetwork() string {
	c.t.Helper()
	var refs []string
	c.decode(c.must("network.get_by_name_label", "Pool-wide network associated with eth0"), &refs)
	return refs[0]
}

func (c *client) newVDI(size int64) string {
	c.t.Helper()
	return c.str("VDI.create", map[string]any{"name_label": "disk", "SR": c.defaultSR(),
		"virtual_size": size, "type": "user", "sharable": false, "read_only": false,
		"other_config": map[string]string{}})
}

func (c *client) newVIF(vmRef, network, device string) string {
	c.t.Helper()
	return c.str("VIF.create", map[string]any{"device": device, "network": network, "VM": vmRef,
		"MAC": "", "MTU": 1500, "other_config": map[string]string{},
		"qos_algorithm_type": "", "qos_algorithm_params": map[string]string{}})
}

func vbdArgs(vmRef, vdiRef, device string) map[string]any {
	return map[string]any{"VM": vmRef, "VDI": vdiRef, "userdevice": device, "bootable": false,
		"mode": "RW", "type": "Disk", "empty": false, "other_config": map[string]string{},
		"qos_algorithm_type": "", "qos_algorithm_params": map[string]string{}}
}

// refs decodes a JSON array of references.
func (c *client) refs(raw json.RawMessage) []string {
	c.t.Helper()
	var out []string
	c.decode(raw, &out)
	return out
}

func (c *client) vbdsOf(vmRef string) []string {
	c.t.Helper()
	return c.refs(c.must("VM.get_VBDs", vmRef))
}

func (c *client) diskVDIs(vmRef string) []string {
	c.t.Helper()
	var out []string
	for _, b := range c.vbdsOf(vmRef) {
		r := c.rec("VBD", b)
		if r["type"] == "Disk" {
			out = append(out, r["VDI"].(string))
		}
	}
	slices.Sort(out)
	return out
}

func num(v any) int64 {
	n, err := v.(json.Number).Int64()
	if err != nil {
		panic(fmt.Sprintf("%v is not an integer", v))
	}
	return n
}
