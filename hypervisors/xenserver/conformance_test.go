package xenserver_test

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/drivertest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xapitest"
)

// TestConformance runs the conformance suite against the XenAPI test
// server. The injected CreateVM failure fails the VIF.create of the VM's
// NIC, after the clone, its disks and its config drive are made.
func TestConformance(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	drivertest.Run(t, drivertest.Harness{
		Host:       p.host,
		Hypervisor: xenserver.Name,
		Pool:       p.sr,
		Template:   p.template,
		FailNextCreateVM: func(t *testing.T) {
			p.srv.FailNext("VIF.create", "INTERNAL_ERROR", "injected failure")
		},
	})
}
