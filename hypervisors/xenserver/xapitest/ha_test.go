package xapitest

import (
	"testing"
)

// TestHostDown walks the HA path: a member goes down, its VMs are reset
// and restarted elsewhere.
func TestHostDown(t *testing.T) {
	s, c := newPool(t, Options{})
	hosts := c.hosts()
	vm := c.newVM("ha")
	c.must("VM.start_on", vm, hosts[1], false, false)
	if !s.SetHostDown("host2", true) {
		t.Fatal("SetHostDown")
	}
	if s.SetHostDown("nope", true) {
		t.Error("SetHostDown of an unknown host succeeded")
	}
	// The member stops answering.
	if _, err := s.Client().Post(s.SlaveURL+"/jsonrpc", "application/json", nil); err == nil {
		t.Error("a host that is down answered")
	}
	if live := c.rec("host_metrics", c.str("host.get_metrics", hosts[1]))["live"]; live != false {
		t.Errorf("host_metrics.live = %v, want false", live)
	}
	c.wantErr("VM.hard_shutdown", []any{vm}, "HOST_OFFLINE", hosts[1])
	c.wantErr("VM.clean_reboot", []any{vm}, "HOST_OFFLINE", hosts[1])
	if c.power(vm) != "Running" {
		t.Error("the VM of a dead host changed state by itself")
	}
	c.must("VM.power_state_reset", vm)
	c.must("VM.start", vm, false, false)
	if got := c.str("VM.get_resident_on", vm); got != hosts[0] {
		t.Errorf("restarted on %s, want %s", got, hosts[0])
	}
	s.SetHostDown("host2", false)
	slave := &client{t: t, url: s.SlaveURL, http: s.Client(), session: c.session}
	slave.must("VM.get_all")
}
