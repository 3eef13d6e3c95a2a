package xenapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// succeedTasks makes every Async call of f start a task that has
// succeeded with the XML-RPC-encoded result "<value>result</value>".
func succeedTasks(f *fakeXAPI, result string) {
	f.mu.Lock()
	for _, m := range []string{"VM.clone", "VM.provision", "VM.start_on", "VM.clean_shutdown", "VM.hard_shutdown",
		"VM.clean_reboot", "VM.snapshot", "VM.checkpoint", "VM.revert", "VDI.copy"} {
		f.handlers["Async."+m] = func([]json.RawMessage) (any, *xapiFault) { return "OpaqueRef:task", nil }
	}
	f.mu.Unlock()
	f.handle("task.get_record", func([]json.RawMessage) (any, *xapiFault) {
		return map[string]any{"status": "success", "progress": 1.0, "result": "<value>" + result + "</value>", "error_info": []string{}}, nil
	})
	f.handle("task.destroy", func([]json.RawMessage) (any, *xapiFault) { return "", nil })
}

// TestRequestWireFormat checks the exact JSON-RPC v2.0 body of each
// wrapper's request: jsonrpc "2.0", the method, positional params with the
// session first (the documented example is host.get_resident_VMs with
// params [session, host]), an integer id, POSTed as application/json to
// /jsonrpc.
func TestRequestWireFormat(t *testing.T) {
	const s = `"OpaqueRef:session-1"`
	for _, tc := range []struct {
		method string // as sent
		params string // compact JSON
		do     func(ctx context.Context, c *Client) error
	}{
		{"session.login_with_password", `["root","secret","1.0","cloudcore"]`, nil},
		{"VM.get_record", `[` + s + `,"OpaqueRef:vm"]`, func(ctx context.Context, c *Client) error {
			_, err := c.VM.GetRecord(ctx, "OpaqueRef:vm")
			return err
		}},
		{"VM.get_all_records", `[` + s + `]`, func(ctx context.Context, c *Client) error {
			_, err := c.VM.GetAllRecords(ctx)
			return err
		}},
		{"VM.set_memory_limits", `[` + s + `,"OpaqueRef:vm",268435456,4294967296,536870912,2147483648]`, func(ctx context.Context, c *Client) error {
			return c.VM.SetMemoryLimits(ctx, "OpaqueRef:vm", 256<<20, 4<<30, 512<<20, 2<<30)
		}},
		{"VM.set_VCPUs_max", `[` + s + `,"OpaqueRef:vm",4]`, func(ctx context.Context, c *Client) error {
			return c.VM.SetVCPUsMax(ctx, "OpaqueRef:vm", 4)
		}},
		{"VM.set_is_a_template", `[` + s + `,"OpaqueRef:vm",false]`, func(ctx context.Context, c *Client) error {
			return c.VM.SetIsATemplate(ctx, "OpaqueRef:vm", false)
		}},
		{"VM.add_to_other_config", `[` + s + `,"OpaqueRef:vm","cloudcore-id","i-1"]`, func(ctx context.Context, c *Client) error {
			return c.VM.AddToOtherConfig(ctx, "OpaqueRef:vm", "cloudcore-id", "i-1")
		}},
		{"VM.remove_from_other_config", `[` + s + `,"OpaqueRef:vm","cloudcore-id"]`, func(ctx context.Context, c *Client) error {
			return c.VM.RemoveFromOtherConfig(ctx, "OpaqueRef:vm", "cloudcore-id")
		}},
		{"Async.VM.start_on", `[` + s + `,"OpaqueRef:vm","OpaqueRef:host",false,true]`, func(ctx context.Context, c *Client) error {
			return c.VM.StartOn(ctx, "OpaqueRef:vm", "OpaqueRef:host", false, true)
		}},
		{"Async.VM.clone", `[` + s + `,"OpaqueRef:tpl","i-1"]`, func(ctx context.Context, c *Client) error {
			_, err := c.VM.Clone(ctx, "OpaqueRef:tpl", "i-1")
			return err
		}},
		{"Async.VM.revert", `[` + s + `,"OpaqueRef:snap"]`, func(ctx context.Context, c *Client) error {
			return c.VM.Revert(ctx, "OpaqueRef:snap")
		}},
		{"Async.VDI.copy", `[` + s + `,"OpaqueRef:vdi","OpaqueRef:NULL","OpaqueRef:NULL","OpaqueRef:into"]`, func(ctx context.Context, c *Client) error {
			return c.VDI.CopyInto(ctx, "OpaqueRef:vdi", "OpaqueRef:into")
		}},
		{"VDI.create", `[` + s + `,{"name_label":"root","name_description":"","SR":"OpaqueRef:sr","virtual_size":10737418240,"type":"user","sharable":false,"read_only":false,"other_config":{}}]`,
			func(ctx context.Context, c *Client) error {
				_, err := c.VDI.Create(ctx, VDISpec{NameLabel: "root", SR: "OpaqueRef:sr", VirtualSize: 10 << 30, Type: VDITypeUser})
				return err
			}},
		{"VDI.resize", `[` + s + `,"OpaqueRef:vdi",21474836480]`, func(ctx context.Context, c *Client) error {
			return c.VDI.Resize(ctx, "OpaqueRef:vdi", 20<<30)
		}},
		{"VBD.create", `[` + s + `,{"VM":"OpaqueRef:vm","VDI":"OpaqueRef:vdi","userdevice":"0","bootable":true,"mode":"RW","type":"Disk","empty":false,"other_config":{},"qos_algorithm_type":"","qos_algorithm_params":{}}]`,
			func(ctx context.Context, c *Client) error {
				_, err := c.VBD.Create(ctx, VBDSpec{VM: "OpaqueRef:vm", VDI: "OpaqueRef:vdi", UserDevice: "0", Bootable: true, Mode: VBDModeRW, Type: VBDTypeDisk})
				return err
			}},
		{"VIF.create", `[` + s + `,{"device":"0","network":"OpaqueRef:net","VM":"OpaqueRef:vm","MAC":"02:00:00:00:00:01","MTU":1500,"other_config":{"k":"v"},"qos_algorithm_type":"","qos_algorithm_params":{}}]`,
			func(ctx context.Context, c *Client) error {
				_, err := c.VIF.Create(ctx, VIFSpec{Device: "0", Network: "OpaqueRef:net", VM: "OpaqueRef:vm", MAC: "02:00:00:00:00:01", MTU: 1500, OtherConfig: map[string]string{"k": "v"}})
				return err
			}},
		{"network.create", `[` + s + `,{"name_label":"guest","name_description":"","MTU":1500,"other_config":{}}]`, func(ctx context.Context, c *Client) error {
			_, err := c.Network.Create(ctx, NetworkSpec{NameLabel: "guest", MTU: 1500})
			return err
		}},
		{"VLAN.create", `[` + s + `,"OpaqueRef:pif",100,"OpaqueRef:net"]`, func(ctx context.Context, c *Client) error {
			_, err := c.VLAN.Create(ctx, "OpaqueRef:pif", 100, "OpaqueRef:net")
			return err
		}},
		{"task.cancel", `[` + s + `,"OpaqueRef:task"]`, func(ctx context.Context, c *Client) error {
			return c.Task.Cancel(ctx, "OpaqueRef:task")
		}},
		{"session.logout", `[` + s + `]`, func(ctx context.Context, c *Client) error {
			return c.Logout(ctx)
		}},
	} {
		t.Run(tc.method, func(t *testing.T) {
			f := newFake(t)
			succeedTasks(f, "OpaqueRef:new")
			if _, ok := f.handlers[tc.method]; !ok && !strings.HasPrefix(tc.method, "session.") {
				f.handle(tc.method, func([]json.RawMessage) (any, *xapiFault) { return emptyResult(tc.method), nil })
			}
			c := newClient(t, f)
			if tc.do != nil {
				if err := tc.do(t.Context(), c); err != nil {
					t.Fatalf("call: %v", err)
				}
			}
			seen := f.seen(tc.method)
			if len(seen) != 1 {
				t.Fatalf("the server got %d %s requests, want 1", len(seen), tc.method)
			}
			r := seen[0]
			want := fmt.Sprintf(`{"jsonrpc":"2.0","method":%q,"params":%s,"id":%s}`, tc.method, tc.params, r.ID)
			if r.Body != want {
				t.Errorf("request body\n got %s\nwant %s", r.Body, want)
			}
			if id := string(r.ID); id == "" || id == "null" || strings.HasPrefix(id, `"`) {
				t.Errorf("id = %s, want an integer", id)
			}
			if r.HTTPMethod != "POST" || r.Path != "/jsonrpc" || r.ContentType != "application/json" {
				t.Errorf("sent %s %s as %q, want POST /jsonrpc as application/json", r.HTTPMethod, r.Path, r.ContentType)
			}
		})
	}
}

// TestRequestIDsDiffer checks that every request carries its own id.
func TestRequestIDsDiffer(t *testing.T) {
	f := newFake(t)
	f.handle("VM.get_by_name_label", func([]json.RawMessage) (any, *xapiFault) { return []string{"OpaqueRef:vm"}, nil })
	c := newClient(t, f)
	for range 3 {
		if _, err := c.VM.GetByNameLabel(t.Context(), "web-1"); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, r := range f.seen("VM.get_by_name_label") {
		ids[string(r.ID)] = true
	}
	if len(ids) != 3 {
		t.Errorf("3 requests used %d distinct ids", len(ids))
	}
}

// TestDocumentedResponses decodes the response examples of XenAPI's "Wire
// Protocol" page (section "JSON-RPC v2.0 Return Values" and "Errors"),
// served verbatim except that "id": 3 becomes the request's id.
func TestDocumentedResponses(t *testing.T) {
	t.Run("result: host.get_resident_VMs", func(t *testing.T) {
		f := newFake(t)
		// The documented JSON-RPC v2.0 return value of host.get_resident_VMs.
		f.answer("host.get_resident_VMs", `{
    "jsonrpc": "2.0",
    "result": [
        "OpaqueRef:604f51e7-630f-4412-83fa-b11c6cf008ab",
        "OpaqueRef:670d08f5-cbeb-4336-8420-ccd56390a65f"
    ],
    "id": %d
  }`)
		c := newClient(t, f)
		var vms []VMRef
		if err := c.Call(t.Context(), "host.get_resident_VMs", &vms, HostRef("OpaqueRef:08c34fc9-f418-4f09-8274-b9cb25cd8550")); err != nil {
			t.Fatal(err)
		}
		want := []VMRef{"OpaqueRef:604f51e7-630f-4412-83fa-b11c6cf008ab", "OpaqueRef:670d08f5-cbeb-4336-8420-ccd56390a65f"}
		if !reflect.DeepEqual(vms, want) {
			t.Errorf("result = %v, want %v", vms, want)
		}
	})
	t.Run("error: MAP_DUPLICATE_KEY", func(t *testing.T) {
		f := newFake(t)
		// The documented JSON-RPC v2.0 transmission of MAP_DUPLICATE_KEY.
		f.answer("VM.add_to_other_config", `{
    "jsonrpc": "2.0",
    "error": {
        "code": 1,
        "message": "MAP_DUPLICATE_KEY",
        "data": [
            "Customer",
            "eSpiel Inc.",
            "eSpiel Incorporated"
        ]
    },
    "id": %d
}`)
		c := newClient(t, f)
		err := c.VM.AddToOtherConfig(t.Context(), "OpaqueRef:vm", "Customer", "eSpiel Incorporated")
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("err = %#v, want an *Error", err)
		}
		want := &Error{Method: "VM.add_to_other_config", Code: "MAP_DUPLICATE_KEY", Params: []string{"Customer", "eSpiel Inc.", "eSpiel Incorporated"}}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("err = %#v, want %#v", e, want)
		}
		if !IsCode(err, "MAP_DUPLICATE_KEY") || IsCode(err, CodeHandleInvalid) {
			t.Errorf("IsCode is wrong for %v", err)
		}
		if got := err.Error(); got != "xenapi: VM.add_to_other_config: MAP_DUPLICATE_KEY(Customer, eSpiel Inc., eSpiel Incorporated)" {
			t.Errorf("Error() = %q", got)
		}
	})
	t.Run("malformed request: HTTP 500", func(t *testing.T) {
		f := newFake(t)
		c := newClient(t, f)
		// The documented answer to a malformed JSON-RPC request.
		body := `<html><body><h1>HTTP 500 internal server error</h1>An unexpected error occurred;
 please wait a while and try again. If the problem persists, please contact your
 support representative.<h1> Additional information </h1>Jsonrpc.Malformed_metho
d_request(&quot;{jsonrpc=...,method=...,id=...}&quot;)</body></html>`
		c.rpcHTTP.Transport = statusTransport{500, "text/html", body}
		err := c.Call(t.Context(), "session.login_with_password", nil)
		var te *TransportError
		if !errors.As(err, &te) || te.StatusCode != 500 || !strings.Contains(err.Error(), "500") {
			t.Fatalf("err = %v, want a *TransportError with status 500", err)
		}
		if Code(err) != "" {
			t.Errorf("Code(%v) = %q, want none", err, Code(err))
		}
	})
	t.Run("void: an empty string", func(t *testing.T) {
		f := newFake(t)
		f.answer("VM.set_name_description", `{"jsonrpc": "2.0", "result": "", "id": %d}`)
		c := newClient(t, f)
		if err := c.VM.SetNameDescription(t.Context(), "OpaqueRef:vm", "web 1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("id of another request", func(t *testing.T) {
		f := newFake(t)
		f.answer("VM.set_name_description", `{"jsonrpc": "2.0", "result": "", "id": 999999}`)
		c := newClient(t, f)
		var te *TransportError
		if err := c.VM.SetNameDescription(t.Context(), "OpaqueRef:vm", "web 1"); !errors.As(err, &te) {
			t.Fatalf("err = %v, want a *TransportError", err)
		}
	})
}

// TestRecordsDecode decodes records whose ints come as JSON numbers, as the
// wire protocol documents, and as decimal strings, as XML-RPC sends them.
func TestRecordsDecode(t *testing.T) {
	f := newFake(t)
	f.answer("host_metrics.get_record", `{"jsonrpc":"2.0","result":{"uuid":"m","memory_total":68719476736,"memory_free":"34359738368","live":true},"id":%d}`)
	f.answer("VM.get_record", `{"jsonrpc":"2.0","result":{"uuid":"u","name_label":"web-1","power_state":"Running",
		"resident_on":"OpaqueRef:h","memory_static_max":"4294967296","memory_dynamic_max":2147483648,"VCPUs_max":"4","VCPUs_at_startup":2,
		"VBDs":["OpaqueRef:b"],"VIFs":[],"other_config":{"cloudcore-id":"i-1"},"snapshot_of":"OpaqueRef:NULL","suspend_VDI":"OpaqueRef:NULL",
		"snapshot_time":"19700101T00:00:00Z","is_a_template":false,"HVM_boot_policy":"BIOS order"},"id":%d}`)
	f.answer("host.get_record", `{"jsonrpc":"2.0","result":{"uuid":"h","cpu_info":{"cpu_count":"16","speed":"2394.454"},"enabled":true},"id":%d}`)
	c := newClient(t, f)
	m, err := c.HostMetrics.GetRecord(t.Context(), "OpaqueRef:m")
	if err != nil {
		t.Fatal(err)
	}
	if m.MemoryTotal != 64<<30 || m.MemoryFree != 32<<30 || !m.Live {
		t.Errorf("host metrics = %+v", m)
	}
	vm, err := c.VM.GetRecord(t.Context(), "OpaqueRef:vm")
	if err != nil {
		t.Fatal(err)
	}
	if vm.MemoryStaticMax != 4<<30 || vm.MemoryDynamicMax != 2<<30 || vm.VCPUsMax != 4 || vm.VCPUsAtStartup != 2 ||
		vm.PowerState != PowerRunning || vm.OtherConfig["cloudcore-id"] != "i-1" || !IsNull(vm.SnapshotOf) || IsNull(vm.ResidentOn) {
		t.Errorf("VM record = %+v", vm)
	}
	h, err := c.Host.GetRecord(t.Context(), "OpaqueRef:h")
	if err != nil {
		t.Fatal(err)
	}
	if h.CPUCount() != 16 || h.CPUSpeedMHz() != 2394.454 || !h.Enabled {
		t.Errorf("host = %+v, CPUCount %d, CPUSpeedMHz %v", h, h.CPUCount(), h.CPUSpeedMHz())
	}
}

func TestIntUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Int
		wantErr bool
	}{
		{`17179869184`, 17179869184, false},
		{`"17179869184"`, 17179869184, false},
		{`-1`, -1, false},
		{`"-1"`, -1, false},
		{`4.0`, 4, false},
		{`1e9`, 1000000000, false},
		{`null`, 0, false},
		{`4.5`, 0, true},
		{`"four"`, 0, true},
		{`true`, 0, true},
	} {
		var i Int
		err := json.Unmarshal([]byte(tc.in), &i)
		if (err != nil) != tc.wantErr || i != tc.want {
			t.Errorf("Unmarshal(%s) = %d, %v; want %d, error %v", tc.in, i, err, tc.want, tc.wantErr)
		}
	}
}

// emptyResult is a result of the right JSON type for method.
func emptyResult(method string) any {
	switch {
	case strings.HasSuffix(method, "get_record"), strings.HasSuffix(method, "get_all_records"):
		return map[string]any{}
	case method == "pool.create_VLAN_from_PIF":
		return []string{}
	default:
		return "OpaqueRef:new"
	}
}

// TestErrorDataShapes keeps the parameters of errors whose data is not the
// documented array of strings.
func TestErrorDataShapes(t *testing.T) {
	for _, tc := range []struct {
		data string
		want []string
	}{
		{`["OpaqueRef:vm","halted","running"]`, []string{"OpaqueRef:vm", "halted", "running"}},
		{`[]`, []string{}},
		{`null`, []string{}},
		{`["VM",5,true]`, []string{"VM", "5", "true"}},
		{`"one"`, []string{"one"}},
	} {
		e := (&rpcError{Code: 1, Message: CodeVMBadPowerState, Data: json.RawMessage(tc.data)}).toError("VM.start")
		if e.Code != CodeVMBadPowerState || !reflect.DeepEqual(e.Params, tc.want) {
			t.Errorf("data %s: %#v, want params %q", tc.data, e, tc.want)
		}
	}
	if e := (&rpcError{Code: -32601}).toError("VM.start"); e.Code != "JSON-RPC error -32601" {
		t.Errorf("an error without message has code %q", e.Code)
	}
}
