package xapitest

import "time"

// vdiTypes are the values of the vdi_type enum.
var vdiTypes = []string{"system", "user", "ephemeral", "suspend", "crashdump",
	"ha_statefile", "metadata", "redo_log", "rrd", "pvs_cache", "cbt_metadata"}

func recSR(st *state, o object) map[string]any {
	r := o.(*sr)
	var used int64
	for _, d := range st.vdis {
		if d.sr == r.ref && r.ref != "" {
			used += d.content.stored()
		}
	}
	return map[string]any{
		"uuid": r.uuid, "name_label": r.name, "name_description": r.desc,
		"type": "ext", "content_type": "user", "shared": true,
		"physical_size": r.size, "physical_utilisation": used,
		"virtual_allocation": st.allocation(r.ref),
		"VDIs":               orEmpty(refsOf(st.vdis, func(d *vdi) bool { return d.sr == r.ref && r.ref != "" })),
		"PBDs":               []string{}, "other_config": strMap(r.otherConfig),
		"sm_config": map[string]string{}, "tags": []string{},
		"allowed_operations": []string{}, "current_operations": map[string]string{},
	}
}

func recVDI(st *state, o object) map[string]any {
	d := o.(*vdi)
	snapOf := d.snapshotOf
	if snapOf == "" {
		snapOf = nullRef
	}
	return map[string]any{
		"uuid": d.uuid, "name_label": d.name, "name_description": d.desc,
		"SR": d.sr, "virtual_size": d.virtualSize, "physical_utilisation": d.content.stored(),
		"type": d.typ, "sharable": d.sharable, "read_only": d.readOnly,
		"VBDs":         orEmpty(refsOf(st.vbds, func(b *vbd) bool { return b.vdi == d.ref && d.ref != "" })),
		"other_config": strMap(d.otherConfig), "xenstore_data": strMap(d.xenstoreData),
		"sm_config": strMap(d.smConfig), "is_a_snapshot": d.isSnapshot, "snapshot_of": snapOf,
		"snapshots":     orEmpty(refsOf(st.vdis, func(x *vdi) bool { return x.snapshotOf == d.ref && d.ref != "" })),
		"snapshot_time": xapiTime(d.snapshotTime), "location": d.uuid, "managed": true,
		"missing": false, "storage_lock": false, "parent": nullRef, "crash_dumps": []string{},
		"tags": []string{}, "on_boot": "persist", "allow_caching": false,
		"allowed_operations": []string{}, "current_operations": map[string]string{},
	}
}

// inUse fails with VDI_IN_USE [vdi, op] when a VBD holds d.
func (st *state) inUse(d *vdi, op string) error {
	for _, b := range st.vbds {
		if b.vdi == d.ref && st.active(b) {
			return xerr(errVDIInUse, d.ref, op)
		}
	}
	return nil
}

// addVDI stores a new VDI, checking the SR's space first.
func (s *Server) addVDI(d *vdi) error {
	if err := s.st.reserve(d.sr, d.virtualSize); err != nil {
		return err
	}
	d.obj = s.st.newObj()
	for _, m := range []*map[string]string{&d.otherConfig, &d.xenstoreData, &d.smConfig} {
		if *m == nil {
			*m = map[string]string{}
		}
	}
	s.st.vdis[d.ref] = d
	s.st.stored += d.content.stored()
	return nil
}

// copyVDI makes a full copy of d in SR target (the content is shared until
// overwritten).
func (s *Server) copyVDI(d *vdi, target string) (*vdi, error) {
	c := *d
	c.sr = target
	c.otherConfig = strMap(d.otherConfig)
	c.xenstoreData = strMap(d.xenstoreData)
	c.smConfig = map[string]string{}
	c.isSnapshot, c.snapshotOf, c.snapshotTime = false, "", time.Time{}
	c.content = d.content.clone()
	if err := s.addVDI(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// copyInto writes the content of d into the VDI of VDI.copy's into_vdi
// parameter: VDI_TOO_SMALL when that is smaller than d, VDI_READONLY when
// it is read-only, VDI_IN_USE when a running VM uses either.
func copyInto(c *call, d *vdi) (any, error) {
	into, err := c.vdi(3)
	if err != nil {
		return nil, err
	}
	if base, err := c.ref(2); err != nil || base != nullRef {
		if _, err := c.vdi(2); err != nil {
			return nil, err
		}
	}
	switch {
	case into.virtualSize < d.virtualSize:
		return nil, xerr(errVDITooSmall, into.ref, itoa(d.virtualSize))
	case into.readOnly:
		return nil, xerr(errVDIReadonly, into.ref)
	}
	for _, x := range []*vdi{d, into} {
		if err := c.st.inUse(x, "copy"); err != nil {
			return nil, err
		}
	}
	c.s.st.stored -= into.content.stored()
	into.content = d.content.clone()
	c.s.st.stored += into.content.stored()
	return into.ref, nil
}

// destroyVDI removes d and the VBDs that point at it.
func (s *Server) destroyVDI(d *vdi) {
	for ref, b := range s.st.vbds {
		if b.vdi == d.ref {
			delete(s.st.vbds, ref)
		}
	}
	s.st.stored -= d.content.stored()
	delete(s.st.vdis, d.ref)
}

func (s *Server) vdiMethods() []*method {
	return []*method{
		{name: "VDI.create", params: []string{"args"}, async: true, fn: vdiCreate},
		// VDI.copy(vdi, sr[, base_vdi, into_vdi]): a fresh copy on sr, or,
		// with into_vdi, the content written into that VDI (sr and
		// base_vdi may then be null; base_vdi only narrows which blocks a
		// real pool reads, the result is the same).
		{name: "VDI.copy", params: []string{"vdi", "sr", "base_vdi", "into_vdi"}, optional: 2, async: true, fn: func(c *call) (any, error) {
			d, err := c.vdi(0)
			if err != nil {
				return nil, err
			}
			if len(c.args) == 4 {
				if into, err := c.ref(3); err != nil || into != nullRef {
					return copyInto(c, d)
				}
			}
			target, err := c.sr(1)
			if err != nil {
				return nil, err
			}
			if err := c.st.inUse(d, "copy"); err != nil {
				return nil, err
			}
			n, err := c.s.copyVDI(d, target.ref)
			if err != nil {
				return nil, err
			}
			n.readOnly = false
			return n.ref, nil
		}},
		{name: "VDI.resize", params: []string{"vdi", "size"}, async: true, fn: vdiResize},
		{name: "VDI.destroy", params: []string{"self"}, async: true, fn: func(c *call) (any, error) {
			d, err := c.vdi(0)
			if err != nil {
				return nil, err
			}
			if err := c.st.inUse(d, "destroy"); err != nil {
				return nil, err
			}
			c.s.destroyVDI(d)
			return "", nil
		}},
		{name: "VDI.set_name_label", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			return setString(c, func(d *vdi, v string) { d.name = v })
		}},
		{name: "VDI.set_name_description", params: []string{"self", "value"}, fn: func(c *call) (any, error) {
			return setString(c, func(d *vdi, v string) { d.desc = v })
		}},
		{name: "VDI.add_to_other_config", params: []string{"self", "key", "value"}, fn: func(c *call) (any, error) {
			d, err := c.vdi(0)
			if err != nil {
				return nil, err
			}
			return addToMap(c, "VDI", d.ref, d.otherConfig)
		}},
		{name: "VDI.remove_from_other_config", params: []string{"self", "key"}, fn: func(c *call) (any, error) {
			d, err := c.vdi(0)
			if err != nil {
				return nil, err
			}
			return removeFromMap(c, d.otherConfig)
		}},
	}
}

func setString(c *call, set func(*vdi, string)) (any, error) {
	d, err := c.vdi(0)
	if err != nil {
		return nil, err
	}
	v, err := c.str(1)
	if err != nil {
		return nil, err
	}
	set(d, v)
	return "", nil
}

func vdiCreate(c *call) (any, error) {
	f, err := c.record(0)
	if err != nil {
		return nil, err
	}
	srRef, err := f.str("SR", nil)
	if err != nil {
		return nil, err
	}
	if c.st.srs[srRef] == nil {
		return nil, handleInvalid("SR", srRef)
	}
	d := &vdi{sr: srRef}
	if d.name, err = f.str("name_label", ptr("")); err != nil {
		return nil, err
	}
	if d.desc, err = f.str("name_description", ptr("")); err != nil {
		return nil, err
	}
	if d.virtualSize, err = f.int("virtual_size", nil); err != nil {
		return nil, err
	}
	if d.virtualSize < 0 {
		return nil, invalidValue("virtual_size", itoa(d.virtualSize))
	}
	if d.typ, err = f.enum("type", nil, vdiTypes...); err != nil {
		return nil, err
	}
	if d.sharable, err = f.bool("sharable", ptr(false)); err != nil {
		return nil, err
	}
	if d.readOnly, err = f.bool("read_only", ptr(false)); err != nil {
		return nil, err
	}
	if d.otherConfig, err = f.strMap("other_config"); err != nil {
		return nil, err
	}
	if d.xenstoreData, err = f.strMap("xenstore_data"); err != nil {
		return nil, err
	}
	if d.smConfig, err = f.strMap("sm_config"); err != nil {
		return nil, err
	}
	if err := c.s.addVDI(d); err != nil {
		return nil, err
	}
	return d.ref, nil
}

func vdiResize(c *call) (any, error) {
	d, err := c.vdi(0)
	if err != nil {
		return nil, err
	}
	size, err := c.int(1)
	if err != nil {
		return nil, err
	}
	if err := c.st.inUse(d, "resize"); err != nil {
		return nil, err
	}
	if size < d.virtualSize {
		// What the ext SR's driver answers: it cannot shrink a VHD.
		return nil, xerr(errSRBackendFailure79, "", "VDI Invalid size [opterr=shrinking not allowed]", "")
	}
	if err := c.st.reserve(d.sr, size-d.virtualSize); err != nil {
		return nil, err
	}
	d.virtualSize = size
	return "", nil
}

// addToMap implements <class>.add_to_<map>(self, key, value): a key that is
// already there is MAP_DUPLICATE_KEY [class, field, ref, key].
func addToMap(c *call, class, ref string, m map[string]string) (any, error) {
	key, err := c.str(1)
	if err != nil {
		return nil, err
	}
	value, err := c.str(2)
	if err != nil {
		return nil, err
	}
	if _, ok := m[key]; ok {
		return nil, xerr(errMapDuplicateKey, class, "other_config", ref, key)
	}
	m[key] = value
	return "", nil
}

// removeFromMap implements <class>.remove_from_<map>(self, key); a missing
// key is not an error.
func removeFromMap(c *call, m map[string]string) (any, error) {
	key, err := c.str(1)
	if err != nil {
		return nil, err
	}
	delete(m, key)
	return "", nil
}
