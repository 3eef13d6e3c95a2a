package drivertest

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// suite holds the harness for the tests of one Run.
type suite struct{ Harness }

const (
	gib = int64(1) << 30
	// cleanupTimeout bounds each clean-up call; clean-ups run after the
	// test's own context is done.
	cleanupTimeout = 2 * time.Minute
	// namePrefix marks the display names of what the suite creates.
	namePrefix = "drivertest-"
)

// testResources is the size of the suite's VMs: as small as a guest gets.
var testResources = hypervisors.Resources{CPUs: 1, MemoryMiB: 256}

// cleanup runs fn with a fresh context when t ends and reports its error.
func cleanup(t *testing.T, what string, fn func(context.Context) error) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			t.Errorf("clean-up: %s: %v", what, err)
		}
	})
}

// expectErr reports an error unless err wraps want, or is nil when want is.
func expectErr(t *testing.T, call string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: %v, want success", call, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s: got %v, want an error wrapping %q", call, err, want)
	}
}

// must ends the test when err is not nil.
func must(t *testing.T, call string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
}

// volumeSpec describes a fresh volume on the harness's pool, made from the
// template when fromTemplate.
func (s *suite) volumeSpec(fromTemplate bool, sizeBytes int64) hypervisors.VolumeSpec {
	v := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.Pool, SizeBytes: sizeBytes}
	if fromTemplate {
		v.Template = &s.Template
	}
	return v
}

// createVolume creates a volume that is deleted when t ends.
func (s *suite) createVolume(t *testing.T, v hypervisors.VolumeSpec) hypervisors.VolumeInfo {
	t.Helper()
	cleanup(t, "DeleteVolume "+v.ID, func(ctx context.Context) error { return s.Host.DeleteVolume(ctx, s.Pool, v.ID) })
	info, err := s.Host.CreateVolume(t.Context(), v)
	must(t, "CreateVolume "+v.ID, err)
	return info
}

// listedVolume returns volume id as ListVolumes reports it.
func (s *suite) listedVolume(t *testing.T, id string) (hypervisors.VolumeInfo, bool) {
	t.Helper()
	vols, err := s.Host.ListVolumes(t.Context(), s.Pool)
	must(t, "ListVolumes", err)
	i := slices.IndexFunc(vols, func(v hypervisors.VolumeInfo) bool { return v.ID == id })
	if i < 0 {
		return hypervisors.VolumeInfo{}, false
	}
	return vols[i], true
}

// networkSpec describes a fresh untagged guest network.
func networkSpec() hypervisors.NetworkSpec {
	id := uuid.NewString()
	return hypervisors.NetworkSpec{
		ID:      id,
		Name:    namePrefix + id[:8],
		CIDR:    netip.MustParsePrefix("198.18.0.0/24"),
		Gateway: netip.MustParseAddr("198.18.0.1"),
		DNS:     []netip.Addr{netip.MustParseAddr("198.18.0.1")},
	}
}

// ensureNetwork ensures a fresh network that is removed when t ends.
func (s *suite) ensureNetwork(t *testing.T) hypervisors.NetworkSpec {
	t.Helper()
	n := networkSpec()
	cleanup(t, "RemoveNetwork "+n.ID, func(ctx context.Context) error { return s.Host.RemoveNetwork(ctx, n.ID) })
	must(t, "EnsureNetwork "+n.ID, s.Host.EnsureNetwork(t.Context(), n))
	return n
}

// vmSpec describes a fresh VM booting from a new volume made from the
// template, with one NIC on a new network. Both exist; the VM does not, and
// is destroyed when t ends if it comes to.
func (s *suite) vmSpec(t *testing.T) hypervisors.VMSpec {
	t.Helper()
	return s.vmSpecOn(t, s.ensureNetwork(t))
}

// vmSpecOn is vmSpec with the NIC on network n.
func (s *suite) vmSpecOn(t *testing.T, n hypervisors.NetworkSpec) hypervisors.VMSpec {
	t.Helper()
	return s.vmSpecFrom(t, n, s.Template)
}

// vmSpecFrom is vmSpecOn with the boot volume made from template tpl.
func (s *suite) vmSpecFrom(t *testing.T, n hypervisors.NetworkSpec, tpl hypervisors.TemplateRef) hypervisors.VMSpec {
	t.Helper()
	vol := s.createVolume(t, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.Pool, Template: &tpl})
	spec := hypervisors.VMSpec{
		ID:        uuid.NewString(),
		Resources: testResources,
		Disks:     []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.Pool}},
		NICs:      []hypervisors.NIC{nicOn(n, 10)},
	}
	spec.Name = namePrefix + spec.ID[:8]
	cleanup(t, "DestroyVM "+spec.ID, func(ctx context.Context) error { return s.Host.DestroyVM(ctx, spec.ID) })
	return spec
}

// nicOn returns a NIC on network n with host address number host.
func nicOn(n hypervisors.NetworkSpec, host byte) hypervisors.NIC {
	id := uuid.New()
	addr := n.CIDR.Addr().As4()
	addr[3] = host
	return hypervisors.NIC{
		NetworkID: n.ID,
		VLAN:      n.VLAN,
		MAC:       fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", id[0], id[1], id[2], id[3], id[4]),
		Address:   netip.PrefixFrom(netip.AddrFrom4(addr), n.CIDR.Bits()),
		Gateway:   n.Gateway,
		DNS:       n.DNS,
	}
}

// createVM creates a fresh VM (see vmSpec).
func (s *suite) createVM(t *testing.T) hypervisors.VMSpec {
	t.Helper()
	return s.create(t, s.vmSpec(t))
}

// create creates the VM of spec and checks that it is stopped.
func (s *suite) create(t *testing.T, spec hypervisors.VMSpec) hypervisors.VMSpec {
	t.Helper()
	st, err := s.Host.CreateVM(t.Context(), spec)
	must(t, "CreateVM "+spec.ID, err)
	if st.ID != spec.ID || st.Power != hypervisors.PowerStopped || st.Resources != spec.Resources {
		t.Fatalf("CreateVM %s = %+v, want it stopped with %+v", spec.ID, st, spec.Resources)
	}
	return spec
}

// startVM starts a VM and ends the test when it cannot.
func (s *suite) startVM(t *testing.T, id string) {
	t.Helper()
	must(t, "StartVM "+id, s.Host.StartVM(t.Context(), id))
}

// status returns VM id's status and ends the test when there is none.
func (s *suite) status(t *testing.T, id string) hypervisors.VMStatus {
	t.Helper()
	st, err := s.Host.VMStatus(t.Context(), id)
	must(t, "VMStatus "+id, err)
	return st
}

// expectGone reports an error unless VM id is gone: VMStatus fails with
// ErrNotFound and ListVMs leaves it out.
func (s *suite) expectGone(t *testing.T, id string) {
	t.Helper()
	_, err := s.Host.VMStatus(t.Context(), id)
	expectErr(t, "VMStatus of a VM that should not exist", err, hypervisors.ErrNotFound)
	if _, listed := s.listedVM(t, id); listed {
		t.Errorf("ListVMs lists VM %s, which should not exist", id)
	}
}

// listedVM returns VM id as ListVMs reports it.
func (s *suite) listedVM(t *testing.T, id string) (hypervisors.VMStatus, bool) {
	t.Helper()
	vms, err := s.Host.ListVMs(t.Context())
	must(t, "ListVMs", err)
	i := slices.IndexFunc(vms, func(vm hypervisors.VMStatus) bool { return vm.ID == id })
	if i < 0 {
		return hypervisors.VMStatus{}, false
	}
	return vms[i], true
}
