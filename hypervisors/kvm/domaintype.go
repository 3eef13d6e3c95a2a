package kvm

import (
	"fmt"
	"slices"

	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// guestPlatform is what the driver's domains run as on one host.
type guestPlatform struct {
	domainType string // "kvm", "qemu", or what else the host offers
	arch       string // the host's architecture, which guests share
}

// choosePlatform reads the host's capabilities (capsXML) and picks the
// domain type for want, one of the domain_type URL values:
//
//   - kvm or qemu: that type, which the host must offer (else ErrInvalid);
//   - auto: kvm when the host offers it and its CPU shows it can run it
//     (hardware virtualization flags vmx or svm, or a CPU that is not itself
//     virtual), else qemu (TCG emulation) when offered, else the first type
//     the host offers (libvirt's test driver offers only "test").
//
// The CPU check keeps auto away from nested hosts that expose /dev/kvm
// without virtualization extensions, where KVM guests die with an emulation
// failure; such hosts run guests with TCG.
func choosePlatform(capsXML, want string) (guestPlatform, error) {
	var caps libvirtxml.Caps
	if err := caps.Unmarshal(capsXML); err != nil {
		return guestPlatform{}, fmt.Errorf("reading the host's capabilities: %w", err)
	}
	if caps.Host.CPU == nil || caps.Host.CPU.Arch == "" {
		return guestPlatform{}, fmt.Errorf("%w: the host's capabilities name no CPU architecture", hypervisors.ErrNotSupported)
	}
	arch := caps.Host.CPU.Arch
	var offered []string
	for _, g := range caps.Guests {
		if g.OSType == "hvm" && g.Arch.Name == arch {
			for _, d := range g.Arch.Domains {
				offered = append(offered, d.Type)
			}
		}
	}
	if len(offered) == 0 {
		return guestPlatform{}, fmt.Errorf("%w: the host runs no hvm guests of its architecture %s", hypervisors.ErrNotSupported, arch)
	}
	has := func(t string) bool { return slices.Contains(offered, t) }
	p := guestPlatform{arch: arch}
	switch {
	case want != domainTypeAuto && has(want):
		p.domainType = want
	case want != domainTypeAuto:
		return guestPlatform{}, fmt.Errorf("%w: domain_type=%s, but the host offers %v", hypervisors.ErrInvalid, want, offered)
	case has(domainTypeKVM) && hardwareVirtualization(caps.Host.CPU):
		p.domainType = domainTypeKVM
	case has(domainTypeQEMU):
		p.domainType = domainTypeQEMU
	default:
		p.domainType = offered[0]
	}
	return p, nil
}

// hardwareVirtualization reports whether cpu shows the virtualization
// extensions KVM needs, or is a physical CPU (no "hypervisor" flag), whose
// model may include them without listing them.
func hardwareVirtualization(cpu *libvirtxml.CapsHostCPU) bool {
	if f := cpu.Features; f != nil && (f.VMX != nil || f.SVM != nil) {
		return true
	}
	virtual := false
	for _, f := range cpu.FeatureFlags {
		switch f.Name {
		case "vmx", "svm":
			return true
		case "hypervisor":
			virtual = true
		}
	}
	return !virtual
}
