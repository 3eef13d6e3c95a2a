package vmware

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/drivertest"
)

// TestConformance runs the drivers' conformance suite against a standalone
// ESXi, with a disk template, and against a host of a vCenter addressed by
// inventory path, with a VM template (which the vCenter clones).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name     string
		start    func(testing.TB) *sim
		template string
	}{
		{"ESX", newESX, templateDisk},
		{"VPX", newVPX, vmTemplatePrefix + templateVMName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			h := s.connect(t)
			drivertest.Run(t, drivertest.Harness{
				Host:             h,
				Hypervisor:       Name,
				Pool:             s.pool(),
				Template:         hypervisors.TemplateRef{ID: "tiny", URL: tc.template, Format: "vmdk"},
				FailNextCreateVM: s.failNextCreateVM,
			})
		})
	}
}
