package xapitest

import (
	"testing"
)

func TestTemplateRules(t *testing.T) {
	_, c := newPool(t, Options{})
	tmpl := c.template()
	c.wantErr("VM.start", []any{tmpl, false, false}, "VM_IS_TEMPLATE", tmpl, "start")
	c.wantErr("VM.start_on", []any{tmpl, c.hosts()[0], false, false}, "VM_IS_TEMPLATE", tmpl, "start_on")
	c.wantErr("VM.snapshot", []any{tmpl, "s"}, "VM_IS_TEMPLATE", tmpl, "snapshot")
	c.wantErr("VM.destroy", []any{tmpl}, "VM_IS_TEMPLATE", tmpl, "destroy")

	// A clone of a template is a template, no longer a default one.
	clone := c.str("VM.clone", tmpl, "mine")
	r := c.rec("VM", clone)
	if r["is_a_template"] != true || r["is_default_template"] != false {
		t.Errorf("clone of a template: is_a_template %v, is_default_template %v", r["is_a_template"], r["is_default_template"])
	}
	if _, ok := r["other_config"].(map[string]any)["default_template"]; ok {
		t.Error("clone kept other_config:default_template")
	}
	c.must("VM.provision", clone)
	if disks := c.diskVDIs(clone); len(disks) != 1 || num(c.rec("VDI", disks[0])["virtual_size"]) != 8<<30 {
		t.Errorf("provisioned disks = %v, want one of 8 GiB", disks)
	}
	if _, ok := c.rec("VM", clone)["other_config"].(map[string]any)["disks"]; ok {
		t.Error("provision left other_config:disks")
	}
	c.must("VM.set_is_a_template", clone, false)
	c.wantErr("VM.provision", []any{clone}, "ONLY_PROVISION_TEMPLATE")
	c.wantErr("VM.revert", []any{clone}, "ONLY_REVERT_SNAPSHOT")
	c.must("VM.start", clone, false, false)
	c.wantErr("VM.set_is_a_template", []any{clone, true}, "VM_BAD_POWER_STATE", clone, "halted", "running")
	// A template that is not a default one can be destroyed.
	other := c.str("VM.clone", tmpl, "disposable")
	c.must("VM.destroy", other)
}

func TestControlDomain(t *testing.T) {
	_, c := newPool(t, Options{})
	host := c.hosts()[0]
	var dom0 string
	for _, vm := range c.refs(c.must("host.get_resident_VMs", host)) {
		if c.rec("VM", vm)["is_control_domain"] == true {
			dom0 = vm
		}
	}
	if dom0 == "" {
		t.Fatal("no control domain on the master")
	}
	c.wantErr("VM.clean_shutdown", []any{dom0}, "OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain")
	c.wantErr("VM.start", []any{dom0, false, false}, "VM_BAD_POWER_STATE", dom0, "halted", "running")
	c.wantErr("VM.snapshot", []any{dom0, "x"}, "OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain")
}

func TestMemoryLimits(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("mem")
	const g = 1 << 30
	tests := []struct {
		name                                 string
		staticMin, staticMax, dynMin, dynMax int64
		ok                                   bool
	}{
		{"all equal", g, g, g, g, true},
		{"ordered", g / 2, 4 * g, g, 2 * g, true},
		{"static_min > dynamic_min", 2 * g, 4 * g, g, 2 * g, false},
		{"dynamic_min > dynamic_max", g, 4 * g, 3 * g, 2 * g, false},
		{"dynamic_max > static_max", g, 2 * g, g, 3 * g, false},
		{"negative", -1, g, g, g, false},
		{"static_min one byte over dynamic_min", g + 1, 4 * g, g, 2 * g, false},
		{"dynamic_max one byte over static_max", g, 2 * g, g, 2*g + 1, false},
	}
	for _, tt := range tests {
		_, e := c.call("VM.set_memory_limits", vm, tt.staticMin, tt.staticMax, tt.dynMin, tt.dynMax)
		if tt.ok {
			if e != nil {
				t.Errorf("%s: %v", tt.name, e)
				continue
			}
			r := c.rec("VM", vm)
			if num(r["memory_static_max"]) != tt.staticMax || num(r["memory_dynamic_min"]) != tt.dynMin {
				t.Errorf("%s: record has static_max %v dynamic_min %v", tt.name, r["memory_static_max"], r["memory_dynamic_min"])
			}
			continue
		}
		checkErr(t, tt.name, e, "MEMORY_CONSTRAINT_VIOLATION_ORDER")
	}
	c.must("VM.set_memory", vm, 2*g)
	if r := c.rec("VM", vm); num(r["memory_dynamic_max"]) != 2*g || num(r["memory_static_max"]) != 2*g {
		t.Errorf("VM.set_memory: %v", r)
	}
	c.must("VM.start", vm, false, false)
	c.wantErr("VM.set_memory_limits", []any{vm, g, g, g, g}, "VM_BAD_POWER_STATE", vm, "halted", "running")
}

func TestVCPUs(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("cpu")
	const rule = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max"
	steps := []struct {
		method string
		value  int64
		err    []string // nil: succeeds
	}{
		{"VM.set_VCPUs_at_startup", 2, []string{rule, "2"}}, // above VCPUs_max (1)
		{"VM.set_VCPUs_max", 4, nil},
		{"VM.set_VCPUs_at_startup", 4, nil},
		{"VM.set_VCPUs_max", 2, []string{rule, "2"}}, // below VCPUs_at_startup
		{"VM.set_VCPUs_max", 0, []string{rule, "0"}},
		{"VM.set_VCPUs_at_startup", 0, []string{rule, "0"}},
		{"VM.set_VCPUs_at_startup", 2, nil},
		{"VM.set_VCPUs_max", 2, nil},
	}
	for _, s := range steps {
		if s.err == nil {
			c.must(s.method, vm, s.value)
			continue
		}
		c.wantErr(s.method, []any{vm, s.value}, "INVALID_VALUE", s.err...)
	}
	if r := c.rec("VM", vm); num(r["VCPUs_max"]) != 2 || num(r["VCPUs_at_startup"]) != 2 {
		t.Errorf("VCPUs %v/%v, want 2/2", r["VCPUs_at_startup"], r["VCPUs_max"])
	}
	c.must("VM.start", vm, false, false)
	c.wantErr("VM.set_VCPUs_max", []any{vm, 3}, "VM_BAD_POWER_STATE", vm, "halted", "running")
	c.wantErr("VM.set_VCPUs_at_startup", []any{vm, 1}, "VM_BAD_POWER_STATE", vm, "halted", "running")
}

func TestOtherConfig(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("oc")
	c.must("VM.add_to_other_config", vm, "cloudcore-id", "abc")
	c.wantErr("VM.add_to_other_config", []any{vm, "cloudcore-id", "def"}, "MAP_DUPLICATE_KEY",
		"VM", "other_config", vm, "cloudcore-id")
	if got := c.rec("VM", vm)["other_config"].(map[string]any)["cloudcore-id"]; got != "abc" {
		t.Errorf("other_config:cloudcore-id = %v after the duplicate, want abc", got)
	}
	c.must("VM.remove_from_other_config", vm, "cloudcore-id")
	c.must("VM.remove_from_other_config", vm, "cloudcore-id") // absent: no error
	c.must("VM.add_to_other_config", vm, "cloudcore-id", "def")
	c.must("VM.set_name_label", vm, "renamed")
	c.must("VM.set_name_description", vm, "described")
	if r := c.rec("VM", vm); r["name_label"] != "renamed" || r["name_description"] != "described" {
		t.Errorf("names: %v / %v", r["name_label"], r["name_description"])
	}
}

func TestStartErrors(t *testing.T) {
	s, c := newPool(t, Options{Hosts: []HostSpec{{CPUs: 4, MemoryBytes: 4 << 30}, {CPUs: 2, MemoryBytes: 2 << 30}}})
	hosts := c.hosts()
	big := c.newVM("big")
	c.must("VM.set_memory_limits", big, 1<<30, 3<<30, 3<<30, 3<<30)
	// Host 2 has 2 GiB less 1 GiB for its control domain.
	c.wantErr("VM.start_on", []any{big, hosts[1], false, false}, "HOST_NOT_ENOUGH_FREE_MEMORY",
		itoa(3<<30), itoa(1<<30))
	c.must("VM.start_on", big, hosts[0], false, false)
	if free, _ := s.HostMemoryFree("host1"); free != 0 {
		t.Errorf("host1 memory_free = %d, want 0", free)
	}
	m := c.rec("host_metrics", c.str("host.get_metrics", hosts[0]))
	if num(m["memory_free"]) != 0 || num(m["memory_total"]) != 4<<30 {
		t.Errorf("host_metrics = %v", m)
	}
	second := c.newVM("second")
	c.must("VM.set_memory_limits", second, 1<<30, 2<<30, 2<<30, 2<<30)
	c.wantErr("VM.start", []any{second, false, false}, "NO_HOSTS_AVAILABLE")
	c.must("VM.hard_shutdown", big)
	c.must("VM.start", second, false, false)

	wide := c.newVM("wide")
	c.must("VM.set_VCPUs_max", wide, 4)
	c.wantErr("VM.start_on", []any{wide, hosts[1], false, false}, "HOST_NOT_ENOUGH_PCPUS", "4", "2")

	// A VLAN network only on host 1: a VM on it cannot start on host 2.
	net := c.str("network.create", map[string]any{"name_label": "vlan10", "name_description": "",
		"MTU": 1500, "other_config": map[string]string{}})
	var pifs map[string]map[string]any
	c.decode(c.must("PIF.get_all_records"), &pifs)
	for ref, p := range pifs {
		if p["host"] == hosts[0] && p["device"] == "eth0" {
			c.must("VLAN.create", ref, 10, net)
		}
	}
	vlanVM := c.newVM("on-vlan")
	c.newVIF(vlanVM, net, "0")
	c.wantErr("VM.start_on", []any{vlanVM, hosts[1], false, false}, "VM_REQUIRES_NET", vlanVM, net)

	if !s.SetHostDown("host2", true) {
		t.Fatal("SetHostDown")
	}
	c.wantErr("VM.start_on", []any{c.newVM("offline"), hosts[1], false, false}, "HOST_OFFLINE", hosts[1])
}
