package kvm_test

import (
	"errors"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/drivertest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// errInjected is the failure the conformance suite's injected CreateVM
// failure returns.
var errInjected = errors.New("injected failure")

// TestConformance runs the conformance suite against the real libvirtd and
// QEMU. Most test guests have no operating system, so they ignore the ACPI
// power button: graceful stops power them off after a short wait. The
// running VM of the NIC hot-plug test boots the tiny Linux guest (see
// guestImage), which releases a NIC on ACPI hot-unplug once its kernel
// is up; under TCG that can take a minute on a busy machine.
func TestConformance(t *testing.T) {
	s := newSystem(t, url.Values{"stop_timeout": {"200ms"}, "stop_fallback": {"destroy"}, "nic_detach_timeout": {"3m"}})
	guest := hypervisors.TemplateRef{ID: uuid.NewString(), URL: "file://" + guestImage(t, filepath.Dir(s.logDir)), Format: "raw"}
	drivertest.Run(t, drivertest.Harness{
		Host:          s.host,
		Hypervisor:    kvm.Name,
		Pool:          s.pool,
		Template:      s.template,
		GuestTemplate: &guest,
		FailNextCreateVM: func(t *testing.T) {
			kvm.SetStepHook(s.host, func(step string) error {
				if step != kvm.StepDefined {
					return nil
				}
				kvm.SetStepHook(s.host, nil)
				return errInjected
			})
		},
	})
}
