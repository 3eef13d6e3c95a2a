package drivertest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testHost checks Info and Ping.
func (s *suite) testHost(t *testing.T) {
	info, err := s.Host.Info(t.Context())
	must(t, "Info", err)
	for _, check := range []struct {
		want string
		ok   bool
	}{
		{"a Hostname", info.Hostname != ""},
		{"Hypervisor " + s.Hypervisor, info.Hypervisor == s.Hypervisor},
		{"a Version", info.Version != ""},
		{"CPUs", info.CPUs > 0},
		{"CPUMHz", info.CPUMHz > 0},
		{"MemoryMiB", info.MemoryMiB > 0},
	} {
		if !check.ok {
			t.Errorf("Info = %+v, want %s", info, check.want)
		}
	}
	expectErr(t, "Ping", s.Host.Ping(t.Context()), nil)
}

// testCapabilities checks that Capabilities is stable and matches what the
// host does: Fencing with the driver's Fencer interface, NICHotplug only with the
// NICHotplugger interface, a missing snapshot kind with ErrNotSupported.
func (s *suite) testCapabilities(t *testing.T) {
	caps := s.Host.Capabilities()
	if again := s.Host.Capabilities(); again != caps {
		t.Errorf("Capabilities changed from %+v to %+v between two calls", caps, again)
	}
	d, err := hypervisors.Lookup(s.Hypervisor)
	if err != nil {
		t.Fatalf("the %s driver is not registered: %v", s.Hypervisor, err)
	}
	if _, fencer := d.(hypervisors.Fencer); fencer != caps.Fencing {
		t.Errorf("Capabilities().Fencing is %v but implementing hypervisors.Fencer is %v", caps.Fencing, fencer)
	}
	if _, hotplugger := s.Host.(hypervisors.NICHotplugger); caps.NICHotplug && !hotplugger {
		t.Error("Capabilities().NICHotplug is true but the host does not implement hypervisors.NICHotplugger")
	}
	for _, kind := range []struct {
		name      string
		memory    bool
		supported bool
	}{
		{"memory snapshot", true, caps.MemorySnapshots},
		{"disk-only snapshot", false, caps.DiskSnapshots},
	} {
		if kind.supported {
			continue
		}
		t.Run("unsupported "+kind.name, func(t *testing.T) {
			vm := s.createVM(t)
			s.startVM(t, vm.ID)
			_, err := s.Host.CreateSnapshot(t.Context(), vm.ID, hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: kind.memory})
			expectErr(t, "CreateSnapshot ("+kind.name+")", err, hypervisors.ErrNotSupported)
		})
	}
}
