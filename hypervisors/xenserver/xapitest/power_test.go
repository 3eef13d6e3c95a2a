package xapitest

import (
	"slices"
	"strings"
	"testing"
)

// TestPowerStateTable runs every power operation from every power state:
// either the VM ends in the given state, or the call fails with
// VM_BAD_POWER_STATE [vm, expected, actual] in xapi's wording.
func TestPowerStateTable(t *testing.T) {
	_, c := newPool(t, Options{})
	host := c.hosts()[1]
	type op struct {
		method   string
		args     func(vm string) []any
		expected string // VM_BAD_POWER_STATE's expected states
		results  map[string]string
	}
	vmOnly := func(vm string) []any { return []any{vm} }
	ops := []op{
		{"VM.start", func(vm string) []any { return []any{vm, false, false} }, "halted",
			map[string]string{halted: running}},
		{"VM.start_on", func(vm string) []any { return []any{vm, host, true, false} }, "halted",
			map[string]string{halted: paused}},
		{"VM.clean_shutdown", vmOnly, "running", map[string]string{running: halted}},
		{"VM.hard_shutdown", vmOnly, "paused, suspended, running",
			map[string]string{running: halted, paused: halted, suspended: halted}},
		{"VM.shutdown", vmOnly, "paused, suspended, running",
			map[string]string{running: halted, paused: halted, suspended: halted}},
		{"VM.clean_reboot", vmOnly, "running", map[string]string{running: running}},
		{"VM.hard_reboot", vmOnly, "paused, running", map[string]string{running: running, paused: running}},
		{"VM.pause", vmOnly, "running", map[string]string{running: paused}},
		{"VM.unpause", vmOnly, "paused", map[string]string{paused: running}},
		{"VM.suspend", vmOnly, "running", map[string]string{running: suspended}},
		{"VM.resume", func(vm string) []any { return []any{vm, false, false} }, "suspended",
			map[string]string{suspended: running}},
		{"VM.resume_on", func(vm string) []any { return []any{vm, host, false, false} }, "suspended",
			map[string]string{suspended: running}},
		{"VM.destroy", vmOnly, "halted, suspended", map[string]string{halted: "", suspended: ""}},
		{"VM.clone", func(vm string) []any { return []any{vm, "clone"} }, "halted",
			map[string]string{halted: halted}},
		{"VM.checkpoint", func(vm string) []any { return []any{vm, "cp"} }, "paused, suspended, running",
			map[string]string{running: running, paused: paused, suspended: suspended}},
		{"VM.snapshot", func(vm string) []any { return []any{vm, "snap"} }, "",
			map[string]string{halted: halted, running: running, paused: paused, suspended: suspended}},
		{"VM.set_VCPUs_max", func(vm string) []any { return []any{vm, 2} }, "halted",
			map[string]string{halted: halted}},
		{"VM.set_memory_limits", func(vm string) []any { return []any{vm, 1 << 28, 1 << 28, 1 << 28, 1 << 28} },
			"halted", map[string]string{halted: halted}},
		{"VM.set_is_a_template", func(vm string) []any { return []any{vm, true} }, "halted",
			map[string]string{halted: halted}},
		{"VM.provision", vmOnly, "halted", nil}, // on a VM, not a template: see TestTemplateRules
	}
	for _, o := range ops {
		for _, from := range []string{halted, running, paused, suspended} {
			if o.method == "VM.provision" && from == halted {
				continue // a halted VM that is no template: see TestTemplateRules
			}
			name := o.method + " from " + from
			t.Run(name, func(t *testing.T) {
				c := c.with(t)
				vm := c.vmIn(strings.ReplaceAll(name, " ", "-"), from)
				to, ok := o.results[from]
				if o.method == "VM.provision" {
					c.wantErr(o.method, o.args(vm), "VM_BAD_POWER_STATE", vm, o.expected, strings.ToLower(from))
					return
				}
				if !ok {
					c.wantErr(o.method, o.args(vm), "VM_BAD_POWER_STATE", vm, o.expected, strings.ToLower(from))
					if got := c.power(vm); got != from {
						t.Errorf("power state after the failed call = %s, want %s", got, from)
					}
					return
				}
				c.must(o.method, o.args(vm)...)
				if to == "" {
					c.wantErr("VM.get_record", []any{vm}, "HANDLE_INVALID", "VM", vm)
					return
				}
				if got := c.power(vm); got != to {
					t.Errorf("power state = %s, want %s", got, to)
				}
			})
		}
	}
}

func TestRunningVMDevicesAndHost(t *testing.T) {
	s, c := newPool(t, Options{})
	vm := c.newVM("dev")
	vif := c.newVIF(vm, c.managementNetwork(), "0")
	c.must("VM.start", vm, false, false)
	r := c.rec("VM", vm)
	host := r["resident_on"].(string)
	if host == "OpaqueRef:NULL" || num(r["domid"]) < 1 {
		t.Errorf("running VM: resident_on %v, domid %v", r["resident_on"], r["domid"])
	}
	if c.rec("VIF", vif)["currently_attached"] != true {
		t.Error("VIF of a running VM is not attached")
	}
	if c.rec("VBD", c.vbdsOf(vm)[0])["currently_attached"] != true {
		t.Error("VBD of a running VM is not attached")
	}
	if resident := c.refs(c.must("host.get_resident_VMs", host)); !slices.Contains(resident, vm) {
		t.Errorf("host.resident_VMs = %v, want it to include %s", resident, vm)
	}
	c.must("VM.hard_shutdown", vm)
	r = c.rec("VM", vm)
	if r["resident_on"] != "OpaqueRef:NULL" || num(r["domid"]) != -1 || c.rec("VIF", vif)["currently_attached"] != false {
		t.Errorf("halted VM: resident_on %v, domid %v", r["resident_on"], r["domid"])
	}
	// Out-of-band stop.
	c.must("VM.start", vm, false, false)
	uuid := c.str("VM.get_uuid", vm)
	if !s.HaltVM(uuid) {
		t.Fatal("HaltVM")
	}
	if p, _ := s.VMPowerState(uuid); p != halted || c.power(vm) != halted {
		t.Errorf("after HaltVM: %s / %s", p, c.power(vm))
	}
}
