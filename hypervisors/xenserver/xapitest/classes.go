package xapitest

import "strings"

// class is what the generic calls of a XenAPI class (get_all,
// get_all_records, get_record, get_by_uuid, get_by_name_label and the field
// getters) need to know about it.
type class struct {
	name   string
	named  bool // has name_label, hence get_by_name_label
	refs   func(st *state) []string
	get    func(st *state, ref string) (object, bool)
	zero   func() object
	record func(st *state, o object) map[string]any
}

func (s *Server) classes() []*class {
	return []*class{
		{name: "pool", refs: func(st *state) []string { return []string{st.pool.ref} },
			get: func(st *state, ref string) (object, bool) {
				if ref == st.pool.ref {
					return &st.pool, true
				}
				return nil, false
			},
			zero: func() object { return &obj{} }, record: recPool},
		{name: "host", named: true, refs: func(st *state) []string { return refsOf(st.hosts, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.hosts[ref]; return o, ok },
			zero: func() object { return &host{} }, record: s.recHost},
		{name: "host_metrics", refs: func(st *state) []string {
			var refs []string
			for _, h := range refsOf(st.hosts, nil) {
				refs = append(refs, st.hosts[h].metricsRef)
			}
			return refs
		},
			get: func(st *state, ref string) (object, bool) {
				for _, h := range st.hosts {
					if h.metricsRef == ref {
						return newHostMetrics(h), true
					}
				}
				return nil, false
			},
			zero: func() object { return newHostMetrics(&host{}) }, record: s.recHostMetrics},
		{name: "SR", named: true, refs: func(st *state) []string { return refsOf(st.srs, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.srs[ref]; return o, ok },
			zero: func() object { return &sr{} }, record: recSR},
		{name: "VDI", named: true, refs: func(st *state) []string { return refsOf(st.vdis, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.vdis[ref]; return o, ok },
			zero: func() object { return &vdi{} }, record: recVDI},
		{name: "VBD", refs: func(st *state) []string { return refsOf(st.vbds, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.vbds[ref]; return o, ok },
			zero: func() object { return &vbd{} }, record: recVBD},
		{name: "VIF", refs: func(st *state) []string { return refsOf(st.vifs, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.vifs[ref]; return o, ok },
			zero: func() object { return &vif{} }, record: recVIF},
		{name: "network", named: true, refs: func(st *state) []string { return refsOf(st.networks, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.networks[ref]; return o, ok },
			zero: func() object { return &network{} }, record: recNetwork},
		{name: "PIF", refs: func(st *state) []string { return refsOf(st.pifs, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.pifs[ref]; return o, ok },
			zero: func() object { return &pif{} }, record: recPIF},
		{name: "VLAN", refs: func(st *state) []string { return refsOf(st.vlans, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.vlans[ref]; return o, ok },
			zero: func() object { return &vlan{} }, record: recVLAN},
		{name: "VM", named: true, refs: func(st *state) []string { return refsOf(st.vms, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.vms[ref]; return o, ok },
			zero: func() object { return &vm{} }, record: recVM},
		{name: "task", named: true, refs: func(st *state) []string { return refsOf(st.tasks, nil) },
			get:  func(st *state, ref string) (object, bool) { o, ok := st.tasks[ref]; return o, ok },
			zero: func() object { return &task{} }, record: recTask},
	}
}

// classMethods are the generic calls of every class.
func (s *Server) classMethods() []*method {
	var ms []*method
	for _, k := range s.classes() {
		k := k
		ms = append(ms,
			&method{name: k.name + ".get_all", fn: func(c *call) (any, error) {
				return orEmpty(k.refs(c.st)), nil
			}},
			&method{name: k.name + ".get_all_records", fn: func(c *call) (any, error) {
				out := map[string]any{}
				for _, ref := range k.refs(c.st) {
					o, _ := k.get(c.st, ref)
					out[ref] = k.record(c.st, o)
				}
				return out, nil
			}},
			&method{name: k.name + ".get_record", params: []string{"self"}, fn: func(c *call) (any, error) {
				o, err := k.object(c, 0)
				if err != nil {
					return nil, err
				}
				return k.record(c.st, o), nil
			}},
			&method{name: k.name + ".get_by_uuid", params: []string{"uuid"}, fn: func(c *call) (any, error) {
				id, err := c.str(0)
				if err != nil {
					return nil, err
				}
				for _, ref := range k.refs(c.st) {
					if o, _ := k.get(c.st, ref); o.base().uuid == id {
						return ref, nil
					}
				}
				return nil, xerr(errUUIDInvalid, k.name, id)
			}},
		)
		if k.named {
			ms = append(ms, &method{name: k.name + ".get_by_name_label", params: []string{"label"},
				fn: func(c *call) (any, error) {
					label, err := c.str(0)
					if err != nil {
						return nil, err
					}
					refs := []string{}
					for _, ref := range k.refs(c.st) {
						o, _ := k.get(c.st, ref)
						if k.record(c.st, o)["name_label"] == label {
							refs = append(refs, ref)
						}
					}
					return refs, nil
				}})
		}
	}
	return ms
}

// object reads parameter i as a reference to an object of class k.
func (k *class) object(c *call, i int) (object, error) {
	ref, err := c.ref(i)
	if err != nil {
		return nil, err
	}
	o, ok := k.get(c.st, ref)
	if !ok {
		return nil, handleInvalid(k.name, ref)
	}
	return o, nil
}

// getter makes the field getter <class>.get_<field>, or returns nil when the
// class or the field does not exist.
func (s *Server) getter(name string) *method {
	className, field, ok := strings.Cut(name, ".get_")
	if !ok {
		return nil
	}
	for _, k := range s.classes() {
		if k.name != className {
			continue
		}
		if _, ok := k.record(newState(), k.zero())[field]; !ok {
			return nil
		}
		return &method{name: name, params: []string{"self"}, fn: func(c *call) (any, error) {
			o, err := k.object(c, 0)
			if err != nil {
				return nil, err
			}
			return k.record(c.st, o)[field], nil
		}}
	}
	return nil
}
