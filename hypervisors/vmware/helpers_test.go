package vmware

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// must ends the test when err is not nil.
func must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// expectErr reports an error unless err wraps want.
func expectErr(tb testing.TB, what string, err, want error) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Errorf("%s = %v, want an error wrapping %q", what, err, want)
	}
}

// diskTemplate is the template of the tests' volumes.
var diskTemplate = hypervisors.TemplateRef{ID: "tiny", URL: templateDisk, Format: "vmdk"}

// vmSpec makes a volume from the disk template and a network on h and
// returns the spec of a VM with them.
func (s *sim) vmSpec(t *testing.T, h *host) hypervisors.VMSpec {
	t.Helper()
	ctx := t.Context()
	vol, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool(), Template: &diskTemplate})
	must(t, "CreateVolume", err)
	n := hypervisors.NetworkSpec{ID: uuid.NewString(), Name: "test", VLAN: 42}
	must(t, "EnsureNetwork", h.EnsureNetwork(ctx, n))
	id := uuid.NewString()
	return hypervisors.VMSpec{
		ID:        id,
		Name:      "vm-" + id[:8],
		Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
		Disks:     []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool()}},
		NICs:      []hypervisors.NIC{{NetworkID: n.ID, VLAN: n.VLAN, MAC: "02:00:00:00:00:10"}},
	}
}

// exists reports whether the file or folder at datastore path p exists.
func (s *sim) exists(t *testing.T, p string) bool {
	t.Helper()
	ctx := context.Background()
	var dp object.DatastorePath
	if !dp.FromString(p) {
		t.Fatalf("%q is not a datastore path", p)
	}
	ds, err := s.finder(t).Datastore(ctx, dp.Datastore)
	must(t, "Datastore", err)
	_, err = ds.Stat(ctx, dp.Path)
	var noFile object.DatastoreNoSuchFileError
	var noDir object.DatastoreNoSuchDirectoryError
	switch {
	case errors.As(err, &noFile), errors.As(err, &noDir):
		return false
	case err != nil:
		t.Fatalf("Stat %s: %v", p, err)
	}
	return true
}

// vmExists reports whether the datacenter has a VM named name.
func (s *sim) vmExists(t *testing.T, name string) bool {
	t.Helper()
	vms, err := s.finder(t).VirtualMachineList(context.Background(), "*")
	must(t, "VirtualMachineList", err)
	for _, vm := range vms {
		if vm.Name() == name {
			return true
		}
	}
	return false
}
