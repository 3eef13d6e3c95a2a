package xapitest

import (
	"strings"
)

func recVM(st *state, o object) map[string]any {
	v := o.(*vm)
	ref := func(r string) string {
		if r == "" {
			return nullRef
		}
		return r
	}
	var vbds, vifs []string
	if v.ref != "" {
		for _, b := range st.vbdsOf(v.ref) {
			vbds = append(vbds, b.ref)
		}
		for _, f := range st.vifsOf(v.ref) {
			vifs = append(vifs, f.ref)
		}
	}
	domid := v.domid
	if !v.live() {
		domid = -1
	}
	return map[string]any{
		"uuid": v.uuid, "name_label": v.name, "name_description": v.desc,
		"power_state": v.power, "is_a_template": v.template, "is_default_template": v.defaultTemplate,
		"is_a_snapshot": v.snapshot, "snapshot_of": ref(v.snapshotOf), "snapshot_time": xapiTime(v.snapshotTime),
		"snapshots":                 orEmpty(refsOf(st.vms, func(x *vm) bool { return x.snapshotOf == v.ref && v.ref != "" })),
		"transportable_snapshot_id": "", "snapshot_info": map[string]string{}, "snapshot_metadata": "",
		"is_control_domain": v.controlDomain, "suspend_VDI": ref(v.suspendVDI),
		"resident_on": ref(v.residentOn), "affinity": ref(v.affinity), "parent": ref(v.parent),
		"children":        orEmpty(refsOf(st.vms, func(x *vm) bool { return x.parent == v.ref && v.ref != "" })),
		"memory_overhead": int64(0), "memory_target": v.memDynMax,
		"memory_static_min": v.memStaticMin, "memory_static_max": v.memStaticMax,
		"memory_dynamic_min": v.memDynMin, "memory_dynamic_max": v.memDynMax,
		"VCPUs_max": v.vcpusMax, "VCPUs_at_startup": v.vcpusAtStartup, "VCPUs_params": strMap(v.vcpusParams),
		"actions_after_shutdown": "destroy", "actions_after_reboot": "restart", "actions_after_crash": "restart",
		"VBDs": orEmpty(vbds), "VIFs": orEmpty(vifs), "VGPUs": []string{}, "VUSBs": []string{},
		"consoles": []string{}, "crash_dumps": []string{}, "attached_PCIs": []string{},
		"other_config": strMap(v.otherConfig), "HVM_boot_policy": v.hvmBootPolicy,
		"HVM_boot_params": strMap(v.hvmBootParams), "HVM_shadow_multiplier": 1.0,
		"platform": strMap(v.platform), "PV_bootloader": "", "PV_kernel": "", "PV_ramdisk": "",
		"PV_args": "", "PV_bootloader_args": "", "PV_legacy_args": "",
		"domain_type": domainType(v), "domid": domid, "domarch": "",
		"metrics": nullRef, "guest_metrics": nullRef, "user_version": int64(1), "tags": []string{},
		"blocked_operations": map[string]string{}, "ha_restart_priority": "", "ha_always_run": false,
		"bios_strings": map[string]string{}, "xenstore_data": map[string]string{},
		"start_delay": int64(0), "shutdown_delay": int64(0), "order": int64(0),
		"allowed_operations": []string{}, "current_operations": map[string]string{},
		"appliance": nullRef, "protection_policy": nullRef, "snapshot_schedule": nullRef,
		"is_vmss_snapshot": false, "has_vendor_device": false, "requires_reboot": false,
		"generation_id": "", "hardware_platform_version": int64(0), "reference_label": "",
		"last_booted_record": "", "recommendations": "", "scheduled_to_be_resident_on": nullRef,
		"last_boot_CPU_flags": map[string]string{},
	}
}

func domainType(v *vm) string {
	switch {
	case v.controlDomain:
		return "pv"
	case v.hvmBootPolicy != "":
		return "hvm"
	}
	return "pv"
}

func (s *Server) vmMethods() []*method {
	str := func(name string, set func(*vm, string)) *method {
		return &method{name: name, params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			x, err := c.str(1)
			if err != nil {
				return nil, err
			}
			set(v, x)
			return "", nil
		}}
	}
	return []*method{
		str("VM.set_name_label", func(v *vm, x string) { v.name = x }),
		str("VM.set_name_description", func(v *vm, x string) { v.desc = x }),
		{name: "VM.add_to_other_config", params: []string{"self", "key", "value"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			return addToMap(c, "VM", v.ref, v.otherConfig)
		}},
		{name: "VM.remove_from_other_config", params: []string{"self", "key"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			return removeFromMap(c, v.otherConfig)
		}},
		{name: "VM.set_other_config", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			m, err := c.strMap(1)
			if err != nil {
				return nil, err
			}
			v.otherConfig = m
			return "", nil
		}},
		{name: "VM.set_affinity", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			ref, err := c.ref(1)
			if err != nil {
				return nil, err
			}
			if ref != nullRef && c.st.hosts[ref] == nil {
				return nil, handleInvalid("host", ref)
			}
			v.affinity = strings.TrimPrefix(ref, nullRef)
			return "", nil
		}},
		{name: "VM.set_is_a_template", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			value, err := c.bool(1)
			if err != nil {
				return nil, err
			}
			if value {
				if err := c.s.checkOp(v, opMakeIntoTemplate); err != nil {
					return nil, err
				}
			} else {
				v.defaultTemplate = false
			}
			v.template = value
			return "", nil
		}},
		{name: "VM.set_memory_limits", async: true,
			params: []string{"self", "static_min", "static_max", "dynamic_min", "dynamic_max"},
			fn: func(c *call) (any, error) {
				v, err := c.vm(0)
				if err != nil {
					return nil, err
				}
				var m [4]int64
				for i := range m {
					if m[i], err = c.int(i + 1); err != nil {
						return nil, err
					}
				}
				return setMemory(c, v, opChangingMemoryLimits, m[0], m[1], m[2], m[3])
			}},
		{name: "VM.set_memory", async: true, params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			x, err := c.int(1)
			if err != nil {
				return nil, err
			}
			return setMemory(c, v, opChangingStaticRange, v.memStaticMin, x, x, x)
		}},
		{name: "VM.set_VCPUs_max", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			return setVCPUs(c, true)
		}},
		{name: "VM.set_VCPUs_at_startup", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			return setVCPUs(c, false)
		}},
	}
}

// setMemory applies memory limits to a halted VM: they must satisfy
// static_min ≤ dynamic_min ≤ dynamic_max ≤ static_max.
func setMemory(c *call, v *vm, op string, staticMin, staticMax, dynMin, dynMax int64) (any, error) {
	if err := c.s.checkOp(v, op); err != nil {
		return nil, err
	}
	if !(0 <= staticMin && staticMin <= dynMin && dynMin <= dynMax && dynMax <= staticMax) {
		return nil, xerr(errMemoryConstraintOrder)
	}
	v.memStaticMin, v.memStaticMax, v.memDynMin, v.memDynMax = staticMin, staticMax, dynMin, dynMax
	return "", nil
}

// vcpuRule is the INVALID_VALUE message of the VCPU setters.
const vcpuRule = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max"

// setVCPUs sets VCPUs_max or VCPUs_at_startup of a halted VM.
func setVCPUs(c *call, max bool) (any, error) {
	v, err := c.vm(0)
	if err != nil {
		return nil, err
	}
	x, err := c.int(1)
	if err != nil {
		return nil, err
	}
	if err := c.s.checkOp(v, opChangingVCPUs); err != nil {
		return nil, err
	}
	if max {
		if x < 1 || x < v.vcpusAtStartup {
			return nil, invalidValue(vcpuRule, itoa(x))
		}
		v.vcpusMax = x
	} else {
		if x < 1 || x > v.vcpusMax {
			return nil, invalidValue(vcpuRule, itoa(x))
		}
		v.vcpusAtStartup = x
	}
	return "", nil
}
