package xapitest

import (
	"cmp"
	"encoding/xml"
	"maps"
	"strconv"
	"time"
)

// The operations that copy or remove a VM: clone, copy, snapshot,
// checkpoint, revert, provision and destroy. Each checks everything (SR
// space included) before it changes anything.

func (s *Server) vmCopyMethods() []*method {
	return []*method{
		{name: "VM.clone", params: []string{"vm", "new_name"}, async: true, fn: func(c *call) (any, error) {
			return duplicate(c, opClone)
		}},
		{name: "VM.copy", params: []string{"vm", "new_name", "sr"}, async: true, fn: func(c *call) (any, error) {
			return duplicate(c, opCopy)
		}},
		{name: "VM.snapshot", params: []string{"vm", "new_name"}, async: true, fn: func(c *call) (any, error) {
			return duplicate(c, opSnapshot)
		}},
		{name: "VM.checkpoint", params: []string{"vm", "new_name"}, async: true, fn: func(c *call) (any, error) {
			return duplicate(c, opCheckpoint)
		}},
		{name: "VM.revert", params: []string{"snapshot"}, async: true, fn: revert},
		{name: "VM.provision", params: []string{"vm"}, async: true, fn: provision},
		{name: "VM.destroy", params: []string{"self"}, async: true, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			if err := c.s.checkOp(v, opDestroy); err != nil {
				return nil, err
			}
			c.st.halt(v) // drops the suspend image; disks stay
			for _, b := range c.st.vbdsOf(v.ref) {
				delete(c.st.vbds, b.ref)
			}
			for _, f := range c.st.vifsOf(v.ref) {
				delete(c.st.vifs, f.ref)
			}
			delete(c.st.vms, v.ref)
			return "", nil
		}},
	}
}

// duplicate implements clone, copy, snapshot and checkpoint.
func duplicate(c *call, op string) (any, error) {
	v, err := c.vm(0)
	if err != nil {
		return nil, err
	}
	name, err := c.str(1)
	if err != nil {
		return nil, err
	}
	target := ""
	if op == opCopy {
		ref, err := c.ref(2)
		if err != nil {
			return nil, err
		}
		if ref != nullRef {
			if c.st.srs[ref] == nil {
				return nil, handleInvalid("SR", ref)
			}
			target = ref
		}
	}
	if err := c.s.checkOp(v, op); err != nil {
		return nil, err
	}
	// What the copy needs in each SR: its disks and, for a checkpoint, the
	// memory image.
	need := map[string]int64{}
	disks := diskVBDs(c.st, v)
	for _, b := range disks {
		d := c.st.vdis[b.vdi]
		need[cmp.Or(target, d.sr)] += d.virtualSize
	}
	memory := op == opCheckpoint || (v.suspendVDI != "" && op != opSnapshot)
	memSR := c.st.defaultSR()
	if memory {
		need[memSR] += v.memStaticMax
	}
	for sr, n := range need {
		if err := c.st.reserve(sr, n); err != nil {
			return nil, err
		}
	}

	now := time.Now()
	n := v.config()
	n.obj = c.st.newObj()
	n.name = name
	n.defaultTemplate = false
	n.residentOn, n.parent, n.suspendVDI, n.domid = "", "", "", -1
	n.snapshot, n.snapshotOf, n.snapshotTime = false, "", time.Time{}
	n.power = halted
	delete(n.otherConfig, "default_template")
	switch op {
	case opSnapshot, opCheckpoint:
		n.template, n.snapshot, n.snapshotOf, n.snapshotTime = true, true, v.ref, now
		n.meta = v.config()
	case opClone, opCopy:
		n.template = v.template // a clone of a template or snapshot is a template
	}
	if memory {
		img := &vdi{name: "Suspend image", desc: "Suspend image", sr: memSR, typ: "suspend",
			virtualSize: v.memStaticMax}
		if src := c.st.vdis[v.suspendVDI]; src != nil {
			img.content = src.content.clone()
		}
		_ = c.s.addVDI(img) // space was reserved above
		n.suspendVDI = img.ref
		n.power = suspended
	}
	c.st.vms[n.ref] = n
	for _, b := range c.st.vbdsOf(v.ref) {
		nb := *b
		nb.obj = c.st.newObj()
		nb.vm = n.ref
		nb.attached = false
		nb.otherConfig, nb.qosParams = maps.Clone(b.otherConfig), maps.Clone(b.qosParams)
		if isDisk(c.st, b) {
			src := c.st.vdis[b.vdi]
			d, _ := c.s.copyVDI(src, cmp.Or(target, src.sr))
			if op == opSnapshot || op == opCheckpoint {
				d.isSnapshot, d.snapshotOf, d.snapshotTime = true, src.ref, now
			}
			nb.vdi = d.ref
		}
		c.st.vbds[nb.ref] = &nb
	}
	for _, f := range c.st.vifsOf(v.ref) {
		nf := *f
		nf.obj = c.st.newObj()
		nf.vm = n.ref
		nf.attached = false
		nf.otherConfig, nf.qosParams = maps.Clone(f.otherConfig), maps.Clone(f.qosParams)
		if op == opClone || op == opCopy {
			nf.mac = randomMAC()
		}
		c.st.vifs[nf.ref] = &nf
	}
	return n.ref, nil
}

// isDisk says whether b is a disk whose VDI a copy of its VM copies (CDs
// keep pointing at their ISO).
func isDisk(st *state, b *vbd) bool {
	return !b.empty && b.typ != "CD" && st.vdis[b.vdi] != nil
}

func diskVBDs(st *state, v *vm) []*vbd {
	var out []*vbd
	for _, b := range st.vbdsOf(v.ref) {
		if isDisk(st, b) {
			out = append(out, b)
		}
	}
	return out
}

// revert returns the snapshot's VM to the snapshot: its configuration, new
// copies of the snapshot's disks (the disks it had are destroyed) and its
// VIFs; it ends halted after a disk snapshot and suspended after a
// checkpoint, as xapi leaves it.
func revert(c *call) (any, error) {
	snap, err := c.vm(0)
	if err != nil {
		return nil, err
	}
	if err := c.s.checkOp(snap, opRevert); err != nil {
		return nil, err
	}
	v := c.st.vms[snap.snapshotOf]
	if v == nil {
		return nil, xerr(errVMRevertFailed, snap.ref, cmp.Or(snap.snapshotOf, nullRef))
	}
	if v.live() {
		if err := c.s.hostUp(v.residentOn); err != nil {
			return nil, err
		}
	}
	// Space: the VM's current disks are freed before the copies are made.
	need := map[string]int64{}
	for _, b := range diskVBDs(c.st, snap) {
		d := c.st.vdis[b.vdi]
		need[d.sr] += d.virtualSize
	}
	for _, b := range diskVBDs(c.st, v) {
		if c.st.sharedDisk(b) {
			continue
		}
		d := c.st.vdis[b.vdi]
		need[d.sr] -= d.virtualSize
	}
	if snap.suspendVDI != "" {
		need[c.st.defaultSR()] += snap.memStaticMax
	}
	for sr, n := range need {
		if err := c.st.reserve(sr, n); err != nil {
			return nil, err
		}
	}

	c.st.halt(v)
	for _, b := range c.st.vbdsOf(v.ref) {
		if isDisk(c.st, b) && !c.st.sharedDisk(b) {
			c.s.destroyVDI(c.st.vdis[b.vdi])
		}
		delete(c.st.vbds, b.ref)
	}
	for _, f := range c.st.vifsOf(v.ref) {
		delete(c.st.vifs, f.ref)
	}
	if m := snap.meta; m != nil {
		v.name, v.desc = m.name, m.desc
		v.memStaticMin, v.memStaticMax, v.memDynMin, v.memDynMax = m.memStaticMin, m.memStaticMax, m.memDynMin, m.memDynMax
		v.vcpusMax, v.vcpusAtStartup = m.vcpusMax, m.vcpusAtStartup
		cfg := m.config()
		v.otherConfig, v.hvmBootParams, v.platform, v.vcpusParams = cfg.otherConfig, cfg.hvmBootParams, cfg.platform, cfg.vcpusParams
		v.hvmBootPolicy = m.hvmBootPolicy
	}
	for _, b := range c.st.vbdsOf(snap.ref) {
		nb := *b
		nb.obj = c.st.newObj()
		nb.vm = v.ref
		nb.otherConfig, nb.qosParams = maps.Clone(b.otherConfig), maps.Clone(b.qosParams)
		if isDisk(c.st, b) {
			src := c.st.vdis[b.vdi]
			d, _ := c.s.copyVDI(src, src.sr)
			nb.vdi = d.ref
		}
		c.st.vbds[nb.ref] = &nb
	}
	for _, f := range c.st.vifsOf(snap.ref) {
		nf := *f
		nf.obj = c.st.newObj()
		nf.vm = v.ref
		nf.otherConfig, nf.qosParams = maps.Clone(f.otherConfig), maps.Clone(f.qosParams)
		c.st.vifs[nf.ref] = &nf
	}
	if img := c.st.vdis[snap.suspendVDI]; img != nil {
		d, _ := c.s.copyVDI(img, c.st.defaultSR())
		v.suspendVDI = d.ref
		v.power = suspended
	}
	v.parent = snap.ref
	return "", nil
}

// sharedDisk says whether b's VDI is also used by another VM's VBD (revert
// leaves such disks alone).
func (st *state) sharedDisk(b *vbd) bool {
	for _, x := range st.vbds {
		if x.vdi == b.vdi && x.vm != b.vm {
			return true
		}
	}
	return false
}

// provisionSpec is the "disks" key of a template's other_config.
type provisionSpec struct {
	Disks []struct {
		Device   string `xml:"device,attr"`
		Size     string `xml:"size,attr"`
		SR       string `xml:"sr,attr"`
		Bootable string `xml:"bootable,attr"`
		Type     string `xml:"type,attr"`
	} `xml:"disk"`
}

// provision creates the disks a template's other_config:disks describes,
// then removes that key.
func provision(c *call) (any, error) {
	v, err := c.vm(0)
	if err != nil {
		return nil, err
	}
	if err := c.s.checkOp(v, opProvision); err != nil {
		return nil, err
	}
	raw, ok := v.otherConfig["disks"]
	if !ok {
		return "", nil
	}
	var spec provisionSpec
	if err := xml.Unmarshal([]byte(raw), &spec); err != nil {
		return nil, xerr(errInternal, "cannot parse other_config:disks: "+err.Error())
	}
	type plan struct {
		device, sr, typ string
		size            int64
		bootable        bool
	}
	var plans []plan
	need := map[string]int64{}
	used := map[string]bool{}
	for _, b := range c.st.vbdsOf(v.ref) {
		used[b.userdevice] = true
	}
	for _, d := range spec.Disks {
		size, err := strconv.ParseInt(d.Size, 10, 64)
		if err != nil || size < 0 {
			return nil, invalidValue("other_config:disks", raw)
		}
		sr := c.st.defaultSR()
		if d.SR != "" {
			sr = ""
			for _, r := range c.st.srs {
				if r.uuid == d.SR {
					sr = r.ref
				}
			}
			if sr == "" {
				return nil, xerr(errUUIDInvalid, "SR", d.SR)
			}
		}
		if used[d.Device] {
			return nil, xerr(errDeviceAlreadyExists, d.Device)
		}
		used[d.Device] = true
		typ := cmp.Or(d.Type, "system")
		plans = append(plans, plan{device: d.Device, sr: sr, typ: typ, size: size, bootable: d.Bootable == "true"})
		need[sr] += size
	}
	for sr, n := range need {
		if err := c.st.reserve(sr, n); err != nil {
			return nil, err
		}
	}
	for _, p := range plans {
		d := &vdi{name: v.name + " " + p.device, sr: p.sr, typ: p.typ, virtualSize: p.size}
		_ = c.s.addVDI(d)
		b := &vbd{obj: c.st.newObj(), vm: v.ref, vdi: d.ref, userdevice: p.device, mode: "RW",
			typ: "Disk", bootable: p.bootable, unpluggable: true,
			otherConfig: map[string]string{"owner": "true"}, qosParams: map[string]string{}}
		c.st.vbds[b.ref] = b
	}
	delete(v.otherConfig, "disks")
	return "", nil
}
