package xapitest

import (
	"strconv"
)

func recVBD(st *state, o object) map[string]any {
	b := o.(*vbd)
	vdiRef := b.vdi
	if vdiRef == "" {
		vdiRef = nullRef
	}
	return map[string]any{
		"uuid": b.uuid, "VM": b.vm, "VDI": vdiRef, "userdevice": b.userdevice,
		"device": deviceName(b), "bootable": b.bootable, "mode": b.mode, "type": b.typ,
		"unpluggable": b.unpluggable, "empty": b.empty, "currently_attached": b.attached,
		"storage_lock": false, "status_code": int64(0), "status_detail": "",
		"other_config": strMap(b.otherConfig), "qos_algorithm_type": b.qosType,
		"qos_algorithm_params": strMap(b.qosParams), "qos_supported_algorithms": []string{},
		"runtime_properties": map[string]string{}, "metrics": nullRef,
		"allowed_operations": []string{}, "current_operations": map[string]string{},
	}
}

// deviceName is the guest device of an attached VBD (xvda, xvdb, ...).
func deviceName(b *vbd) string {
	n, err := strconv.Atoi(b.userdevice)
	if !b.attached || err != nil || n < 0 || n > 25 {
		return ""
	}
	return "xvd" + string(rune('a'+n))
}

// maxVBDDevice is the highest userdevice number a VM can have.
const maxVBDDevice = 15

func (s *Server) vbdMethods() []*method {
	return []*method{
		{name: "VBD.create", params: []string{"args"}, async: true, fn: vbdCreate},
		{name: "VBD.destroy", params: []string{"self"}, async: true, fn: func(c *call) (any, error) {
			ref, err := c.ref(0)
			if err != nil {
				return nil, err
			}
			b := c.st.vbds[ref]
			if b == nil {
				return nil, handleInvalid("VBD", ref)
			}
			if b.attached {
				return nil, xerr(errOperationNotAllowed,
					"VBD '"+b.uuid+"' still attached to '"+c.st.vms[b.vm].uuid+"'")
			}
			delete(c.st.vbds, ref)
			return "", nil
		}},
	}
}

func vbdCreate(c *call) (any, error) {
	f, err := c.record(0)
	if err != nil {
		return nil, err
	}
	b := &vbd{}
	if b.vm, err = f.str("VM", nil); err != nil {
		return nil, err
	}
	v := c.st.vms[b.vm]
	if v == nil {
		return nil, handleInvalid("VM", b.vm)
	}
	if b.vdi, err = f.str("VDI", nil); err != nil {
		return nil, err
	}
	if b.userdevice, err = f.str("userdevice", nil); err != nil {
		return nil, err
	}
	if b.bootable, err = f.bool("bootable", nil); err != nil {
		return nil, err
	}
	if b.mode, err = f.enum("mode", nil, "RO", "RW"); err != nil {
		return nil, err
	}
	if b.typ, err = f.enum("type", nil, "CD", "Disk", "Floppy"); err != nil {
		return nil, err
	}
	if b.empty, err = f.bool("empty", nil); err != nil {
		return nil, err
	}
	if b.unpluggable, err = f.bool("unpluggable", ptr(true)); err != nil {
		return nil, err
	}
	if b.otherConfig, err = f.strMap("other_config"); err != nil {
		return nil, err
	}
	if b.qosType, err = f.str("qos_algorithm_type", ptr("")); err != nil {
		return nil, err
	}
	if b.qosParams, err = f.strMap("qos_algorithm_params"); err != nil {
		return nil, err
	}
	if b.typ == "CD" && b.mode != "RO" {
		return nil, xerr(errVBDCDsMustBeReadonly)
	}
	if b.typ != "CD" && b.empty {
		return nil, xerr(errVBDNotRemovableMedia, "in constructor")
	}
	if b.empty {
		b.vdi = ""
	} else if d := c.st.vdis[b.vdi]; d == nil {
		return nil, handleInvalid("VDI", b.vdi)
	} else if b.mode == "RW" && d.readOnly {
		return nil, xerr(errVDIReadonly, d.ref)
	}
	used := map[string]bool{}
	for _, x := range c.st.vbdsOf(v.ref) {
		used[x.userdevice] = true
	}
	if b.userdevice == "autodetect" {
		b.userdevice = ""
		for n := 0; n <= maxVBDDevice && b.userdevice == ""; n++ {
			if !used[strconv.Itoa(n)] {
				b.userdevice = strconv.Itoa(n)
			}
		}
		if b.userdevice == "" {
			return nil, xerr(errInvalidDevice, "autodetect")
		}
	}
	if n, err := strconv.Atoi(b.userdevice); err != nil || n < 0 || n > maxVBDDevice {
		return nil, xerr(errInvalidDevice, b.userdevice)
	}
	if used[b.userdevice] {
		return nil, xerr(errDeviceAlreadyExists, b.userdevice)
	}
	b.obj = c.st.newObj()
	c.st.vbds[b.ref] = b
	return b.ref, nil
}
