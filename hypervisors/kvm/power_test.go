package kvm_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// TestDomainTypeHere checks the domain type Connect picks on this machine:
// never kvm where the CPU shows no virtualization extensions (KVM guests
// die there), and what the URL forces.
func TestDomainTypeHere(t *testing.T) {
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo:", err)
	}
	h := newSystem(t, nil).host
	flags := strings.Fields(string(cpuinfo))
	hw := false
	for _, f := range flags {
		hw = hw || f == "vmx" || f == "svm"
	}
	if got := kvm.DomainType(h); !hw && got != "qemu" {
		t.Errorf("domain type %q on a machine without vmx or svm, want qemu", got)
	}
	if got := kvm.DomainType(newSystem(t, url.Values{"domain_type": {"qemu"}}).host); got != "qemu" {
		t.Errorf("domain_type=qemu gives %q", got)
	}
}

// TestGracefulStopTimeout stops a guest that ignores the ACPI power
// button (it has no operating system): with stop_fallback=error, the
// default, StopVM gives up with ErrConflict and leaves it running; with
// stop_fallback=destroy it powers it off.
func TestGracefulStopTimeout(t *testing.T) {
	for _, tc := range []struct {
		fallback string
		want     error
		power    hypervisors.PowerState
	}{
		{"error", hypervisors.ErrConflict, hypervisors.PowerRunning},
		{"destroy", nil, hypervisors.PowerStopped},
	} {
		t.Run("fallback "+tc.fallback, func(t *testing.T) {
			s := newSystem(t, url.Values{"stop_timeout": {"300ms"}, "stop_fallback": {tc.fallback}})
			ctx := t.Context()
			vol, err := s.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &s.template})
			mustDo(t, "CreateVolume", err)
			t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, vol.ID)) })
			spec := hypervisors.VMSpec{ID: uuid.NewString(), Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 128},
				Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}}}
			t.Cleanup(func() { mustDo(t, "DestroyVM", s.host.DestroyVM(context.Background(), spec.ID)) })
			_, err = s.host.CreateVM(ctx, spec)
			mustDo(t, "CreateVM", err)
			mustDo(t, "StartVM", s.host.StartVM(ctx, spec.ID))
			if err := s.host.StopVM(ctx, spec.ID, false); !errors.Is(err, tc.want) {
				t.Errorf("StopVM: %v, want %v", err, tc.want)
			}
			if st, err := s.host.VMStatus(ctx, spec.ID); err != nil || st.Power != tc.power {
				t.Errorf("after StopVM: %+v, %v; want %s", st, err, tc.power)
			}
		})
	}
}
