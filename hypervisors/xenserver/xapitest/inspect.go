package xapitest

import "fmt"

// Counts is how many objects of each kind the pool holds.
type Counts struct {
	VMs       int // neither templates, snapshots nor control domains
	Templates int // templates that are not snapshots
	Snapshots int
	VDIs      int
	VBDs      int
	VIFs      int
	Networks  int
	PIFs      int
	VLANs     int
	Tasks     int
	Sessions  int
}

// Counts counts the objects in the pool.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Counts{
		VDIs: len(s.st.vdis), VBDs: len(s.st.vbds), VIFs: len(s.st.vifs),
		Networks: len(s.st.networks), PIFs: len(s.st.pifs), VLANs: len(s.st.vlans),
		Tasks: len(s.st.tasks), Sessions: len(s.st.sessions),
	}
	for _, v := range s.st.vms {
		switch {
		case v.snapshot:
			c.Snapshots++
		case v.template:
			c.Templates++
		case !v.controlDomain:
			c.VMs++
		}
	}
	return c
}

// VMPowerState is the power_state of the VM with the given UUID ("Halted",
// "Running", "Paused" or "Suspended"); false if there is no such VM.
func (s *Server) VMPowerState(uuid string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vmByUUID(uuid); v != nil {
		return v.power, true
	}
	return "", false
}

// VMUUID is the UUID of the first VM (in creation order, templates and
// snapshots included) whose name_label is name; false if there is none.
func (s *Server) VMUUID(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	refs := refsOf(s.st.vms, func(v *vm) bool { return v.name == name })
	if len(refs) == 0 {
		return "", false
	}
	return s.st.vms[refs[0]].uuid, true
}

// VDIContent is the content of the VDI with the given UUID, virtual_size
// bytes long. It fails if there is no such VDI or its content was larger
// than Options.MaxStoredBytes allowed to keep.
func (s *Server) VDIContent(uuid string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.st.vdis {
		if d.uuid == uuid {
			return d.content.bytes(d.virtualSize)
		}
	}
	return nil, fmt.Errorf("xapitest: no VDI with UUID %s", uuid)
}

// AddVDI puts a VDI named name of sizeBytes holding content on the pool's
// first SR, as an administrator would upload a template disk, and returns
// its UUID. It fails when the SR is full or content is larger than the
// VDI.
func (s *Server) AddVDI(name string, sizeBytes int64, content []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(len(content)) > sizeBytes {
		return "", fmt.Errorf("xapitest: %d bytes of content do not fit a VDI of %d", len(content), sizeBytes)
	}
	d := &vdi{name: name, sr: s.st.defaultSR(), typ: "user", virtualSize: sizeBytes,
		content: newDisk(content, s.opts.MaxStoredBytes-s.st.stored)}
	if err := s.addVDI(d); err != nil {
		return "", fmt.Errorf("xapitest: %v", err)
	}
	return d.uuid, nil
}

// SRName is the name_label of the pool's first SR.
func (s *Server) SRName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.srs[s.st.defaultSR()].name
}

// HostMemoryFree is the named host's host_metrics.memory_free; false if
// there is no such host.
func (s *Server) HostMemoryFree(name string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.st.hosts {
		if h.name == name {
			return s.st.memoryFree(h), true
		}
	}
	return 0, false
}

// HaltVM powers the VM with the given UUID off behind the pool's back, as a
// guest that shuts itself down or a crashed host would: it becomes Halted
// with no API call. It reports whether the VM exists.
func (s *Server) HaltVM(uuid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vmByUUID(uuid)
	if v == nil || v.controlDomain {
		return false
	}
	s.st.halt(v)
	return true
}

func (s *Server) vmByUUID(uuid string) *vm {
	for _, v := range s.st.vms {
		if v.uuid == uuid {
			return v
		}
	}
	return nil
}
