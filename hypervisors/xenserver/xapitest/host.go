package xapitest

import (
	"fmt"
	"time"
)

// hostMetrics is the host_metrics object of a host.
type hostMetrics struct {
	o obj
	h *host
}

func newHostMetrics(h *host) *hostMetrics {
	return &hostMetrics{o: obj{ref: h.metricsRef, uuid: h.metricsUUID}, h: h}
}

func (m *hostMetrics) base() *obj { return &m.o }

func recPool(st *state, o object) map[string]any {
	return map[string]any{
		"uuid": o.base().uuid, "name_label": st.poolName, "name_description": "",
		"master": st.master, "default_SR": st.defaultSR(),
		"suspend_image_SR": st.defaultSR(), "crash_dump_SR": st.defaultSR(),
		"other_config": map[string]string{}, "ha_enabled": false,
		"ha_configuration": map[string]string{}, "tags": []string{},
	}
}

// memoryFree is what a host has left: its memory less its control domain
// and the memory_dynamic_max of every running or paused VM on it.
func (st *state) memoryFree(h *host) int64 {
	free := h.memory
	for _, v := range st.vms {
		if v.residentOn == h.ref && (v.live() || v.controlDomain) {
			free -= v.memDynMax
		}
	}
	return free
}

func (s *Server) recHost(st *state, o object) map[string]any {
	h := o.(*host)
	resident := refsOf(st.vms, func(v *vm) bool { return v.residentOn == h.ref && h.ref != "" })
	return map[string]any{
		"uuid": h.uuid, "name_label": h.name, "name_description": "",
		"hostname": h.hostname, "address": h.address, "enabled": true,
		"API_version_major": int64(2), "API_version_minor": int64(21), "API_version_vendor": "XenSource",
		"software_version": map[string]string{
			"product_version": s.opts.ProductVersion, "product_brand": "XenServer",
			"platform_name": "XCP", "xapi": "24.19", "xen": "4.17.5", "hostname": h.hostname,
		},
		"cpu_info": map[string]string{
			"cpu_count": fmt.Sprint(h.cpus), "socket_count": "1",
			"speed": fmt.Sprintf("%d.000", h.speedMHz), "vendor": "GenuineIntel",
			"modelname": "Intel(R) Xeon(R) CPU",
		},
		"metrics": h.metricsRef, "resident_VMs": orEmpty(resident),
		"PIFs":         orEmpty(refsOf(st.pifs, func(p *pif) bool { return p.host == h.ref && h.ref != "" })),
		"other_config": map[string]string{}, "tags": []string{},
		"memory_overhead": int64(0), "allowed_operations": []string{},
		"current_operations": map[string]string{},
	}
}

func (s *Server) recHostMetrics(st *state, o object) map[string]any {
	m := o.(*hostMetrics)
	return map[string]any{
		"uuid": m.o.uuid, "memory_total": m.h.memory, "memory_free": st.memoryFree(m.h),
		"live": !s.down[m.h.ref], "last_updated": xapiTime(time.Now()),
		"other_config": map[string]string{},
	}
}

func (s *Server) poolMethods() []*method {
	return []*method{
		{name: "pool.set_name_label", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			ref, err := c.ref(0)
			if err != nil {
				return nil, err
			}
			if ref != c.st.pool.ref {
				return nil, handleInvalid("pool", ref)
			}
			v, err := c.str(1)
			if err != nil {
				return nil, err
			}
			c.st.poolName = v
			return "", nil
		}},
		{name: "pool.create_VLAN_from_PIF", params: []string{"pif", "network", "VLAN"}, async: true,
			fn: createVLANFromPIF},
	}
}

// SetHostDown makes the named host stop answering (down) or answer again:
// its address drops connections, its host_metrics.live is false, and VM
// operations that need it fail with HOST_OFFLINE. It reports whether the
// host exists.
func (s *Server) SetHostDown(name string, down bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.st.hosts {
		if h.name == name {
			if down {
				s.down[h.ref] = true
			} else {
				delete(s.down, h.ref)
			}
			return true
		}
	}
	return false
}

// hostUp fails with HOST_OFFLINE when h is down.
func (s *Server) hostUp(ref string) error {
	if s.down[ref] {
		return xerr(errHostOffline, ref)
	}
	return nil
}
