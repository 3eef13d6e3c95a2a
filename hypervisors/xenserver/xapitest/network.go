package xapitest

import (
	"fmt"
	"slices"
)

// vlanMAC is the MAC address xapi gives VLAN PIFs.
const vlanMAC = "fe:ff:ff:ff:ff:ff"

func recNetwork(st *state, o object) map[string]any {
	n := o.(*network)
	return map[string]any{
		"uuid": n.uuid, "name_label": n.name, "name_description": n.desc,
		"bridge": n.bridge, "MTU": n.mtu, "managed": n.managed,
		"PIFs":         orEmpty(refsOf(st.pifs, func(p *pif) bool { return p.network == n.ref && n.ref != "" })),
		"VIFs":         orEmpty(refsOf(st.vifs, func(f *vif) bool { return f.network == n.ref && n.ref != "" })),
		"other_config": strMap(n.otherConfig), "tags": []string{}, "blobs": map[string]string{},
		"default_locking_mode": "unlocked", "purpose": []string{}, "assigned_ips": map[string]string{},
		"allowed_operations": []string{}, "current_operations": map[string]string{},
	}
}

func recPIF(st *state, o object) map[string]any {
	p := o.(*pif)
	master := p.vlanMasterOf
	if master == "" {
		master = nullRef
	}
	slaves := orEmpty(refsOf(st.vlans, func(l *vlan) bool { return l.taggedPIF == p.ref && p.ref != "" }))
	return map[string]any{
		"uuid": p.uuid, "device": p.device, "host": p.host, "network": p.network,
		"MAC": p.mac, "MTU": p.mtu, "VLAN": p.vlan, "physical": p.physical,
		"management": p.management, "currently_attached": true, "managed": true,
		"VLAN_master_of": master, "VLAN_slave_of": slaves, "bond_slave_of": nullRef,
		"bond_master_of": []string{}, "tunnel_access_PIF_of": []string{},
		"tunnel_transport_PIF_of": []string{}, "ip_configuration_mode": ipMode(p),
		"IP": "", "netmask": "", "gateway": "", "DNS": "", "other_config": map[string]string{},
		"disallow_unplug": p.management, "metrics": nullRef,
	}
}

func ipMode(p *pif) string {
	if p.management {
		return "DHCP"
	}
	return "None"
}

func recVLAN(_ *state, o object) map[string]any {
	l := o.(*vlan)
	return map[string]any{
		"uuid": l.uuid, "tagged_PIF": l.taggedPIF, "untagged_PIF": l.untaggedPIF,
		"tag": l.tag, "other_config": map[string]string{},
	}
}

func (c *call) network(i int) (*network, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	n := c.st.networks[ref]
	if n == nil {
		return nil, handleInvalid("network", ref)
	}
	return n, nil
}

func (c *call) pif(i int) (*pif, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	p := c.st.pifs[ref]
	if p == nil {
		return nil, handleInvalid("PIF", ref)
	}
	return p, nil
}

func (s *Server) networkMethods() []*method {
	return []*method{
		{name: "network.create", params: []string{"args"}, async: true, fn: networkCreate},
		{name: "network.destroy", params: []string{"self"}, async: true, fn: networkDestroy},
		{name: "network.set_name_label", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			n, err := c.network(0)
			if err != nil {
				return nil, err
			}
			v, err := c.str(1)
			if err != nil {
				return nil, err
			}
			n.name = v
			return "", nil
		}},
		{name: "network.add_to_other_config", params: []string{"self", "key", "value"}, fn: func(c *call) (any, error) {
			n, err := c.network(0)
			if err != nil {
				return nil, err
			}
			return addToMap(c, "network", n.ref, n.otherConfig)
		}},
		{name: "network.remove_from_other_config", params: []string{"self", "key"}, fn: func(c *call) (any, error) {
			n, err := c.network(0)
			if err != nil {
				return nil, err
			}
			return removeFromMap(c, n.otherConfig)
		}},
		{name: "VLAN.create", params: []string{"tagged_PIF", "tag", "network"}, async: true, fn: func(c *call) (any, error) {
			p, err := c.pif(0)
			if err != nil {
				return nil, err
			}
			tag, err := c.int(1)
			if err != nil {
				return nil, err
			}
			n, err := c.network(2)
			if err != nil {
				return nil, err
			}
			l, err := c.st.createVLAN(p, tag, n)
			if err != nil {
				return nil, err
			}
			return l.ref, nil
		}},
		{name: "VLAN.destroy", params: []string{"self"}, async: true, fn: func(c *call) (any, error) {
			ref, err := c.ref(0)
			if err != nil {
				return nil, err
			}
			l := c.st.vlans[ref]
			if l == nil {
				return nil, handleInvalid("VLAN", ref)
			}
			delete(c.st.pifs, l.untaggedPIF)
			delete(c.st.vlans, l.ref)
			return "", nil
		}},
	}
}

func networkCreate(c *call) (any, error) {
	f, err := c.record(0)
	if err != nil {
		return nil, err
	}
	n := &network{}
	if n.name, err = f.str("name_label", ptr("")); err != nil {
		return nil, err
	}
	if n.desc, err = f.str("name_description", ptr("")); err != nil {
		return nil, err
	}
	if n.mtu, err = f.int("MTU", ptr(int64(1500))); err != nil {
		return nil, err
	}
	if n.mtu <= 0 {
		n.mtu = 1500
	}
	if n.otherConfig, err = f.strMap("other_config"); err != nil {
		return nil, err
	}
	if n.bridge, err = f.str("bridge", ptr("")); err != nil {
		return nil, err
	}
	if n.managed, err = f.bool("managed", ptr(true)); err != nil {
		return nil, err
	}
	bridges := map[string]bool{}
	for _, x := range c.st.networks {
		bridges[x.bridge] = true
	}
	if n.bridge == "" {
		for i := 0; n.bridge == "" || bridges[n.bridge]; i++ {
			n.bridge = fmt.Sprintf("xapi%d", i)
		}
	} else if bridges[n.bridge] {
		return nil, xerr(errBridgeNameExists, n.bridge)
	}
	n.obj = c.st.newObj()
	c.st.networks[n.ref] = n
	return n.ref, nil
}

// networkDestroy refuses networks with attached VIFs or with PIFs, and
// destroys the VIFs that remain, as xapi does.
func networkDestroy(c *call) (any, error) {
	n, err := c.network(0)
	if err != nil {
		return nil, err
	}
	attached := refsOf(c.st.vifs, func(f *vif) bool { return f.network == n.ref && f.attached })
	if len(attached) > 0 {
		return nil, xerr(errNetworkContainsVIF, attached...)
	}
	if pifs := refsOf(c.st.pifs, func(p *pif) bool { return p.network == n.ref }); len(pifs) > 0 {
		return nil, xerr(errNetworkContainsPIF, pifs...)
	}
	for ref, f := range c.st.vifs {
		if f.network == n.ref {
			delete(c.st.vifs, ref)
		}
	}
	delete(c.st.networks, n.ref)
	return "", nil
}

// checkVLAN is VLAN.create's validation, in xapi's order.
func (st *state) checkVLAN(p *pif, tag int64, n *network) error {
	for _, x := range st.pifs {
		if x.network == n.ref && x.host == p.host {
			return xerr(errNetworkAlreadyConnected, n.ref, x.ref)
		}
	}
	if p.vlan >= 0 {
		return xerr(errPIFIsVLAN, p.ref)
	}
	if tag < 0 || tag > 4094 {
		return xerr(errVLANTagInvalid, itoa(tag))
	}
	for _, l := range st.vlans {
		if l.taggedPIF == p.ref && l.tag == tag {
			return xerr(errPIFVLANExists, p.device)
		}
	}
	return nil
}

// createVLAN makes the VLAN and its untagged PIF on the tagged PIF's host.
func (st *state) createVLAN(p *pif, tag int64, n *network) (*vlan, error) {
	if err := st.checkVLAN(p, tag, n); err != nil {
		return nil, err
	}
	l := &vlan{obj: st.newObj(), taggedPIF: p.ref, tag: tag}
	u := &pif{obj: st.newObj(), host: p.host, network: n.ref, device: p.device,
		mac: vlanMAC, vlan: tag, mtu: p.mtu, vlanMasterOf: l.ref}
	l.untaggedPIF = u.ref
	st.vlans[l.ref] = l
	st.pifs[u.ref] = u
	return l, nil
}

// createVLANFromPIF implements pool.create_VLAN_from_PIF(pif, network, VLAN):
// a VLAN on the PIF of the same device on every host; it returns the new
// PIFs.
func createVLANFromPIF(c *call) (any, error) {
	p, err := c.pif(0)
	if err != nil {
		return nil, err
	}
	n, err := c.network(1)
	if err != nil {
		return nil, err
	}
	tag, err := c.int(2)
	if err != nil {
		return nil, err
	}
	var bases []*pif
	for _, ref := range refsOf(c.st.pifs, func(x *pif) bool { return x.device == p.device && x.vlan < 0 }) {
		bases = append(bases, c.st.pifs[ref])
	}
	if !slices.Contains(bases, p) {
		return nil, xerr(errPIFIsVLAN, p.ref)
	}
	for _, b := range bases {
		if err := c.st.checkVLAN(b, tag, n); err != nil {
			return nil, err
		}
	}
	out := []string{}
	for _, b := range bases {
		l, _ := c.st.createVLAN(b, tag, n)
		out = append(out, l.untaggedPIF)
	}
	return out, nil
}

// canSee fails with VM_REQUIRES_NET when one of the VIFs is on a network
// that has PIFs, none of them on h. Networks without PIFs are internal and
// available everywhere.
func (st *state) canSee(v *vm, h *host, vifs []*vif) error {
	for _, f := range vifs {
		pifs := refsOf(st.pifs, func(p *pif) bool { return p.network == f.network })
		if len(pifs) == 0 {
			continue
		}
		if !slices.ContainsFunc(pifs, func(ref string) bool { return st.pifs[ref].host == h.ref }) {
			return xerr(errVMRequiresNet, v.ref, f.network)
		}
	}
	return nil
}
