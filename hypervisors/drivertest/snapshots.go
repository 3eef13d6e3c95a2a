package drivertest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testSnapshots checks the snapshot operations the host supports.
func (s *suite) testSnapshots(t *testing.T) {
	caps := s.Host.Capabilities()
	t.Run("memory snapshot of a stopped VM", func(t *testing.T) {
		if !caps.MemorySnapshots {
			t.Skip("no memory snapshots (Capabilities)")
		}
		id := s.createVM(t).ID
		_, err := s.Host.CreateSnapshot(t.Context(), id, hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: true})
		expectErr(t, "CreateSnapshot with memory of a stopped VM", err, hypervisors.ErrConflict)
		s.expectSnapshots(t, id)
	})
	t.Run("tree", func(t *testing.T) {
		if !caps.DiskSnapshots {
			t.Skip("no disk-only snapshots (Capabilities)")
		}
		s.testSnapshotTree(t, caps.MemorySnapshots)
	})
	t.Run("destroyed with the VM", func(t *testing.T) {
		if !caps.DiskSnapshots {
			t.Skip("no disk-only snapshots (Capabilities)")
		}
		spec := s.createVM(t)
		s.snapshot(t, spec.ID, false, "")
		must(t, "DestroyVM", s.Host.DestroyVM(t.Context(), spec.ID))
		s.create(t, spec)
		s.expectSnapshots(t, spec.ID)
	})
}

// testSnapshotTree builds a snapshot tree on one VM, reverting and deleting
// in it, and checks parents, order, and the state reverts restore. The
// second snapshot keeps memory when withMemory.
func (s *suite) testSnapshotTree(t *testing.T, withMemory bool) {
	ctx := t.Context()
	id := s.createVM(t).ID
	small, large := testResources, hypervisors.Resources{CPUs: 2, MemoryMiB: 512}

	s.startVM(t, id)
	s1 := s.snapshot(t, id, false, "")
	must(t, "StopVM", s.Host.StopVM(ctx, id, false))
	must(t, "ReconfigureVM", s.Host.ReconfigureVM(ctx, id, large))
	s.startVM(t, id)
	s2 := s.snapshot(t, id, withMemory, s1.ID)

	s.revert(t, id, s1, hypervisors.PowerStopped, small)
	s3 := s.snapshot(t, id, false, s1.ID) // a second branch under s1
	s.expectSnapshots(t, id, s1, s2, s3)

	s2Power := hypervisors.PowerStopped
	if withMemory {
		s2Power = hypervisors.PowerRunning
	}
	s.revert(t, id, s2, s2Power, large)

	must(t, "DeleteSnapshot of the root", s.Host.DeleteSnapshot(ctx, id, s1.ID))
	s2.ParentID, s3.ParentID = "", ""
	s.expectSnapshots(t, id, s2, s3)
	expectErr(t, "DeleteSnapshot of a deleted snapshot", s.Host.DeleteSnapshot(ctx, id, s1.ID), nil)
	expectErr(t, "RevertSnapshot to a deleted snapshot", s.Host.RevertSnapshot(ctx, id, s1.ID), hypervisors.ErrNotFound)

	must(t, "DeleteSnapshot of the current snapshot", s.Host.DeleteSnapshot(ctx, id, s2.ID))
	s4 := s.snapshot(t, id, false, s2.ParentID) // the current snapshot's parent became current
	s.expectSnapshots(t, id, s3, s4)
}

// snapshot takes a snapshot of VM id and checks what CreateSnapshot reports.
func (s *suite) snapshot(t *testing.T, id string, memory bool, wantParent string) hypervisors.SnapshotInfo {
	t.Helper()
	spec := hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: memory}
	spec.Name = namePrefix + spec.ID[:8]
	power := s.status(t, id).Power
	info, err := s.Host.CreateSnapshot(t.Context(), id, spec)
	must(t, "CreateSnapshot", err)
	if info.ID != spec.ID || info.Name != spec.Name || info.Memory != memory || info.ParentID != wantParent || info.Power != power || info.CreatedAt.IsZero() {
		t.Errorf("CreateSnapshot %+v of a %s VM = %+v, want parent %q and the VM's power state", spec, power, info, wantParent)
	}
	return info
}

// revert reverts VM id to snap and checks the power state and resources it
// comes back with.
func (s *suite) revert(t *testing.T, id string, snap hypervisors.SnapshotInfo, power hypervisors.PowerState, r hypervisors.Resources) {
	t.Helper()
	must(t, "RevertSnapshot", s.Host.RevertSnapshot(t.Context(), id, snap.ID))
	if st := s.status(t, id); st.Power != power || st.Resources != r {
		t.Errorf("after RevertSnapshot to %+v, VMStatus = %+v, want %s with %+v", snap, st, power, r)
	}
}

// expectSnapshots reports an error unless ListSnapshots of VM id returns
// want: the same snapshots, parents and kinds, oldest first.
func (s *suite) expectSnapshots(t *testing.T, id string, want ...hypervisors.SnapshotInfo) {
	t.Helper()
	got, err := s.Host.ListSnapshots(t.Context(), id)
	must(t, "ListSnapshots", err)
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		g, w := got[i], want[i]
		same = g.ID == w.ID && g.ParentID == w.ParentID && g.Memory == w.Memory && g.Power == w.Power &&
			(i == 0 || !g.CreatedAt.Before(got[i-1].CreatedAt))
	}
	if !same {
		t.Errorf("ListSnapshots =\n%+v\nwant, oldest first,\n%+v", got, want)
	}
}
