package cloudcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Snapshot states.
const (
	SnapshotCreating = "Creating"
	SnapshotReady    = "Ready"
)

// Snapshot is a point an instance can be reverted to: its disks, and with
// Memory also its running state.
type Snapshot struct {
	Meta
	Name       string `json:"name"`
	InstanceID string `json:"instance_id"`
	ZoneID     string `json:"zone_id"`
	Memory     bool   `json:"memory"`
	State      string `json:"state"`
	// ParentID is the snapshot this one was taken on top of ("" for none).
	ParentID string `json:"parent_id,omitempty"`
	// What the instance was when the snapshot was taken; a revert returns
	// it to that.
	InstanceState State `json:"instance_state"`
	CPUs          int   `json:"cpus"`
	MemoryMiB     int64 `json:"memory_mib"`
}

func (s *Snapshot) columns() store.Object {
	return store.Object{Kind: store.KindSnapshot, Name: s.Name, Scope: s.InstanceID, ZoneID: s.ZoneID, ParentID: s.InstanceID, State: s.State}
}

// SnapshotSpec takes a snapshot.
type SnapshotSpec struct {
	Name       string
	InstanceID string
	// Memory includes the running state; the instance must be running.
	Memory bool
}

// SnapshotService manages instance snapshots.
type SnapshotService struct{ c *Cloud }

// Create snapshots an instance. ErrNotSupported when its host cannot take
// that kind of snapshot; nothing is left behind when it fails.
func (s *SnapshotService) Create(ctx context.Context, spec SnapshotSpec) (*Snapshot, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	snap := &Snapshot{Meta: Meta{ID: newID()}, Name: spec.Name, InstanceID: spec.InstanceID, Memory: spec.Memory, State: SnapshotCreating}
	_, err := s.c.runOp(ctx, spec.InstanceID, op{
		name: "snapshot.create",
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			if spec.Memory && inst.State != Running {
				return false, fieldErr(ErrConflict, "memory", "instance %s is %s; a memory snapshot needs a running instance (or set memory = false)", inst.Name, inst.State)
			}
			if inst.State != Running && inst.State != Stopped {
				return false, fmt.Errorf("instance %s is %s; snapshot a running or stopped instance: %w", inst.Name, inst.State, ErrConflict)
			}
			snap.ZoneID, snap.InstanceState, snap.CPUs, snap.MemoryMiB = inst.ZoneID, inst.State, inst.CPUs, inst.MemoryMiB
			in.SnapshotID = snap.ID
			if err := insertObj(ctx, tx, snap); err != nil {
				return false, nameClash(err, store.KindSnapshot, snap.Name, " for this instance")
			}
			return false, nil
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			info, err := h.CreateSnapshot(ctx, inst.ID, hypervisors.SnapshotSpec{ID: snap.ID, Name: snap.Name, Memory: snap.Memory})
			snap.ParentID = info.ParentID
			return err
		},
		end: func(tx store.Tx, _ *Instance, _ intent) error {
			return s.settle(ctx, tx, snap.ID, func(sn *Snapshot) error {
				sn.State, sn.ParentID = SnapshotReady, snap.ParentID
				return nil
			})
		},
		undo: func(tx store.Tx, _ *Instance, _ intent, _ error) error {
			return tx.Delete(ctx, store.KindSnapshot, snap.ID, 0)
		},
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, snap.ID)
}

// settle loads a snapshot, changes it and writes it back inside tx.
func (s *SnapshotService) settle(ctx context.Context, tx store.Tx, id string, fn func(*Snapshot) error) error {
	sn, err := getObj[Snapshot](ctx, tx, store.KindSnapshot, "", id)
	if err != nil {
		return err
	}
	if err := fn(sn); err != nil {
		return err
	}
	return updateObj(ctx, tx, sn)
}

// Get returns a snapshot.
func (s *SnapshotService) Get(ctx context.Context, id string) (*Snapshot, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Snapshot, error) {
		return getObj[Snapshot](ctx, tx, store.KindSnapshot, "", id)
	})
}

// List returns an instance's snapshots, oldest first.
func (s *SnapshotService) List(ctx context.Context, instanceID string) ([]*Snapshot, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Snapshot, error) {
		return listObj[Snapshot](ctx, tx, store.KindSnapshot, store.Filter{ParentID: instanceID})
	})
}

// Rename changes a snapshot's name (unique per instance).
func (s *SnapshotService) Rename(ctx context.Context, id, name string) (*Snapshot, error) {
	if err := validName("name", name); err != nil {
		return nil, err
	}
	return modify(ctx, s.c, store.KindSnapshot, "snapshot.update", id, func(_ store.Tx, sn *Snapshot) error {
		sn.Name = name
		return nil
	})
}

// Revert returns the instance to the snapshot: its disks, its size and its
// power state (running after a memory snapshot, stopped otherwise).
func (s *SnapshotService) Revert(ctx context.Context, id string) (*Instance, error) {
	snap, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.c.runOp(ctx, snap.InstanceID, op{
		name: "snapshot.revert",
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			sn, err := getObj[Snapshot](ctx, tx, store.KindSnapshot, "", id)
			if err != nil {
				return false, err
			}
			if sn.State != SnapshotReady {
				return false, fmt.Errorf("snapshot %s is %s, not Ready: %w", sn.Name, sn.State, ErrConflict)
			}
			in.SnapshotID, in.OldCPUs, in.OldMemory, in.NewCPUs, in.NewMemory = id, inst.CPUs, inst.MemoryMiB, sn.CPUs, sn.MemoryMiB
			err = tx.ReserveHost(ctx, inst.HostID, milliCPU(sn.CPUs-inst.CPUs), sn.MemoryMiB-inst.MemoryMiB)
			if errors.Is(err, ErrNoCapacity) {
				return false, fmt.Errorf("host of instance %s has no room for the snapshot's %d CPUs and %d MiB: %w", inst.Name, sn.CPUs, sn.MemoryMiB, err)
			}
			return false, err
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			return h.RevertSnapshot(ctx, inst.ID, id)
		},
		end: func(_ store.Tx, inst *Instance, _ intent) error {
			inst.CPUs, inst.MemoryMiB = snap.CPUs, snap.MemoryMiB
			if snap.Memory {
				return settleState(inst, Running)
			}
			return settleState(inst, Stopped)
		},
		undo: func(tx store.Tx, inst *Instance, in intent, _ error) error {
			return tx.ReserveHost(ctx, inst.HostID, milliCPU(in.OldCPUs-snap.CPUs), in.OldMemory-snap.MemoryMiB)
		},
	})
}

// settleState moves an instance to a resting state through the legal
// intermediate one (Stopped → Starting → Running, Running → Stopping →
// Stopped).
func settleState(inst *Instance, to State) error {
	if inst.State == to {
		return nil
	}
	via := map[State]State{Running: Starting, Stopped: Stopping}[to]
	if !CanTransition(inst.State, to) && via != "" {
		if err := transition(inst, via); err != nil {
			return err
		}
	}
	return transition(inst, to)
}

// Delete removes a snapshot; its children stay and take its parent.
func (s *SnapshotService) Delete(ctx context.Context, id string) error {
	snap, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	_, err = s.c.runOp(ctx, snap.InstanceID, op{
		name: "snapshot.delete",
		begin: func(_ store.Tx, _ *Instance, in *intent) (bool, error) {
			in.SnapshotID = id
			return false, nil
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			return h.DeleteSnapshot(ctx, inst.ID, id)
		},
		end: func(tx store.Tx, _ *Instance, _ intent) error {
			return s.c.dropSnapshotRecord(ctx, tx, id)
		},
		undo: func(store.Tx, *Instance, intent, error) error { return nil },
	})
	return err
}

// dropSnapshotRecord deletes a snapshot's record and re-parents its children.
func (c *Cloud) dropSnapshotRecord(ctx context.Context, tx store.Tx, id string) error {
	sn, err := getObj[Snapshot](ctx, tx, store.KindSnapshot, "", id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	siblings, err := listObj[Snapshot](ctx, tx, store.KindSnapshot, store.Filter{ParentID: sn.InstanceID})
	if err != nil {
		return err
	}
	for _, ch := range siblings {
		if ch.ParentID == id {
			ch.ParentID = sn.ParentID
			if err := updateObj(ctx, tx, ch); err != nil {
				return err
			}
		}
	}
	return deleteObj(ctx, tx, sn)
}
