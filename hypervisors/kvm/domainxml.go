package kvm

import (
	"encoding/xml"
	"path"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// instanceMetadata is the driver's element in a domain's <metadata>: the
// cloudcore instance the domain is, in the namespace
// https://cloudcore.dev/xmlns/libvirt/instance/1.
type instanceMetadata struct {
	XMLName xml.Name `xml:"https://cloudcore.dev/xmlns/libvirt/instance/1 instance"`
	ID      string   `xml:"id"`
	Name    string   `xml:"name,omitempty"`
}

// diskImage is a volume a domain boots from or uses.
type diskImage struct {
	path   string
	format string // qcow2 or raw
}

// vmDevices are the resolved devices of a VM to define.
type vmDevices struct {
	disks  []diskImage       // in VMSpec.Disks order; the first boots
	cidata string            // path of the config drive image, "" for none
	nics   []hypervisors.NIC // in VMSpec.NICs order
}

// vmDefinition describes the domain of spec: named cloudcore-<ID> with the
// ID as its UUID and in its metadata, the display name as its title; virtio
// disks (vda, vdb, ...) with the config drive read-only after them; a
// virtio NIC with the NIC's MAC on each network's libvirt network; a
// serial console on a pty whose output is also written to
// <console_log_dir>/cloudcore-<ID>.serial.log.
func (h *host) vmDefinition(spec hypervisors.VMSpec, devs vmDevices) (*libvirtxml.Domain, error) {
	meta, err := xml.Marshal(instanceMetadata{ID: spec.ID, Name: spec.Name})
	if err != nil {
		return nil, err
	}
	port := uint(0)
	dom := &libvirtxml.Domain{
		Type:          h.platform.domainType,
		Name:          domainName(spec.ID),
		UUID:          spec.ID,
		Title:         strings.Join(strings.Fields(spec.Name), " "),
		Metadata:      &libvirtxml.DomainMetadata{XML: string(meta)},
		Memory:        &libvirtxml.DomainMemory{Value: uint(spec.MemoryMiB), Unit: "MiB"},
		CurrentMemory: &libvirtxml.DomainCurrentMemory{Value: uint(spec.MemoryMiB), Unit: "MiB"},
		VCPU:          &libvirtxml.DomainVCPU{Placement: "static", Value: uint(spec.CPUs)},
		OS: &libvirtxml.DomainOS{
			Type:        &libvirtxml.DomainOSType{Type: "hvm", Arch: h.platform.arch},
			BootDevices: []libvirtxml.DomainBootDevice{{Dev: "hd"}},
		},
		Features:   &libvirtxml.DomainFeatureList{ACPI: &libvirtxml.DomainFeature{}, APIC: &libvirtxml.DomainFeatureAPIC{}},
		OnPoweroff: "destroy",
		OnReboot:   "restart",
		OnCrash:    "destroy",
		Devices: &libvirtxml.DomainDeviceList{
			Serials: []libvirtxml.DomainSerial{{
				Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
				Target: &libvirtxml.DomainSerialTarget{Port: &port},
				Log:    &libvirtxml.DomainChardevLog{File: path.Join(h.cfg.consoleLogDir, domainName(spec.ID)+".serial.log"), Append: "off"},
			}},
			Consoles: []libvirtxml.DomainConsole{{
				Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
				Target: &libvirtxml.DomainConsoleTarget{Type: "serial", Port: &port},
			}},
		},
	}
	for i, d := range devs.disks {
		dom.Devices.Disks = append(dom.Devices.Disks, virtioDisk(i, d, false))
	}
	if devs.cidata != "" {
		dom.Devices.Disks = append(dom.Devices.Disks, virtioDisk(len(devs.disks), diskImage{devs.cidata, "raw"}, true))
	}
	for _, n := range devs.nics {
		dom.Devices.Interfaces = append(dom.Devices.Interfaces, virtioNIC(n))
	}
	return dom, nil
}

// virtioNIC is a virtio NIC with n's MAC on n's libvirt network.
func virtioNIC(n hypervisors.NIC) libvirtxml.DomainInterface {
	return libvirtxml.DomainInterface{
		MAC:    &libvirtxml.DomainInterfaceMAC{Address: n.MAC},
		Source: &libvirtxml.DomainInterfaceSource{Network: &libvirtxml.DomainInterfaceSourceNetwork{Network: networkName(n.NetworkID)}},
		Model:  &libvirtxml.DomainInterfaceModel{Type: "virtio"},
	}
}

// virtioDisk is the i-th virtio disk of a domain, backed by img. A
// read-only disk is left out of snapshots.
func virtioDisk(i int, img diskImage, readOnly bool) libvirtxml.DomainDisk {
	d := libvirtxml.DomainDisk{
		Device: "disk",
		Driver: &libvirtxml.DomainDiskDriver{Name: "qemu", Type: img.format},
		Source: &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: img.path}},
		Target: &libvirtxml.DomainDiskTarget{Dev: virtioName(i), Bus: "virtio"},
	}
	if readOnly {
		d.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
		d.Snapshot = "no"
	}
	return d
}

// virtioName names the i-th virtio disk as Linux does: vda ... vdz, vdaa ...
func virtioName(i int) string {
	suffix := ""
	for i++; i > 0; i = (i - 1) / 26 {
		suffix = string(rune('a'+(i-1)%26)) + suffix
	}
	return "vd" + suffix
}

// domainDef is a domain's definition as libvirt reports it.
type domainDef struct{ *libvirtxml.Domain }

// definitionOf reads d's definition (flags: libvirt.DOMAIN_XML_INACTIVE
// for the one it boots with next).
func definitionOf(d *libvirt.Domain, flags libvirt.DomainXMLFlags) (domainDef, error) {
	doc, err := d.GetXMLDesc(flags)
	if err != nil {
		return domainDef{}, wrap("reading a domain's definition", err)
	}
	def := domainDef{&libvirtxml.Domain{}}
	return def, def.Unmarshal(doc)
}

// vmID returns the cloudcore ID of the domain: its UUID when its name is
// cloudcore-<UUID>, else "" (a domain the driver did not make).
func (d domainDef) vmID() string {
	if id, ok := idFrom(d.Name, domainPrefix, ""); ok && id == d.UUID {
		return id
	}
	return ""
}

// diskAt returns the target name of the domain's disk backed by the image
// at path.
func (d domainDef) diskAt(path string) (string, bool) {
	if d.Devices == nil {
		return "", false
	}
	for _, disk := range d.Devices.Disks {
		if disk.Source != nil && disk.Source.File != nil && disk.Source.File.File == path && disk.Target != nil {
			return disk.Target.Dev, true
		}
	}
	return "", false
}

// nicWithMAC returns the domain's NIC with MAC mac (in any case).
func (d domainDef) nicWithMAC(mac string) (libvirtxml.DomainInterface, bool) {
	if d.Devices != nil {
		for _, n := range d.Devices.Interfaces {
			if n.MAC != nil && strings.EqualFold(n.MAC.Address, mac) {
				return n, true
			}
		}
	}
	return libvirtxml.DomainInterface{}, false
}

// nicOn is a NIC of a domain on one of the driver's networks.
type nicOn struct {
	networkID string
	mac       string
}

// nics lists the domain's NICs on the driver's networks.
func (d domainDef) nics() []nicOn {
	if d.Devices == nil {
		return nil
	}
	var list []nicOn
	for _, n := range d.Devices.Interfaces {
		if n.Source == nil || n.Source.Network == nil || n.MAC == nil {
			continue
		}
		if id, ok := idFrom(n.Source.Network.Network, networkPrefix, ""); ok {
			list = append(list, nicOn{networkID: id, mac: n.MAC.Address})
		}
	}
	return list
}
