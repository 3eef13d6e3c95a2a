package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// RecoveryReport counts what a recovery pass did.
type RecoveryReport struct {
	// Completed: interrupted operations found done on the host and recorded.
	Completed int
	// RolledBack: interrupted operations undone, their reservations freed.
	RolledBack int
	// Pending: interrupted operations whose host did not answer; the next
	// pass tries again.
	Pending int
	// OrphansRemoved: VMs and volumes that carry a cloudcore ID but belong
	// to no record (or to a record on another host), removed from hosts.
	OrphansRemoved int
}

// Recover finishes or rolls back the journalled operations of processes
// that died (their session expired, or their process on this machine is
// gone), then sweeps every reachable host and storage pool for VMs and
// volumes cloudcore made that no record owns, and removes them. Operations
// of live processes are left alone. Open runs the journal part and sweeps
// the hosts it touched.
func (c *Cloud) Recover(ctx context.Context) (RecoveryReport, error) {
	rep, _, err := c.recoverJournal(ctx)
	if err != nil {
		return rep, err
	}
	hosts, err := c.Hosts.List(ctx, HostFilter{})
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, h := range hosts {
		n, err := c.sweepHost(ctx, h)
		rep.OrphansRemoved += n
		if err != nil && !errors.Is(err, ErrUnreachable) {
			errs = append(errs, err)
		}
	}
	n, err := c.sweepVolumes(ctx, hosts)
	rep.OrphansRemoved += n
	return rep, errors.Join(append(errs, err)...)
}

// RecoverInterrupted is the part of Recover that Open runs: it finishes or
// rolls back the journalled operations of processes that died, and sweeps
// only the hosts those operations named. It costs one read of the journal
// when nothing is pending, so a long-running process (the management
// server) can run it often to settle what other processes left behind.
func (c *Cloud) RecoverInterrupted(ctx context.Context) (RecoveryReport, error) {
	rep, touched, err := c.recoverJournal(ctx)
	if err != nil {
		return rep, err
	}
	for _, id := range touched {
		h, err := c.Hosts.Get(ctx, id)
		if err != nil {
			continue
		}
		n, err := c.sweepHost(ctx, h)
		rep.OrphansRemoved += n
		if err != nil && !errors.Is(err, ErrUnreachable) {
			return rep, err
		}
	}
	return rep, nil
}

// recoverJournal settles the pending entries of dead sessions and returns
// the hosts they named.
func (c *Cloud) recoverJournal(ctx context.Context) (RecoveryReport, []string, error) {
	var rep RecoveryReport
	var entries []store.JournalEntry
	err := c.store.View(ctx, func(tx store.Tx) error {
		var err error
		entries, err = tx.ListJournal(ctx, journalPending)
		return err
	})
	if err != nil {
		return rep, nil, err
	}
	var touched []string
	unsettled := map[string]bool{} // sessions that still have entries
	for _, e := range entries {
		in, err := decodeIntent(e)
		if err != nil {
			return rep, touched, err
		}
		dead, err := view(ctx, c, func(tx store.Tx) (bool, error) { return c.sessionDead(ctx, tx, in.Session) })
		if err != nil {
			return rep, touched, err
		}
		if !dead {
			unsettled[in.Session] = true
			continue
		}
		if in.HostID != "" && !slices.Contains(touched, in.HostID) {
			touched = append(touched, in.HostID)
		}
		outcome, err := c.settleEntry(ctx, e, in)
		switch {
		case errors.Is(err, ErrUnreachable):
			rep.Pending++
			unsettled[in.Session] = true
		case err != nil:
			return rep, touched, fmt.Errorf("recovering %s of %s: %w", e.Op, e.ObjectID, err)
		case outcome == rolledBack:
			rep.RolledBack++
		default:
			rep.Completed++
		}
	}
	return rep, touched, c.reapSessions(ctx, unsettled)
}

// reapSessions deletes the records of dead sessions that have no journal
// entries left, so crashed processes leave nothing behind in the store.
// Processes opening the store at once may race to reap the same session.
func (c *Cloud) reapSessions(ctx context.Context, unsettled map[string]bool) error {
	return c.update(ctx, func(tx store.Tx) error {
		sessions, err := listObj[sessionRecord](ctx, tx, kindSession, store.Filter{})
		if err != nil {
			return err
		}
		for _, s := range sessions {
			if unsettled[s.ID] {
				continue
			}
			dead, err := c.sessionDead(ctx, tx, s.ID)
			if err != nil {
				return err
			}
			// Not found or at another version: another process reaped it
			// first, or its owner ended or renewed it since the list.
			if dead {
				if err := deleteObj(ctx, tx, s); err != nil && !isNotFound(err) && !errors.Is(err, ErrConflict) {
					return err
				}
			}
		}
		return nil
	})
}

type outcome int

const (
	completed outcome = iota
	rolledBack
)

// settleEntry finishes or undoes one interrupted operation and removes
// its journal entry, in one transaction after the host was consulted.
func (c *Cloud) settleEntry(ctx context.Context, e store.JournalEntry, in intent) (outcome, error) {
	inst, err := c.Instances.Get(ctx, e.ObjectID)
	if errors.Is(err, ErrNotFound) {
		return completed, c.closeEntry(ctx, e, nil, func(store.Tx, *Instance) error { return nil })
	}
	if err != nil {
		return completed, err
	}
	var conn hypervisors.Host
	if inst.HostID != "" {
		if conn, err = c.hostOf(ctx, inst); err != nil {
			return completed, err
		}
	}
	switch e.Op {
	case "instance.deploy":
		return c.settleDeploy(ctx, e, in, inst, conn)
	case "instance.place":
		return c.settlePlace(ctx, e, in, inst, conn)
	case "instance.destroy":
		if err := c.unrealize(ctx, inst); err != nil {
			return completed, err
		}
		return completed, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error { return c.expunge(ctx, tx, i) })
	case "snapshot.create":
		return c.settleSnapshotCreate(ctx, e, in, inst, conn)
	case "instance.nic.attach", "instance.nic.detach":
		return c.settleNIC(ctx, e, in, inst, conn)
	case "snapshot.delete":
		if err := conn.DeleteSnapshot(ctx, inst.ID, in.SnapshotID); err != nil && !errors.Is(err, ErrNotFound) {
			return completed, err
		}
		return completed, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error {
			if err := c.dropSnapshotRecord(ctx, tx, in.SnapshotID); err != nil {
				return err
			}
			return c.adoptPower(ctx, conn, i)
		})
	}
	// Power operations, resize and revert: record what the host shows.
	st, err := conn.VMStatus(ctx, inst.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return completed, err
	}
	return completed, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error {
		if in.NewCPUs != 0 {
			if err == nil && st.CPUs == in.NewCPUs && st.MemoryMiB == in.NewMemory {
				i.CPUs, i.MemoryMiB = in.NewCPUs, in.NewMemory
			} else if rerr := tx.ReserveHost(ctx, i.HostID, milliCPU(in.OldCPUs-in.NewCPUs), in.OldMemory-in.NewMemory); rerr != nil {
				return rerr
			}
		}
		return c.adoptPower(ctx, conn, i)
	})
}

// settleNIC finishes a NIC operation the one way that is always safe: the
// NIC leaves the VM (a detach completes, an attach is rolled back) and its
// address is freed.
func (c *Cloud) settleNIC(ctx context.Context, e store.JournalEntry, in intent, inst *Instance, conn hypervisors.Host) (outcome, error) {
	result := completed
	if e.Op == "instance.nic.attach" {
		result = rolledBack
	}
	if hp := hotplugger(conn); hp != nil {
		if err := hp.DetachNIC(ctx, inst.ID, in.MAC); err != nil && !errors.Is(err, ErrNotFound) {
			return result, err
		}
	}
	return result, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error { return dropNIC(ctx, tx, i, in.MAC) })
}

// settleDeploy completes a deploy whose VM is on the host as asked, and
// otherwise removes what it made and frees what it held.
func (c *Cloud) settleDeploy(ctx context.Context, e store.JournalEntry, in intent, inst *Instance, conn hypervisors.Host) (outcome, error) {
	st, err := conn.VMStatus(ctx, inst.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return completed, err
	}
	if err == nil && (!in.Start || st.Power == hypervisors.PowerRunning) {
		return completed, c.closeEntry(ctx, e, inst, func(_ store.Tx, i *Instance) error {
			if in.Start {
				return transition(i, Running)
			}
			return transition(i, Stopped)
		})
	}
	if err := c.unrealize(ctx, inst); err != nil {
		return completed, err
	}
	return rolledBack, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error {
		if err := releaseAll(ctx, tx, i); err != nil {
			return err
		}
		i.LastError = "the deploy was interrupted and has been rolled back; destroy this instance and deploy again"
		return transition(i, Error)
	})
}

func (c *Cloud) settleSnapshotCreate(ctx context.Context, e store.JournalEntry, in intent, inst *Instance, conn hypervisors.Host) (outcome, error) {
	snaps, err := conn.ListSnapshots(ctx, inst.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return completed, err
	}
	idx := slices.IndexFunc(snaps, func(s hypervisors.SnapshotInfo) bool { return s.ID == in.SnapshotID })
	result := completed
	if idx < 0 {
		result = rolledBack
	}
	return result, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error {
		if idx < 0 {
			if err := tx.Delete(ctx, store.KindSnapshot, in.SnapshotID, 0); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		} else if err := c.Snapshots.settle(ctx, tx, in.SnapshotID, func(sn *Snapshot) error {
			sn.State, sn.ParentID = SnapshotReady, snaps[idx].ParentID
			return nil
		}); err != nil {
			return err
		}
		return c.adoptPower(ctx, conn, i)
	})
}

// adoptPower sets a recovered instance's state to the power state its host
// reports (Stopped when the VM is gone or the host says nothing useful).
func (c *Cloud) adoptPower(ctx context.Context, conn hypervisors.Host, inst *Instance) error {
	to := Stopped
	if conn != nil {
		if st, err := conn.VMStatus(ctx, inst.ID); err == nil && st.Power == hypervisors.PowerRunning {
			to = Running
		}
	}
	if inst.State == Expunging || inst.State == Starting || inst.State == Stopping {
		inst.State = Unknown
	}
	return settleState(inst, to)
}

// closeEntry applies fix to the instance (nil: none), clears its task,
// deletes the journal entry and records the recovery, in one transaction.
func (c *Cloud) closeEntry(ctx context.Context, e store.JournalEntry, inst *Instance, fix func(tx store.Tx, i *Instance) error) error {
	return c.update(ctx, func(tx store.Tx) error {
		if inst != nil {
			cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
			if err != nil {
				return err
			}
			cur.Task = ""
			if err := writeBack(ctx, tx, cur, fix(tx, cur)); err != nil {
				return err
			}
		}
		if err := tx.DeleteJournal(ctx, e.ID); err != nil {
			return err
		}
		return c.record(ctx, tx, e.Op, e.ObjectKind, e.ObjectID, EventOK, "recovered after an interrupted operation")
	})
}

// sweepHost removes VMs from h that carry a cloudcore ID but that no
// instance record places on h. It returns how many it removed.
func (c *Cloud) sweepHost(ctx context.Context, h *Host) (int, error) {
	conn, err := c.connect(ctx, h)
	if err != nil {
		return 0, err
	}
	vms, err := conn.ListVMs(ctx)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, vm := range vms {
		inst, err := c.Instances.Get(ctx, vm.ID)
		if err == nil && inst.HostID == h.ID {
			continue
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return removed, err
		}
		if err := conn.DestroyVM(ctx, vm.ID); err != nil {
			return removed, fmt.Errorf("removing orphaned VM %s from host %s: %w", vm.ID, h.Name, err)
		}
		removed++
		c.recordAlone(ctx, "instance.orphan", store.KindInstance, vm.ID, EventOK, "removed from host "+h.Name)
	}
	return removed, nil
}

// sweepVolumes removes volumes that no instance owns from every pool that
// a reachable host can list. Volumes are listed before the records are
// read: a deploy records its instance before it creates the volume, so a
// volume listed here either has a record by then or never will.
func (c *Cloud) sweepVolumes(ctx context.Context, hosts []*Host) (int, error) {
	pools, err := c.StoragePools.List(ctx, "")
	if err != nil {
		return 0, err
	}
	type found struct {
		conn hypervisors.Host
		pool *StoragePool
		vol  string
	}
	var vols []found
	for _, p := range pools {
		for _, h := range hosts {
			if h.State != HostUp || h.ZoneID != p.ZoneID || (p.ClusterID != "" && p.ClusterID != h.ClusterID) {
				continue
			}
			conn, err := c.connect(ctx, h)
			if err != nil {
				continue
			}
			list, err := conn.ListVolumes(ctx, p.ref())
			if err != nil {
				continue
			}
			for _, v := range list {
				vols = append(vols, found{conn, p, v.ID})
			}
			break
		}
	}
	insts, err := c.Instances.List(ctx, InstanceFilter{})
	if err != nil {
		return 0, err
	}
	owned := make(map[string]bool, len(insts))
	for _, i := range insts {
		owned[i.RootVolumeID] = true
	}
	removed := 0
	for _, v := range vols {
		if owned[v.vol] {
			continue
		}
		if err := v.conn.DeleteVolume(ctx, v.pool.ref(), v.vol); err != nil {
			return removed, err
		}
		removed++
		c.recordAlone(ctx, "volume.orphan", store.KindStoragePool, v.pool.ID, EventOK, "removed volume "+v.vol)
	}
	return removed, nil
}
