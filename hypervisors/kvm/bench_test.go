package kvm_test

import (
	"context"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// The benchmarks time the driver against the same steps done with
// qemu-img and virsh directly, alternating the two in every iteration, and
// report each one's milliseconds per operation and their ratio
// (driver/direct).

// comparison accumulates the time of both sides.
type comparison struct{ driver, direct time.Duration }

func (c *comparison) report(b *testing.B) {
	n := float64(b.N)
	b.ReportMetric(float64(c.driver.Milliseconds())/n, "driver-ms/op")
	b.ReportMetric(float64(c.direct.Milliseconds())/n, "direct-ms/op")
	b.ReportMetric(float64(c.driver)/float64(c.direct), "driver/direct")
	b.ReportMetric(0, "ns/op")
}

// timed adds the time fn takes to d.
func timed(d *time.Duration, fn func()) {
	start := time.Now()
	fn()
	*d += time.Since(start)
}

// directDomain describes, for virsh, a domain like the driver's: one virtio
// disk on the qcow2 image at disk, a NIC with MAC mac on libvirt network
// network when it is not "", a serial console logged to logDir.
func directDomain(b *testing.B, name, disk, network, mac, logDir string) string {
	port := uint(0)
	dom := &libvirtxml.Domain{
		Type:          "qemu",
		Name:          name,
		Memory:        &libvirtxml.DomainMemory{Value: 256, Unit: "MiB"},
		CurrentMemory: &libvirtxml.DomainCurrentMemory{Value: 256, Unit: "MiB"},
		VCPU:          &libvirtxml.DomainVCPU{Value: 1},
		OS:            &libvirtxml.DomainOS{Type: &libvirtxml.DomainOSType{Type: "hvm"}},
		Features:      &libvirtxml.DomainFeatureList{ACPI: &libvirtxml.DomainFeature{}, APIC: &libvirtxml.DomainFeatureAPIC{}},
		Devices: &libvirtxml.DomainDeviceList{
			Disks: []libvirtxml.DomainDisk{{
				Device: "disk",
				Driver: &libvirtxml.DomainDiskDriver{Name: "qemu", Type: "qcow2"},
				Source: &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: disk}},
				Target: &libvirtxml.DomainDiskTarget{Dev: "vda", Bus: "virtio"},
			}},
			Serials: []libvirtxml.DomainSerial{{
				Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
				Target: &libvirtxml.DomainSerialTarget{Port: &port},
				Log:    &libvirtxml.DomainChardevLog{File: filepath.Join(logDir, name+".log")},
			}},
		},
	}
	if network != "" {
		dom.Devices.Interfaces = []libvirtxml.DomainInterface{{
			MAC:    &libvirtxml.DomainInterfaceMAC{Address: mac},
			Source: &libvirtxml.DomainInterfaceSource{Network: &libvirtxml.DomainInterfaceSourceNetwork{Network: network}},
			Model:  &libvirtxml.DomainInterfaceModel{Type: "virtio"},
		}}
	}
	doc, err := dom.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(logDir, name+".xml")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		b.Fatal(err)
	}
	return file
}

// BenchmarkDeploy times making a VM from a template and starting it: the
// driver's CreateVolume, CreateVM (with its config drive) and StartVM
// against qemu-img create, virsh define and virsh start. With a NIC, both
// sides also reserve its address in the network's DHCP server (the driver
// in CreateVM, the other side with virsh net-update): without it the guest
// gets no address, since guest networks hand out reserved addresses only.
func BenchmarkDeploy(b *testing.B) {
	for _, withNIC := range []bool{false, true} {
		name := "disk only"
		if withNIC {
			name = "with NIC"
		}
		b.Run(name, func(b *testing.B) { benchmarkDeploy(b, withNIC) })
	}
}

func benchmarkDeploy(b *testing.B, withNIC bool) {
	s := newSystem(b, url.Values{"domain_type": {"qemu"}})
	ctx := context.Background()
	var n hypervisors.NetworkSpec
	if withNIC {
		n = hypervisors.NetworkSpec{ID: uuid.NewString(), CIDR: netip.MustParsePrefix("198.18.5.0/24"), Gateway: netip.MustParseAddr("198.18.5.1")}
		mustDo(b, "EnsureNetwork", s.host.EnsureNetwork(ctx, n))
		b.Cleanup(func() { mustDo(b, "RemoveNetwork", s.host.RemoveNetwork(ctx, n.ID)) })
	}
	tpl := strings.TrimPrefix(s.template.URL, "file://")
	var c comparison
	for i := 0; b.Loop(); i++ {
		vol := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &s.template}
		spec := hypervisors.VMSpec{ID: uuid.NewString(), Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
			Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}}}
		if withNIC {
			spec.NICs = []hypervisors.NIC{{NetworkID: n.ID, MAC: "02:00:00:00:05:0a", Address: netip.MustParsePrefix("198.18.5.10/24")}}
		}
		direct := "bench-" + uuid.NewString()[:8]
		overlay := filepath.Join(s.logDir, direct+".qcow2")
		network, reservation := "", ""
		const directMAC = "02:00:00:00:05:0b"
		if withNIC {
			network = "cloudcore-net-" + n.ID
			reservation = "<host mac='" + directMAC + "' name='" + direct + "' ip='198.18.5.11'/>"
		}
		domXML := directDomain(b, direct, overlay, network, directMAC, s.logDir)
		viaDriver := func() {
			_, err := s.host.CreateVolume(ctx, vol)
			mustDo(b, "CreateVolume", err)
			_, err = s.host.CreateVM(ctx, spec)
			mustDo(b, "CreateVM", err)
			mustDo(b, "StartVM", s.host.StartVM(ctx, spec.ID))
		}
		viaVirsh := func() {
			run(b, "qemu-img", "create", "-q", "-f", "qcow2", "-b", tpl, "-F", "qcow2", overlay)
			if withNIC {
				run(b, "virsh", "-q", "-c", systemURI, "net-update", network, "add-last", "ip-dhcp-host", reservation, "--live", "--config")
			}
			run(b, "virsh", "-q", "-c", systemURI, "define", domXML)
			run(b, "virsh", "-q", "-c", systemURI, "start", direct)
		}
		if i%2 == 0 {
			timed(&c.driver, viaDriver)
			timed(&c.direct, viaVirsh)
		} else {
			timed(&c.direct, viaVirsh)
			timed(&c.driver, viaDriver)
		}
		b.StopTimer()
		mustDo(b, "DestroyVM", s.host.DestroyVM(ctx, spec.ID))
		mustDo(b, "DeleteVolume", s.host.DeleteVolume(ctx, s.pool, vol.ID))
		run(b, "virsh", "-q", "-c", systemURI, "destroy", direct)
		run(b, "virsh", "-q", "-c", systemURI, "undefine", direct)
		if withNIC {
			run(b, "virsh", "-q", "-c", systemURI, "net-update", network, "delete", "ip-dhcp-host", reservation, "--live", "--config")
		}
		b.StartTimer()
	}
	c.report(b)
}

// BenchmarkSnapshot times a memory snapshot of a running VM and the revert
// to it: the driver's CreateSnapshot and RevertSnapshot against virsh
// snapshot-create-as and snapshot-revert, on two VMs alike.
func BenchmarkSnapshot(b *testing.B) {
	s := newSystem(b, url.Values{"domain_type": {"qemu"}})
	ctx := context.Background()
	vol := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &s.template}
	_, err := s.host.CreateVolume(ctx, vol)
	mustDo(b, "CreateVolume", err)
	b.Cleanup(func() { mustDo(b, "DeleteVolume", s.host.DeleteVolume(ctx, s.pool, vol.ID)) })
	spec := hypervisors.VMSpec{ID: uuid.NewString(), Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
		Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}}}
	_, err = s.host.CreateVM(ctx, spec)
	mustDo(b, "CreateVM", err)
	b.Cleanup(func() { mustDo(b, "DestroyVM", s.host.DestroyVM(ctx, spec.ID)) })
	mustDo(b, "StartVM", s.host.StartVM(ctx, spec.ID))

	direct := "bench-" + uuid.NewString()[:8]
	overlay := filepath.Join(s.logDir, direct+".qcow2")
	run(b, "qemu-img", "create", "-q", "-f", "qcow2", "-b", strings.TrimPrefix(s.template.URL, "file://"), "-F", "qcow2", overlay)
	run(b, "virsh", "-q", "-c", systemURI, "define", directDomain(b, direct, overlay, "", "", s.logDir))
	run(b, "virsh", "-q", "-c", systemURI, "start", direct)
	b.Cleanup(func() {
		run(b, "virsh", "-q", "-c", systemURI, "destroy", direct)
		run(b, "virsh", "-q", "-c", systemURI, "undefine", direct, "--snapshots-metadata")
	})

	var create, revert comparison
	for b.Loop() {
		snap := hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: true}
		name := "s-" + snap.ID[:8]
		timed(&create.driver, func() {
			_, err := s.host.CreateSnapshot(ctx, spec.ID, snap)
			mustDo(b, "CreateSnapshot", err)
		})
		timed(&create.direct, func() { run(b, "virsh", "-q", "-c", systemURI, "snapshot-create-as", direct, name) })
		timed(&revert.direct, func() { run(b, "virsh", "-q", "-c", systemURI, "snapshot-revert", direct, name, "--running") })
		timed(&revert.driver, func() { mustDo(b, "RevertSnapshot", s.host.RevertSnapshot(ctx, spec.ID, snap.ID)) })
		b.StopTimer()
		mustDo(b, "DeleteSnapshot", s.host.DeleteSnapshot(ctx, spec.ID, snap.ID))
		run(b, "virsh", "-q", "-c", systemURI, "snapshot-delete", direct, name)
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(create.driver.Milliseconds())/n, "create-driver-ms/op")
	b.ReportMetric(float64(create.direct.Milliseconds())/n, "create-direct-ms/op")
	b.ReportMetric(float64(create.driver)/float64(create.direct), "create-driver/direct")
	b.ReportMetric(float64(revert.driver.Milliseconds())/n, "revert-driver-ms/op")
	b.ReportMetric(float64(revert.direct.Milliseconds())/n, "revert-direct-ms/op")
	b.ReportMetric(float64(revert.driver)/float64(revert.direct), "revert-driver/direct")
	b.ReportMetric(0, "ns/op")
}
