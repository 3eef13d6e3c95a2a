package simulator_test

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/drivertest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

func TestConformance(t *testing.T) {
	for _, tc := range []struct{ name, query string }{
		{"without hot resize", ""},
		{"with hot resize", "hot_resize=true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctl := control(t, dir, "conformance")
			drivertest.Run(t, drivertest.Harness{
				Host:       connect(t, dir, "conformance", tc.query),
				Hypervisor: simulator.Name,
				Pool:       hypervisors.StoragePoolRef{ID: "primary", URL: "file:///primary"},
				Template:   hypervisors.TemplateRef{ID: "tiny-linux", URL: "file:///templates/tiny-linux.qcow2", Format: "qcow2"},
				FailNextCreateVM: func(t *testing.T) {
					mustDo(t, "InjectFault", ctl.InjectFault(simulator.Fault{Op: simulator.OpCreateVM, Nth: 1, Action: simulator.ActionFail}))
				},
			})
		})
	}
}
