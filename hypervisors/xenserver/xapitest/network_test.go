package xapitest

import (
	"testing"
)

func TestVIFs(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("net")
	mgmt := c.managementNetwork()
	vif := c.newVIF(vm, mgmt, "0")
	r := c.rec("VIF", vif)
	if r["VM"] != vm || r["network"] != mgmt || r["currently_attached"] != false || len(r["MAC"].(string)) != 17 {
		t.Errorf("VIF record: %v", r)
	}
	args := func(device, mac string) map[string]any {
		return map[string]any{"device": device, "network": mgmt, "VM": vm, "MAC": mac, "MTU": 1500,
			"other_config": map[string]string{}}
	}
	c.wantErr("VIF.create", []any{args("0", "")}, "DEVICE_ALREADY_EXISTS", "0")
	c.wantErr("VIF.create", []any{args("eth1", "")}, "INVALID_DEVICE", "eth1")
	c.wantErr("VIF.create", []any{args("1", "not-a-mac")}, "MAC_INVALID", "not-a-mac")
	noMTU := args("1", "")
	delete(noMTU, "MTU")
	c.wantErr("VIF.create", []any{noMTU}, "FIELD_TYPE_ERROR", "MTU")

	c.wantErr("VIF.plug", []any{vif}, "VM_BAD_POWER_STATE", vm, "running", "halted")
	c.wantErr("VIF.unplug", []any{vif}, "VM_BAD_POWER_STATE", vm, "running", "halted")
	c.must("VM.start", vm, false, false)
	c.wantErr("VIF.plug", []any{vif}, "DEVICE_ALREADY_ATTACHED", vif)
	c.wantErr("VIF.destroy", []any{vif}, "OPERATION_NOT_ALLOWED", "VIF currently attached to a running VM")
	c.must("VIF.unplug", vif)
	c.wantErr("VIF.unplug", []any{vif}, "DEVICE_ALREADY_DETACHED", vif)
	hot := c.newVIF(vm, mgmt, "1")
	c.must("VIF.plug", hot)
	if c.rec("VIF", hot)["currently_attached"] != true {
		t.Error("plugged VIF is not attached")
	}
	c.must("VIF.destroy", vif) // unplugged: fine while running
	c.must("VM.pause", vm)
	c.wantErr("VIF.unplug", []any{hot}, "VM_BAD_POWER_STATE", vm, "running", "paused")
}

func TestNetworks(t *testing.T) {
	_, c := newPool(t, Options{})
	net := c.str("network.create", map[string]any{"name_label": "guests", "name_description": "",
		"MTU": 9000, "other_config": map[string]string{}})
	r := c.rec("network", net)
	if r["bridge"] == "" || num(r["MTU"]) != 9000 || len(r["PIFs"].([]any)) != 0 {
		t.Errorf("network record: %v", r)
	}
	c.wantErr("network.create", []any{map[string]any{"name_label": "dup", "bridge": r["bridge"]}},
		"BRIDGE_NAME_EXISTS", r["bridge"].(string))
	c.must("network.add_to_other_config", net, "cloudcore-id", "n1")
	c.wantErr("network.add_to_other_config", []any{net, "cloudcore-id", "n2"}, "MAP_DUPLICATE_KEY",
		"network", "other_config", net, "cloudcore-id")

	vm := c.newVM("on-guests")
	vif := c.newVIF(vm, net, "0")
	c.must("VM.start", vm, false, false)
	c.wantErr("network.destroy", []any{net}, "NETWORK_CONTAINS_VIF", vif)
	c.must("VM.hard_shutdown", vm)
	// Detached VIFs go with the network, as in xapi.
	c.must("network.destroy", net)
	c.wantErr("VIF.get_record", []any{vif}, "HANDLE_INVALID", "VIF", vif)

	mgmt := c.managementNetwork()
	pifs := c.refs(c.must("network.get_PIFs", mgmt))
	if len(pifs) != 2 {
		t.Fatalf("management network PIFs = %v, want one per host", pifs)
	}
	c.wantErr("network.destroy", []any{mgmt}, "NETWORK_CONTAINS_PIF", pifs...)
	var all map[string]map[string]any
	c.decode(c.must("PIF.get_all_records"), &all)
	for ref, p := range all {
		if p["device"] != "eth0" || p["management"] != true || p["physical"] != true || num(p["VLAN"]) != -1 || p["network"] != mgmt {
			t.Errorf("PIF %s: %v", ref, p)
		}
	}
}

func TestVLANs(t *testing.T) {
	_, c := newPool(t, Options{})
	hosts := c.hosts()
	eth0 := map[string]string{} // host -> its eth0 PIF
	var all map[string]map[string]any
	c.decode(c.must("PIF.get_all_records"), &all)
	for ref, p := range all {
		eth0[p["host"].(string)] = ref
	}
	newNet := func(name string) string {
		return c.str("network.create", map[string]any{"name_label": name, "name_description": "",
			"MTU": 1500, "other_config": map[string]string{}})
	}
	n10 := newNet("vlan10")
	vl := c.str("VLAN.create", eth0[hosts[0]], 10, n10)
	vr := c.rec("VLAN", vl)
	untagged := vr["untagged_PIF"].(string)
	p := c.rec("PIF", untagged)
	if num(vr["tag"]) != 10 || vr["tagged_PIF"] != eth0[hosts[0]] || num(p["VLAN"]) != 10 ||
		p["physical"] != false || p["network"] != n10 || p["host"] != hosts[0] || p["device"] != "eth0" {
		t.Errorf("VLAN %v, its PIF %v", vr, p)
	}
	n11 := newNet("vlan11")
	tests := []struct {
		name   string
		params []any
		code   string
		data   []string
	}{
		{"network already on the host", []any{eth0[hosts[0]], 12, n10}, "NETWORK_ALREADY_CONNECTED", []string{n10, untagged}},
		{"VLAN on a VLAN", []any{untagged, 12, n11}, "PIF_IS_VLAN", []string{untagged}},
		{"tag too big", []any{eth0[hosts[0]], 4095, n11}, "VLAN_TAG_INVALID", []string{"4095"}},
		{"negative tag", []any{eth0[hosts[0]], -1, n11}, "VLAN_TAG_INVALID", []string{"-1"}},
		{"tag taken", []any{eth0[hosts[0]], 10, n11}, "PIF_VLAN_EXISTS", []string{"eth0"}},
	}
	for _, tt := range tests {
		_, e := c.call("VLAN.create", tt.params...)
		checkErr(t, tt.name, e, tt.code, tt.data...)
	}
	c.must("VLAN.destroy", vl)
	c.wantErr("PIF.get_record", []any{untagged}, "HANDLE_INVALID", "PIF", untagged)

	// Pool-wide: one VLAN PIF per host.
	n20 := newNet("vlan20")
	created := c.refs(c.must("pool.create_VLAN_from_PIF", eth0[hosts[1]], n20, 20))
	if len(created) != 2 || len(c.refs(c.must("network.get_PIFs", n20))) != 2 {
		t.Errorf("create_VLAN_from_PIF made %v", created)
	}
	_, e := c.call("pool.create_VLAN_from_PIF", eth0[hosts[0]], n20, 21)
	checkErr(t, "create_VLAN_from_PIF on a connected network", e, "NETWORK_ALREADY_CONNECTED", n20, created[0])
}
