package kvm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// The crash test re-runs the test binary as a helper process that creates
// a VM on the real libvirtd and kills itself half-way. The environment
// tells it what to do.
const (
	envCrashStep = "KVM_TEST_CRASH_STEP" // the CreateVM step after which the helper dies
	envCrashSpec = "KVM_TEST_CRASH_SPEC" // the VMSpec, as JSON
	envCrashLogs = "KVM_TEST_CRASH_LOGS" // the console log directory
)

func TestMain(m *testing.M) {
	step := os.Getenv(envCrashStep)
	if step == "" {
		os.Exit(m.Run())
	}
	err := createAndDie(step)
	fmt.Fprintln(os.Stderr, "the helper did not die:", err)
	os.Exit(1)
}

// createAndDie creates the VM of $KVM_TEST_CRASH_SPEC and sends itself
// SIGKILL after CreateVM's step.
func createAndDie(step string) error {
	var spec hypervisors.VMSpec
	if err := json.Unmarshal([]byte(os.Getenv(envCrashSpec)), &spec); err != nil {
		return err
	}
	d, err := hypervisors.Lookup(kvm.Name)
	if err != nil {
		return err
	}
	uri := systemURI + "?" + url.Values{"console_log_dir": {os.Getenv(envCrashLogs)}}.Encode()
	h, err := d.Connect(context.Background(), hypervisors.HostConfig{URL: uri})
	if err != nil {
		return err
	}
	kvm.SetStepHook(h, func(s string) error {
		if s == step {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // until the signal lands
		}
		return nil
	})
	_, err = h.CreateVM(context.Background(), spec)
	return err
}
