// Package drivertest is the conformance suite of the hypervisor drivers.
// Every driver runs it from its own tests against a host it can reach: the
// simulator against itself, KVM against a real libvirtd, VMware against
// govmomi's simulator, XenServer against a XenAPI test server.
//
//	func TestConformance(t *testing.T) {
//		host := ... // connect to a test host
//		drivertest.Run(t, drivertest.Harness{
//			Host:       host,
//			Hypervisor: "kvm",
//			Pool:       hypervisors.StoragePoolRef{ID: "pool1", URL: "file:///var/lib/cloudcore/pool1"},
//			Template:   hypervisors.TemplateRef{ID: "cirros", URL: "file:///images/cirros.qcow2", Format: "qcow2"},
//		})
//	}
//
// The suite checks the contracts written on hypervisors.Host, errors by
// errors.Is on the sentinels of package hypervisors, and optional operations
// against Capabilities. It names what it creates with fresh UUIDs and
// removes it again, so it can run against a long-lived host shared with
// other work; it never closes, fences or reconfigures the host itself.
package drivertest

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Harness is what the suite needs from a driver's test.
type Harness struct {
	// Host is a connected host the suite creates its objects on.
	Host hypervisors.Host
	// Hypervisor is the driver's name, which Info must report.
	Hypervisor string
	// Pool is a storage pool of Host to create volumes on.
	Pool hypervisors.StoragePoolRef
	// Template is a template of at most 16 GiB Host can create volumes from.
	Template hypervisors.TemplateRef
	// GuestTemplate, when set, is a template like Template whose guest
	// boots an operating system that releases a NIC when the hypervisor
	// asks it to. The NIC hot-plug test makes its running VM from it.
	// Platforms where a running guest must consent to a hot-unplug (PCI
	// hot-plug on KVM) set it; elsewhere Template serves.
	GuestTemplate *hypervisors.TemplateRef
	// FailNextCreateVM, when set, arranges for the next CreateVM on Host to
	// fail after it has begun to make the VM, so that the suite sees it
	// clean up. Platforms that cannot script such a failure leave it nil;
	// the suite checks clean-up after CreateVMs that fail on their own
	// either way.
	FailNextCreateVM func(t *testing.T)
}

// Run runs the conformance suite against h, one subtest per area, in order.
func Run(t *testing.T, h Harness) {
	if h.Host == nil || h.Hypervisor == "" {
		t.Fatal("drivertest: Harness.Host and Harness.Hypervisor are required")
	}
	s := &suite{h}
	for _, area := range []struct {
		name string
		test func(*testing.T)
	}{
		{"Host", s.testHost},
		{"Capabilities", s.testCapabilities},
		{"Volumes", s.testVolumes},
		{"Networks", s.testNetworks},
		{"VMLifecycle", s.testVMLifecycle},
		{"VMReconfigure", s.testVMReconfigure},
		{"VMCreateConflict", s.testVMCreateConflict},
		{"VMCreateCleanup", s.testVMCreateCleanup},
		{"ListVMs", s.testListVMs},
		{"Snapshots", s.testSnapshots},
		{"NICHotplug", s.testNICHotplug},
		{"MissingObjects", s.testMissingObjects},
		{"InvalidRequests", s.testInvalidRequests},
		{"CancelledContext", s.testCancelledContext},
		{"ConcurrentUse", s.testConcurrentUse},
	} {
		t.Run(area.name, area.test)
	}
}
