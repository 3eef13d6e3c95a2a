package xapitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestVDICreateAndSRAccounting(t *testing.T) {
	_, c := newPool(t, Options{SRs: []SRSpec{{Name: "small", SizeBytes: 10 << 30}}})
	sr := c.defaultSR()
	d := c.newVDI(4 << 30)
	r := c.rec("SR", sr)
	if num(r["virtual_allocation"]) != 4<<30 || num(r["physical_size"]) != 10<<30 || r["type"] != "ext" || r["shared"] != true {
		t.Errorf("SR record: %v", r)
	}
	if vdis := c.refs(c.must("SR.get_VDIs", sr)); !slices.Contains(vdis, d) {
		t.Errorf("SR.VDIs = %v, want %s among them", vdis, d)
	}
	args := map[string]any{"SR": sr, "virtual_size": int64(7 << 30), "type": "user",
		"sharable": false, "read_only": false, "other_config": map[string]string{}}
	c.wantErr("VDI.create", []any{args}, "SR_FULL", itoa(11<<30), itoa(10<<30))
	tests := []struct {
		name   string
		change func(map[string]any)
		code   string
		data   []string
	}{
		{"no SR", func(m map[string]any) { delete(m, "SR") }, "FIELD_TYPE_ERROR", []string{"SR"}},
		{"bad SR", func(m map[string]any) { m["SR"] = d }, "HANDLE_INVALID", []string{"SR", d}},
		{"size as string", func(m map[string]any) { m["virtual_size"] = "1024" }, "FIELD_TYPE_ERROR", []string{"virtual_size"}},
		{"bad type", func(m map[string]any) { m["type"] = "disk" }, "INVALID_VALUE", []string{"type", "disk"}},
	}
	for _, tt := range tests {
		a := map[string]any{}
		for k, v := range args {
			a[k] = v
		}
		a["virtual_size"] = int64(1 << 20)
		tt.change(a)
		_, e := c.call("VDI.create", a)
		checkErr(t, tt.name, e, tt.code, tt.data...)
	}
	// Resize: grow only, within the SR.
	c.must("VDI.resize", d, 5<<30)
	c.wantErr("VDI.resize", []any{d, 4 << 30}, "SR_BACKEND_FAILURE_79", "", "VDI Invalid size [opterr=shrinking not allowed]", "")
	c.wantErr("VDI.resize", []any{d, 11 << 30}, "SR_FULL", itoa(11<<30), itoa(10<<30))
	if got := num(c.rec("VDI", d)["virtual_size"]); got != 5<<30 {
		t.Errorf("virtual_size = %d, want 5 GiB", got)
	}
	// Copy into the same SR: 5 + 5 fits exactly; another does not.
	cp := c.str("VDI.copy", d, sr)
	if num(c.rec("VDI", cp)["virtual_size"]) != 5<<30 {
		t.Error("copy has another size")
	}
	c.wantErr("VDI.copy", []any{d, sr}, "SR_FULL", itoa(15<<30), itoa(10<<30))
	c.must("VDI.destroy", cp)
	c.wantErr("VDI.get_record", []any{cp}, "HANDLE_INVALID", "VDI", cp)
}

func TestVDIInUse(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("user")
	disk := c.diskVDIs(vm)[0]
	c.must("VM.start", vm, false, false)
	for _, op := range []struct {
		method string
		args   []any
		name   string
	}{
		{"VDI.destroy", []any{disk}, "destroy"},
		{"VDI.resize", []any{disk, 16 << 30}, "resize"},
		{"VDI.copy", []any{disk, c.defaultSR()}, "copy"},
	} {
		c.wantErr(op.method, op.args, "VDI_IN_USE", disk, op.name)
	}
	c.must("VM.suspend", vm)
	c.wantErr("VDI.destroy", []any{disk}, "VDI_IN_USE", disk, "destroy")
	c.must("VM.hard_shutdown", vm)
	c.must("VDI.resize", disk, 16<<30)
	// Destroying the disk of a halted VM also removes its VBD.
	vbds := c.vbdsOf(vm)
	c.must("VDI.destroy", disk)
	if got := c.vbdsOf(vm); len(got) != len(vbds)-1 {
		t.Errorf("VBDs after VDI.destroy = %v, want one fewer than %v", got, vbds)
	}
}

func TestVBDs(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("vbd")
	d := c.newVDI(1 << 30)
	c.wantErr("VBD.create", []any{vbdArgs(vm, d, "0")}, "DEVICE_ALREADY_EXISTS", "0")
	c.wantErr("VBD.create", []any{vbdArgs(vm, d, "sixteen")}, "INVALID_DEVICE", "sixteen")
	cd := vbdArgs(vm, "OpaqueRef:NULL", "3")
	cd["type"], cd["empty"] = "CD", true
	c.wantErr("VBD.create", []any{cd}, "VBD_CDS_MUST_BE_READONLY")
	cd["mode"] = "RO"
	c.must("VBD.create", cd)
	emptyDisk := vbdArgs(vm, "OpaqueRef:NULL", "4")
	emptyDisk["empty"] = true
	c.wantErr("VBD.create", []any{emptyDisk}, "VBD_NOT_REMOVABLE_MEDIA", "in constructor")
	bad := vbdArgs(vm, d, "1")
	bad["mode"] = "rw"
	c.wantErr("VBD.create", []any{bad}, "INVALID_VALUE", "mode", "rw")
	auto := vbdArgs(vm, d, "autodetect")
	b := c.str("VBD.create", auto)
	r := c.rec("VBD", b)
	if r["userdevice"] != "1" || r["VM"] != vm || r["VDI"] != d || r["currently_attached"] != false {
		t.Errorf("VBD record: %v", r)
	}
	c.must("VM.start", vm, false, false)
	uuid, vmUUID := r["uuid"].(string), c.str("VM.get_uuid", vm)
	c.wantErr("VBD.destroy", []any{b}, "OPERATION_NOT_ALLOWED",
		"VBD '"+uuid+"' still attached to '"+vmUUID+"'")
	c.must("VM.hard_shutdown", vm)
	c.must("VBD.destroy", b)
	c.rec("VDI", d) // fails the test when VBD.destroy removed the VDI
}

// put uploads body to /import_raw_vdi with the given query.
func put(t *testing.T, s *Server, query url.Values, body io.Reader, length int64) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/import_raw_vdi?"+query.Encode(), body)
	req.ContentLength = length
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp
}

func TestImportRawVDI(t *testing.T) {
	s, c := newPool(t, Options{})
	d := c.newVDI(1 << 20)
	uuid := c.str("VDI.get_uuid", d)
	data := bytes.Repeat([]byte("cloudcore"), 200000)[:1<<20-5]
	q := url.Values{"session_id": {c.session}, "vdi": {d}, "format": {"raw"}}
	if resp := put(t, s, q, bytes.NewReader(data), int64(len(data))); resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %s", resp.Status)
	}
	got, err := s.VDIContent(uuid)
	if err != nil || !bytes.Equal(got[:len(data)], data) || len(got) != 1<<20 {
		t.Errorf("content after import: %d bytes, err %v", len(got), err)
	}
	if num(c.rec("VDI", d)["physical_utilisation"]) == 0 {
		t.Error("physical_utilisation is 0 after an import")
	}

	task := c.str("task.create", "upload", "")
	big := bytes.Repeat([]byte{1}, 1<<20+1)
	q.Set("task_id", task)
	if resp := put(t, s, q, bytes.NewReader(big), int64(len(big))); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("oversized import: %s, want 500", resp.Status)
	}
	if r := c.await(task); r["status"] != "failure" || errorInfo(r)[0] != "INTERNAL_ERROR" {
		t.Errorf("oversized import task: %v %v", r["status"], r["error_info"])
	}
	if got, _ := s.VDIContent(uuid); !bytes.Equal(got[:len(data)], data) {
		t.Error("a failed import changed the content")
	}
	q.Del("task_id")

	bad := func(name string, change func(url.Values), body io.Reader, length int64, want int) {
		t.Helper()
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		change(qq)
		if resp := put(t, s, qq, body, length); resp.StatusCode != want {
			t.Errorf("%s: %s, want %d", name, resp.Status, want)
		}
	}
	bad("no session", func(v url.Values) { v.Del("session_id") }, strings.NewReader("x"), 1, http.StatusUnauthorized)
	bad("expired session", func(v url.Values) { v.Set("session_id", "OpaqueRef:x") }, strings.NewReader("x"), 1, http.StatusUnauthorized)
	bad("vhd", func(v url.Values) { v.Set("format", "qcow2") }, strings.NewReader("x"), 1, http.StatusNotFound)
	bad("bad VDI", func(v url.Values) { v.Set("vdi", "OpaqueRef:x") }, strings.NewReader("x"), 1, http.StatusInternalServerError)
	bad("chunked", func(url.Values) {}, io.MultiReader(strings.NewReader("x")), -1, http.StatusForbidden)

	vm := c.newVM("busy")
	c.must("VM.start", vm, false, false)
	bad("attached", func(v url.Values) { v.Set("vdi", c.diskVDIs(vm)[0]) }, strings.NewReader("x"), 1, http.StatusInternalServerError)
	if n := s.Counts().Tasks; n != 1 {
		t.Errorf("%d tasks left, want only the one created", n)
	}
}

func TestStoredBytesCap(t *testing.T) {
	s, c := newPool(t, Options{MaxStoredBytes: 1 << 20})
	d := c.newVDI(4 << 20)
	data := bytes.Repeat([]byte{7}, 2<<20)
	q := url.Values{"session_id": {c.session}, "vdi": {d}}
	if resp := put(t, s, q, bytes.NewReader(data), int64(len(data))); resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %s", resp.Status)
	}
	if _, err := s.VDIContent(c.str("VDI.get_uuid", d)); err == nil {
		t.Error("VDIContent of content over the cap succeeded")
	}
}

// TestAddVDI seeds a template disk as an administrator would: clients
// find it by its name, on the SR SRName names, with its content.
func TestAddVDI(t *testing.T) {
	s, c := newPool(t, Options{})
	id, err := s.AddVDI("tiny", 1<<20, []byte("boot"))
	if err != nil {
		t.Fatal(err)
	}
	refs := c.must("VDI.get_by_name_label", "tiny")
	var list []string
	c.decode(refs, &list)
	if len(list) != 1 {
		t.Fatalf("VDI.get_by_name_label tiny = %v, want one VDI", list)
	}
	rec := c.rec("VDI", list[0])
	sr := c.rec("SR", rec["SR"].(string))
	if rec["uuid"] != id || sr["name_label"] != s.SRName() || rec["virtual_size"] != json.Number("1048576") {
		t.Errorf("the VDI is %v on SR %v, want UUID %s and 1 MiB on %q", rec, sr["name_label"], id, s.SRName())
	}
	if data, err := s.VDIContent(id); err != nil || string(data[:4]) != "boot" {
		t.Errorf("VDIContent = %q…, %v; want it to start with boot", data[:8], err)
	}
	if _, err := s.AddVDI("big", 4, []byte("too long")); err == nil {
		t.Error("AddVDI of content larger than the VDI succeeded")
	}
	if _, err := s.AddVDI("huge", 1<<50, nil); err == nil {
		t.Error("AddVDI larger than the SR succeeded")
	}
}

// TestVDICopyInto copies a disk into an existing VDI (VDI.copy's
// into_vdi, with null sr and base_vdi): the content arrives, a smaller
// target is VDI_TOO_SMALL, and the call still takes its two-parameter form
// but no other count.
func TestVDICopyInto(t *testing.T) {
	s, c := newPool(t, Options{})
	srcID, err := s.AddVDI("source", 1<<20, []byte("golden image"))
	if err != nil {
		t.Fatal(err)
	}
	src := c.str("VDI.get_by_uuid", srcID)
	into := c.newVDI(2 << 20)
	if got := c.str("VDI.copy", src, nullRef, nullRef, into); got != into {
		t.Errorf("VDI.copy into %s returned %s", into, got)
	}
	data, err := s.VDIContent(c.rec("VDI", into)["uuid"].(string))
	if err != nil || string(data[:12]) != "golden image" {
		t.Errorf("the target holds %q…, %v; want the source's content", data[:12], err)
	}
	small := c.newVDI(1 << 19)
	c.wantErr("VDI.copy", []any{src, nullRef, nullRef, small}, "VDI_TOO_SMALL", small, itoa(1<<20))
	c.wantErr("VDI.copy", []any{src, c.defaultSR(), nullRef}, "MESSAGE_PARAMETER_COUNT_MISMATCH", "VDI.copy", "5", "4")
	if fresh := c.str("VDI.copy", src, c.defaultSR()); fresh == src || fresh == into {
		t.Errorf("VDI.copy to an SR returned %s, want a fresh VDI", fresh)
	}
}
