package kvm

import (
	"errors"
	"testing"

	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// capsXML describes a host of arch offering domain types to hvm guests,
// with CPU feature flags.
func capsXML(t *testing.T, arch string, flags []string, types ...string) string {
	t.Helper()
	cpu := &libvirtxml.CapsHostCPU{Arch: arch}
	for _, f := range flags {
		cpu.FeatureFlags = append(cpu.FeatureFlags, libvirtxml.CapsHostCPUFeatureFlag{Name: f})
	}
	guest := libvirtxml.CapsGuest{OSType: "hvm", Arch: libvirtxml.CapsGuestArch{Name: arch}}
	for _, typ := range types {
		guest.Arch.Domains = append(guest.Arch.Domains, libvirtxml.CapsGuestDomain{Type: typ})
	}
	doc, err := (&libvirtxml.Caps{Host: libvirtxml.CapsHost{CPU: cpu}, Guests: []libvirtxml.CapsGuest{guest}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestChoosePlatform(t *testing.T) {
	for _, tc := range []struct {
		name  string
		caps  string
		want  string
		wants string
	}{
		{"physical host", capsXML(t, "x86_64", []string{"aes"}, "qemu", "kvm"), "auto", "kvm"},
		{"nested with vmx", capsXML(t, "x86_64", []string{"hypervisor", "vmx"}, "qemu", "kvm"), "auto", "kvm"},
		{"nested without virtualization extensions", capsXML(t, "x86_64", []string{"hypervisor", "avx2"}, "qemu", "kvm"), "auto", "qemu"},
		{"no kvm", capsXML(t, "x86_64", nil, "qemu"), "auto", "qemu"},
		{"qemu forced", capsXML(t, "x86_64", []string{"svm"}, "qemu", "kvm"), "qemu", "qemu"},
		{"kvm forced", capsXML(t, "x86_64", []string{"hypervisor"}, "qemu", "kvm"), "kvm", "kvm"},
		{"test driver", capsXML(t, "i686", nil, "test"), "auto", "test"},
	} {
		p, err := choosePlatform(tc.caps, tc.want)
		if err != nil || p.domainType != tc.wants || p.arch == "" {
			t.Errorf("%s: choosePlatform(domain_type=%s) = %+v, %v; want %s", tc.name, tc.want, p, err, tc.wants)
		}
	}
	if _, err := choosePlatform(capsXML(t, "x86_64", nil, "qemu"), "kvm"); !errors.Is(err, hypervisors.ErrInvalid) {
		t.Errorf("domain_type=kvm on a host without kvm: %v, want ErrInvalid", err)
	}
	if _, err := choosePlatform(capsXML(t, "aarch64", nil), "auto"); !errors.Is(err, hypervisors.ErrNotSupported) {
		t.Errorf("a host without hvm guests: %v, want ErrNotSupported", err)
	}
}
