package cloudcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// op describes one journalled operation on an instance's VM.
type op struct {
	name string // journal op and event action, e.g. "instance.start"
	// begin checks and changes the instance in the first transaction; it
	// returns done=true when there is nothing to do.
	begin func(tx store.Tx, inst *Instance, in *intent) (done bool, err error)
	// act runs on the host, between the transactions. h is nil when the
	// instance is not placed on a host, which only ops with unplacedOK see.
	act        func(ctx context.Context, h hypervisors.Host, inst *Instance, in intent) error
	unplacedOK bool
	// end records success in the second transaction; errDeleted when it
	// removed the instance.
	end func(tx store.Tx, inst *Instance, in intent) error
	// undo records failure in the second transaction.
	undo func(tx store.Tx, inst *Instance, in intent, cause error) error
}

// runOp journals op, acts on the host and records the outcome. Only one
// operation runs on an instance at a time (its Task).
func (c *Cloud) runOp(ctx context.Context, id string, o op) (*Instance, error) {
	var (
		inst      *Instance
		in        intent
		journalID string
		done      bool
	)
	err := c.update(ctx, func(tx store.Tx) error {
		var err error
		if inst, err = getObj[Instance](ctx, tx, store.KindInstance, "", id); err != nil {
			return err
		}
		if inst.Task != "" {
			return fmt.Errorf("instance %s is busy with %s; try again when it is done: %w", inst.Name, inst.Task, ErrConflict)
		}
		in = intent{HostID: inst.HostID, Prev: inst.State}
		if done, err = o.begin(tx, inst, &in); err != nil || done {
			return err
		}
		if inst.HostID == "" && !o.unplacedOK {
			return fmt.Errorf("instance %s is not placed on any host (%s: %s); destroy and re-create it: %w", inst.Name, inst.State, inst.LastError, ErrConflict)
		}
		inst.Task = o.name
		if err := updateObj(ctx, tx, inst); err != nil {
			return err
		}
		if journalID, err = c.journal(ctx, tx, o.name, store.KindInstance, id, in); err != nil {
			return err
		}
		return c.record(ctx, tx, o.name, store.KindInstance, id, EventStarted, "")
	})
	if err != nil || done {
		return inst, err
	}
	actErr := c.actOn(ctx, inst, in, o)
	ctx = context.WithoutCancel(ctx)
	err = c.update(ctx, func(tx store.Tx) error {
		cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", id)
		if err != nil {
			return err
		}
		cur.Task = ""
		result, detail := EventOK, ""
		if actErr != nil {
			result, detail = EventFailed, actErr.Error()
			err = o.undo(tx, cur, in, actErr)
		} else {
			err = o.end(tx, cur, in)
		}
		if err := writeBack(ctx, tx, cur, err); err != nil {
			return err
		}
		if err := tx.DeleteJournal(ctx, journalID); err != nil {
			return err
		}
		inst = cur
		return c.record(ctx, tx, o.name, store.KindInstance, id, result, detail)
	})
	if actErr != nil {
		return inst, errors.Join(fmt.Errorf("%s of instance %s: %w", o.name, inst.Name, actErr), err)
	}
	return inst, err
}

func (c *Cloud) actOn(ctx context.Context, inst *Instance, in intent, o op) error {
	if inst.HostID == "" {
		return o.act(ctx, nil, inst, in)
	}
	h, err := c.hostOf(ctx, inst)
	if err != nil {
		return err
	}
	return o.act(ctx, h, inst, in)
}

// Start powers an instance on; it is a no-op on a running instance. A
// stopped instance that holds no host (its host was fenced) is first
// placed on a host that reaches its root volume (see placeAndStart).
func (s *InstanceService) Start(ctx context.Context, id string) (*Instance, error) {
	inst, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if inst.Unplaced() {
		return s.c.placeAndStart(ctx, id)
	}
	return s.c.runOp(ctx, id, op{
		name: "instance.start",
		begin: func(tx store.Tx, inst *Instance, _ *intent) (bool, error) {
			if inst.State == Running {
				return true, nil
			}
			return false, transition(inst, Starting)
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			return h.StartVM(ctx, inst.ID)
		},
		end:  func(_ store.Tx, inst *Instance, _ intent) error { return transition(inst, Running) },
		undo: func(_ store.Tx, inst *Instance, in intent, _ error) error { return transition(inst, in.Prev) },
	})
}

// Stop shuts an instance down: gracefully, or at once when force is set.
// It is a no-op on a stopped instance.
func (s *InstanceService) Stop(ctx context.Context, id string, force bool) (*Instance, error) {
	return s.c.runOp(ctx, id, op{
		name: "instance.stop",
		begin: func(tx store.Tx, inst *Instance, _ *intent) (bool, error) {
			if inst.State == Stopped {
				return true, nil
			}
			return false, transition(inst, Stopping)
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			return h.StopVM(ctx, inst.ID, force)
		},
		end:  func(_ store.Tx, inst *Instance, _ intent) error { return transition(inst, Stopped) },
		undo: func(_ store.Tx, inst *Instance, in intent, _ error) error { return transition(inst, in.Prev) },
	})
}

// Reboot restarts a running instance.
func (s *InstanceService) Reboot(ctx context.Context, id string) (*Instance, error) {
	return s.c.runOp(ctx, id, op{
		name: "instance.reboot",
		begin: func(tx store.Tx, inst *Instance, _ *intent) (bool, error) {
			if inst.State != Running {
				return false, fmt.Errorf("instance %s is %s; only a running instance can reboot: %w", inst.Name, inst.State, ErrConflict)
			}
			return false, nil
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			return h.RebootVM(ctx, inst.ID)
		},
		end:  func(store.Tx, *Instance, intent) error { return nil },
		undo: func(store.Tx, *Instance, intent, error) error { return nil },
	})
}

// Resize changes CPUs and memory. The host's capacity for the new size is
// reserved first (ErrNoCapacity naming the field when it lacks room). A
// running instance on a host without hot resize is stopped, reconfigured
// and started again.
func (s *InstanceService) Resize(ctx context.Context, id string, cpus int, memoryMiB int64) (*Instance, error) {
	switch {
	case cpus < 1 || cpus > MaxCPUs:
		return nil, invalid("cpus", "%d is out of range; use 1 to %d", cpus, MaxCPUs)
	case memoryMiB < MinMemoryMiB:
		return nil, invalid("memory_mib", "%d MiB is too little; use at least %d", memoryMiB, MinMemoryMiB)
	}
	return s.c.runOp(ctx, id, op{
		name: "instance.resize",
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			if inst.CPUs == cpus && inst.MemoryMiB == memoryMiB {
				return true, nil
			}
			if inst.State != Running && inst.State != Stopped {
				return false, fmt.Errorf("instance %s is %s; resize a running or stopped instance: %w", inst.Name, inst.State, ErrConflict)
			}
			in.OldCPUs, in.OldMemory, in.NewCPUs, in.NewMemory = inst.CPUs, inst.MemoryMiB, cpus, memoryMiB
			err := tx.ReserveHost(ctx, inst.HostID, milliCPU(cpus-inst.CPUs), memoryMiB-inst.MemoryMiB)
			if errors.Is(err, ErrNoCapacity) {
				return false, fieldErr(ErrNoCapacity, "memory_mib", "host %s has no room for %d CPUs and %d MiB; ask for less or move the instance", inst.HostID, cpus, memoryMiB)
			}
			return false, err
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, in intent) error {
			r := hypervisors.Resources{CPUs: cpus, MemoryMiB: memoryMiB}
			if inst.State == Stopped || h.Capabilities().HotResize {
				return h.ReconfigureVM(ctx, inst.ID, r)
			}
			if err := h.StopVM(ctx, inst.ID, false); err != nil {
				return err
			}
			err := h.ReconfigureVM(ctx, inst.ID, r)
			return errors.Join(err, h.StartVM(ctx, inst.ID))
		},
		end: func(_ store.Tx, inst *Instance, _ intent) error {
			inst.CPUs, inst.MemoryMiB = cpus, memoryMiB
			return nil
		},
		undo: func(tx store.Tx, inst *Instance, in intent, _ error) error {
			return tx.ReserveHost(ctx, inst.HostID, milliCPU(in.OldCPUs-cpus), in.OldMemory-memoryMiB)
		},
	})
}

// Destroy removes an instance with its VM, root volume and snapshots, and
// frees its capacity and addresses. When the host cannot be reached the
// instance is left in Error with the reason, and Destroy can be retried.
func (s *InstanceService) Destroy(ctx context.Context, id string) error {
	c := s.c
	_, err := c.runOp(ctx, id, op{
		name: "instance.destroy",
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			in.PoolID, in.VolumeID = inst.PoolID, inst.RootVolumeID
			return false, transition(inst, Expunging)
		},
		act: func(ctx context.Context, _ hypervisors.Host, inst *Instance, _ intent) error {
			return c.unrealize(ctx, inst)
		},
		unplacedOK: true,
		end: func(tx store.Tx, inst *Instance, _ intent) error {
			return c.expunge(ctx, tx, inst)
		},
		undo: func(_ store.Tx, inst *Instance, _ intent, cause error) error {
			inst.LastError = "destroy failed: " + cause.Error()
			return transition(inst, Error)
		},
	})
	return err
}

// errDeleted tells writeBack that the instance was removed, so there is
// nothing to write back.
var errDeleted = errors.New("instance deleted")

// writeBack stores inst after a change that returned err: nothing when the
// change failed or deleted the instance (errDeleted).
func writeBack(ctx context.Context, tx store.Tx, inst *Instance, err error) error {
	switch {
	case errors.Is(err, errDeleted):
		return nil
	case err != nil:
		return err
	}
	return updateObj(ctx, tx, inst)
}

// expunge deletes an instance's record with everything it holds: capacity,
// addresses, memberships and its snapshots' records.
func (c *Cloud) expunge(ctx context.Context, tx store.Tx, inst *Instance) error {
	if err := releaseAll(ctx, tx, inst); err != nil {
		return err
	}
	snaps, err := listObj[Snapshot](ctx, tx, store.KindSnapshot, store.Filter{ParentID: inst.ID})
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if err := deleteObj(ctx, tx, sn); err != nil {
			return err
		}
	}
	if err := tx.Delete(ctx, store.KindInstance, inst.ID, 0); err != nil {
		return err
	}
	return errDeleted
}
