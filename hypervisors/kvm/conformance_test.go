package kvm_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/drivertest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// errInjected is the failure the conformance suite's injected CreateVM
// failure returns.
var errInjected = errors.New("injected failure")

// TestConformance runs the conformance suite against the real libvirtd and
// QEMU. The test guests have no operating system, so they ignore the ACPI
// power button: graceful stops power them off after a short wait.
func TestConformance(t *testing.T) {
	s := newSystem(t, url.Values{"stop_timeout": {"200ms"}, "stop_fallback": {"destroy"}})
	drivertest.Run(t, drivertest.Harness{
		Host:       s.host,
		Hypervisor: kvm.Name,
		Pool:       s.pool,
		Template:   s.template,
		FailNextCreateVM: func(t *testing.T) {
			kvm.SetCreateHook(s.host, func(step string) error {
				if step != kvm.StepDefined {
					return nil
				}
				kvm.SetCreateHook(s.host, nil)
				return errInjected
			})
		},
	})
}
