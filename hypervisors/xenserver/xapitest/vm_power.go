package xapitest

// The power operations: start, shutdown, reboot, pause, suspend, resume.

func (s *Server) vmPowerMethods() []*method {
	simple := func(name, op string, apply func(c *call, v *vm) error) *method {
		return &method{name: name, params: []string{"vm"}, async: true, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			if err := c.s.checkOp(v, op); err != nil {
				return nil, err
			}
			return "", apply(c, v)
		}}
	}
	return []*method{
		{name: "VM.start", params: []string{"vm", "start_paused", "force"}, async: true,
			fn: func(c *call) (any, error) { return boot(c, opStart) }},
		{name: "VM.start_on", params: []string{"vm", "host", "start_paused", "force"}, async: true,
			fn: func(c *call) (any, error) { return boot(c, opStartOn) }},
		{name: "VM.resume", params: []string{"vm", "start_paused", "force"}, async: true,
			fn: func(c *call) (any, error) { return boot(c, opResume) }},
		{name: "VM.resume_on", params: []string{"vm", "host", "start_paused", "force"}, async: true,
			fn: func(c *call) (any, error) { return boot(c, opResumeOn) }},
		simple("VM.clean_shutdown", opCleanShutdown, func(c *call, v *vm) error { c.st.halt(v); return nil }),
		simple("VM.hard_shutdown", opHardShutdown, func(c *call, v *vm) error { c.st.halt(v); return nil }),
		simple("VM.shutdown", opShutdown, func(c *call, v *vm) error { c.st.halt(v); return nil }),
		simple("VM.clean_reboot", opCleanReboot, func(c *call, v *vm) error { c.st.reboot(v); return nil }),
		simple("VM.hard_reboot", opHardReboot, func(c *call, v *vm) error { c.st.reboot(v); return nil }),
		simple("VM.pause", opPause, func(c *call, v *vm) error { v.power = paused; return nil }),
		simple("VM.unpause", opUnpause, func(c *call, v *vm) error { v.power = running; return nil }),
		simple("VM.suspend", opSuspend, suspend),
		{name: "VM.power_state_reset", params: []string{"vm"}, async: true, fn: func(c *call) (any, error) {
			v, err := c.vm(0)
			if err != nil {
				return nil, err
			}
			if !v.controlDomain {
				c.st.halt(v)
			}
			return "", nil
		}},
	}
}

// boot implements start, start_on, resume and resume_on.
func boot(c *call, op string) (any, error) {
	v, err := c.vm(0)
	if err != nil {
		return nil, err
	}
	next := 1
	var target *host
	if op == opStartOn || op == opResumeOn {
		if target, err = c.host(1); err != nil {
			return nil, err
		}
		next = 2
	}
	startPaused, err := c.bool(next)
	if err != nil {
		return nil, err
	}
	if _, err := c.bool(next + 1); err != nil {
		return nil, err
	}
	if err := c.s.checkOp(v, op); err != nil {
		return nil, err
	}
	if target == nil {
		if target = c.s.choose(v); target == nil {
			return nil, xerr(errNoHostsAvailable)
		}
	} else if err := c.s.canBoot(v, target); err != nil {
		return nil, err
	}
	if v.suspendVDI != "" {
		if d := c.st.vdis[v.suspendVDI]; d != nil {
			c.s.destroyVDI(d)
		}
		v.suspendVDI = ""
	}
	c.st.domid++
	v.domid = c.st.domid
	v.residentOn = target.ref
	v.power = running
	if startPaused {
		v.power = paused
	}
	for _, b := range c.st.vbdsOf(v.ref) {
		b.attached = true
	}
	for _, f := range c.st.vifsOf(v.ref) {
		f.attached = true
	}
	return "", nil
}

// choose picks a host for v: its affinity if it can boot there, else the
// first host that can.
func (s *Server) choose(v *vm) *host {
	if h := s.st.hosts[v.affinity]; h != nil && s.canBoot(v, h) == nil {
		return h
	}
	for _, ref := range refsOf(s.st.hosts, nil) {
		if s.canBoot(v, s.st.hosts[ref]) == nil {
			return s.st.hosts[ref]
		}
	}
	return nil
}

// canBoot checks that v can run on h: h is up and has enough CPUs, the
// networks and the free memory v needs, and v's disks are not in use
// read-write elsewhere.
func (s *Server) canBoot(v *vm, h *host) error {
	if err := s.hostUp(h.ref); err != nil {
		return err
	}
	if v.vcpusMax > int64(h.cpus) {
		return xerr(errHostNotEnoughPCPUs, itoa(v.vcpusMax), itoa(int64(h.cpus)))
	}
	if err := s.st.canSee(v, h, s.st.vifsOf(v.ref)); err != nil {
		return err
	}
	if free := s.st.memoryFree(h); v.memDynMax > free {
		return xerr(errHostNotEnoughFreeMemory, itoa(v.memDynMax), itoa(free))
	}
	for _, b := range s.st.vbdsOf(v.ref) {
		d := s.st.vdis[b.vdi]
		if b.empty || d == nil || d.sharable {
			continue
		}
		for _, other := range s.st.vbds {
			if other.vdi == d.ref && other.vm != v.ref && other.attached &&
				(other.mode == "RW" || b.mode == "RW") {
				return xerr(errVDIInUse, d.ref)
			}
		}
	}
	return nil
}

// halt stops v wherever it is, dropping its suspend image.
func (st *state) halt(v *vm) {
	if v.suspendVDI != "" {
		if d := st.vdis[v.suspendVDI]; d != nil {
			st.stored -= d.content.stored()
			delete(st.vdis, d.ref)
		}
		v.suspendVDI = ""
	}
	v.power = halted
	v.residentOn = ""
	v.domid = -1
	for _, b := range st.vbdsOf(v.ref) {
		b.attached = false
	}
	for _, f := range st.vifsOf(v.ref) {
		f.attached = false
	}
}

func (st *state) reboot(v *vm) {
	st.domid++
	v.domid = st.domid
	v.power = running
}

// suspend saves v's memory to a suspend VDI in the default SR.
func suspend(c *call, v *vm) error {
	d := &vdi{name: "Suspend image", desc: "Suspend image", sr: c.st.defaultSR(),
		typ: "suspend", virtualSize: v.memStaticMax}
	if err := c.s.addVDI(d); err != nil {
		return err
	}
	v.suspendVDI = d.ref
	v.power = suspended
	v.residentOn = ""
	for _, b := range c.st.vbdsOf(v.ref) {
		b.attached = false
	}
	for _, f := range c.st.vifsOf(v.ref) {
		f.attached = false
	}
	return nil
}
