package xapitest

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// post sends a raw body to /jsonrpc and returns the status and body.
func post(t *testing.T, s *Server, body string) (int, string) {
	t.Helper()
	resp, err := s.Client().Post(s.URL+"/jsonrpc", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWireFormat(t *testing.T) {
	s, c := newPool(t, Options{})
	tests := []struct {
		name string
		body string
		want string // exact JSON of the response, or "" for an HTTP 500 page
	}{
		{"v2 success", `{"jsonrpc":"2.0","method":"session.logout","params":["` + c.loginAs("root", "password") + `"],"id":7}`,
			`{"id":7,"jsonrpc":"2.0","result":""}`},
		{"v2 failure", `{"jsonrpc":"2.0","method":"VM.get_all","params":["OpaqueRef:nope"],"id":"x"}`,
			`{"error":{"code":1,"data":["OpaqueRef:nope"],"message":"SESSION_INVALID"},"id":"x","jsonrpc":"2.0"}`},
		{"v1 failure", `{"method":"VM.get_all","params":["OpaqueRef:nope"],"id":"x"}`,
			`{"error":["SESSION_INVALID","OpaqueRef:nope"],"id":"x","result":null}`},
		{"v1 success", `{"method":"session.logout","params":["` + c.loginAs("root", "password") + `"],"id":1}`,
			`{"error":null,"id":1,"result":""}`},
		{"no params", `{"jsonrpc":"2.0","method":"session.login_with_password","id":0}`, ""},
		{"null id", `{"jsonrpc":"2.0","method":"VM.get_all","params":[],"id":null}`, ""},
		{"no id", `{"jsonrpc":"2.0","method":"VM.get_all","params":[]}`, ""},
		{"no method", `{"jsonrpc":"2.0","params":[],"id":1}`, ""},
		{"bad version", `{"jsonrpc":"1.5","method":"VM.get_all","params":[],"id":1}`, ""},
		{"not JSON", `{"jsonrpc":`, ""},
		{"params not an array", `{"jsonrpc":"2.0","method":"VM.get_all","params":{},"id":1}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, s, tt.body)
			if tt.want == "" {
				if status != http.StatusInternalServerError || !strings.Contains(body, "HTTP 500 internal server error") {
					t.Errorf("got %d %q, want the HTTP 500 page", status, body)
				}
				return
			}
			var got, want any
			if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusOK {
				t.Fatalf("got %d %q", status, body)
			}
			_ = json.Unmarshal([]byte(tt.want), &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %s, want %s", body, tt.want)
			}
		})
	}
}

func TestIntsAreJSONNumbers(t *testing.T) {
	_, c := newPool(t, Options{})
	var r map[string]any
	c.decode(c.must("VM.get_record", c.template()), &r)
	for _, f := range []string{"memory_static_max", "VCPUs_max", "domid"} {
		if _, ok := r[f].(json.Number); !ok {
			t.Errorf("%s = %#v, want a JSON number", f, r[f])
		}
	}
	vm := c.newVM("strict")
	// A number sent as a string, or with a fraction, is a type error.
	c.wantErr("VM.set_VCPUs_max", []any{vm, "2"}, "FIELD_TYPE_ERROR", "value")
	c.wantErr("VM.set_VCPUs_max", []any{vm, 2.5}, "FIELD_TYPE_ERROR", "value")
	c.wantErr("VM.start", []any{vm, "false", false}, "FIELD_TYPE_ERROR", "start_paused")
}

func TestDispatchErrors(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("a")
	host := c.hosts()[0]
	tests := []struct {
		method string
		params []any
		code   string
		data   []string
	}{
		{"VM.frobnicate", []any{vm}, "MESSAGE_METHOD_UNKNOWN", []string{"VM.frobnicate"}},
		{"VM.get_no_such_field", []any{vm}, "MESSAGE_METHOD_UNKNOWN", []string{"VM.get_no_such_field"}},
		{"Async.VM.get_record", []any{vm}, "MESSAGE_METHOD_UNKNOWN", []string{"Async.VM.get_record"}},
		{"Async.task.cancel", []any{vm}, "MESSAGE_METHOD_UNKNOWN", []string{"Async.task.cancel"}},
		{"VM.get_record", []any{}, "MESSAGE_PARAMETER_COUNT_MISMATCH", []string{"VM.get_record", "2", "1"}},
		{"VM.clone", []any{vm}, "MESSAGE_PARAMETER_COUNT_MISMATCH", []string{"VM.clone", "3", "2"}},
		{"Async.VM.start", []any{vm, false}, "MESSAGE_PARAMETER_COUNT_MISMATCH", []string{"Async.VM.start", "4", "3"}},
		{"VM.get_record", []any{host}, "HANDLE_INVALID", []string{"VM", host}},
		{"VM.get_record", []any{"OpaqueRef:NULL"}, "HANDLE_INVALID", []string{"VM", "OpaqueRef:NULL"}},
		{"host.get_record", []any{vm}, "HANDLE_INVALID", []string{"host", vm}},
		{"VDI.destroy", []any{vm}, "HANDLE_INVALID", []string{"VDI", vm}},
		{"VM.start_on", []any{vm, vm, false, false}, "HANDLE_INVALID", []string{"host", vm}},
		{"VM.get_by_uuid", []any{"00000000-0000-0000-0000-000000000000"}, "UUID_INVALID",
			[]string{"VM", "00000000-0000-0000-0000-000000000000"}},
		{"VM.get_record", []any{42}, "FIELD_TYPE_ERROR", []string{"self"}},
	}
	for _, tt := range tests {
		c.wantErr(tt.method, tt.params, tt.code, tt.data...)
	}
}

func TestGettersAndLookups(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("lookup me")
	uuid := c.str("VM.get_uuid", vm)
	if got := c.str("VM.get_by_uuid", uuid); got != vm {
		t.Errorf("VM.get_by_uuid = %s, want %s", got, vm)
	}
	if got := c.refs(c.must("VM.get_by_name_label", "lookup me")); len(got) != 1 || got[0] != vm {
		t.Errorf("VM.get_by_name_label = %v, want [%s]", got, vm)
	}
	if got := c.str("VM.get_power_state", vm); got != "Halted" {
		t.Errorf("VM.get_power_state = %q", got)
	}
	var all map[string]map[string]any
	c.decode(c.must("VM.get_all_records"), &all)
	if all[vm]["name_label"] != "lookup me" {
		t.Errorf("VM.get_all_records[%s] = %v", vm, all[vm])
	}
	// A real pool lists its control domains among the VMs.
	dom0s := 0
	for _, r := range all {
		if r["is_control_domain"] == true {
			dom0s++
		}
	}
	if dom0s != 2 {
		t.Errorf("%d control domains, want one per host (2)", dom0s)
	}
}
