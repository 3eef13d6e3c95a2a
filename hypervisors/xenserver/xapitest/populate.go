package xapitest

import "fmt"

// dom0Memory is what each host's control domain occupies.
const dom0Memory = 1 << 30

// templateName is the built-in template every pool has.
const templateName = "Other install media"

// populate builds the pool Options describe.
func (s *Server) populate() {
	st := s.st
	st.pool = st.newObj()
	st.poolName = ""
	mgmt := &network{
		obj:  st.newObj(),
		name: "Pool-wide network associated with eth0", bridge: "xenbr0",
		mtu: 1500, managed: true, otherConfig: map[string]string{},
	}
	st.networks[mgmt.ref] = mgmt
	for i, spec := range s.opts.Hosts {
		h := &host{
			obj:  st.newObj(),
			name: spec.Name, hostname: spec.Name,
			cpus: spec.CPUs, speedMHz: spec.SpeedMHz, memory: spec.MemoryBytes,
		}
		m := st.newObj()
		h.metricsRef, h.metricsUUID = m.ref, m.uuid
		st.hosts[h.ref] = h
		if i == 0 {
			st.master = h.ref
		}
		p := &pif{
			obj:  st.newObj(),
			host: h.ref, network: mgmt.ref, device: "eth0", mac: randomMAC(),
			vlan: -1, mtu: 1500, physical: true, management: true,
		}
		st.pifs[p.ref] = p
		dom0 := &vm{
			obj:  st.newObj(),
			name: "Control domain on host: " + spec.Name, power: running,
			controlDomain: true, residentOn: h.ref, affinity: h.ref,
			memStaticMin: dom0Memory, memStaticMax: dom0Memory,
			memDynMin: dom0Memory, memDynMax: dom0Memory,
			vcpusMax: int64(spec.CPUs), vcpusAtStartup: int64(spec.CPUs),
			otherConfig: map[string]string{}, hvmBootParams: map[string]string{},
			platform: map[string]string{}, vcpusParams: map[string]string{},
		}
		st.vms[dom0.ref] = dom0
	}
	for _, spec := range s.opts.SRs {
		r := &sr{obj: st.newObj(), name: spec.Name, size: spec.SizeBytes, otherConfig: map[string]string{}}
		st.srs[r.ref] = r
	}
	t := &vm{
		obj:  st.newObj(),
		name: templateName, desc: "Template which allows VM installation from install media",
		power: halted, template: true, defaultTemplate: true,
		memStaticMin: 128 << 20, memStaticMax: 256 << 20,
		memDynMin: 256 << 20, memDynMax: 256 << 20,
		vcpusMax: 1, vcpusAtStartup: 1,
		otherConfig: map[string]string{
			"default_template": "true",
			"install-methods":  "cdrom",
			"disks": fmt.Sprintf(`<provision><disk device="0" size="%d" sr="" bootable="true" type="system"/></provision>`,
				int64(8<<30)),
		},
		hvmBootPolicy: "BIOS order",
		hvmBootParams: map[string]string{"order": "cdn"},
		platform:      map[string]string{"nx": "true", "acpi": "1", "apic": "true", "pae": "true", "viridian": "true"},
		vcpusParams:   map[string]string{},
		domid:         -1,
	}
	st.vms[t.ref] = t
}
