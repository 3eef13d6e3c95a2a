package cloudcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// An instance whose host was fenced gives that host up but keeps its root
// volume, on storage the other hosts of its cluster reach: it holds no host
// (HostID empty) but keeps PoolID and ClusterID. Starting it places it
// again.

// releaseHost gives back the instance's host capacity and leaves it without
// a host, keeping its cluster, root volume and pool reservation.
func releaseHost(ctx context.Context, tx store.Tx, inst *Instance) error {
	if inst.HostID == "" {
		return nil
	}
	if err := tx.ReserveHost(ctx, inst.HostID, -milliCPU(inst.CPUs), -inst.MemoryMiB); err != nil && !isNotFound(err) {
		return err
	}
	inst.LastHostID, inst.HostID = inst.HostID, ""
	return nil
}

// placeAndStart starts a stopped instance that holds no host: in one
// transaction it chooses a host of the instance's cluster that reaches the
// root volume's pool (honouring anti-affinity)
// and reserves its capacity; then it creates the VM there over the volume
// and starts it. When that fails, the VM is removed from the host again and
// the instance is left as it was, without a host. A crash in between is
// settled by recovery (settlePlace).
func (c *Cloud) placeAndStart(ctx context.Context, id string) (*Instance, error) {
	var (
		nets []*Network
		pool *StoragePool
	)
	return c.runOp(ctx, id, op{
		name:       "instance.place",
		unplacedOK: true,
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			if inst.State == Running {
				return true, nil
			}
			if inst.HostID != "" || inst.PoolID == "" {
				return false, fmt.Errorf("instance %s is %s on host %q with pool %q: only a stopped instance without a host but with its root volume is placed again: %w",
					inst.Name, inst.State, inst.HostID, inst.PoolID, ErrConflict)
			}
			p := &deployPlan{clusters: []string{inst.ClusterID}, pool: inst.PoolID}
			for _, gid := range inst.AffinityGroupIDs {
				g, err := getObj[AffinityGroup](ctx, tx, store.KindAffinityGroup, "", gid)
				if err != nil {
					return false, err
				}
				p.groups = append(p.groups, g)
			}
			var err error
			if pool, err = getObj[StoragePool](ctx, tx, store.KindStoragePool, "", inst.PoolID); err != nil {
				return false, err
			}
			nets = nets[:0]
			for _, n := range inst.NICs {
				net, err := getObj[Network](ctx, tx, store.KindNetwork, "", n.NetworkID)
				if err != nil {
					return false, err
				}
				nets = append(nets, net)
			}
			d, err := c.place(ctx, tx, inst, p, nil)
			if err != nil {
				return false, err
			}
			inst.HostID, inst.ClusterID = d.HostID, d.ClusterID
			in.HostID, in.PoolID, in.VolumeID, in.Start = d.HostID, inst.PoolID, inst.RootVolumeID, true
			return false, transition(inst, Starting)
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, _ intent) error {
			err := c.createVM(ctx, h, inst, pool, nets, true)
			if err != nil {
				if derr := h.DestroyVM(context.WithoutCancel(ctx), inst.ID); derr != nil {
					err = fmt.Errorf("%w (and removing the VM again failed: %v; recovery removes it)", err, derr)
				}
			}
			return err
		},
		end: func(_ store.Tx, inst *Instance, _ intent) error {
			inst.HAPending, inst.HAAttempts, inst.LastError = false, 0, ""
			return transition(inst, Running)
		},
		undo: func(tx store.Tx, inst *Instance, in intent, cause error) error {
			if err := releaseHost(ctx, tx, inst); err != nil {
				return err
			}
			inst.LastError = cause.Error()
			inst.State = in.Prev
			return nil
		},
	})
}

// settlePlace settles an interrupted placeAndStart: a VM running on the
// chosen host completes it; otherwise the VM is removed from that host and
// the instance gives the host up again.
func (c *Cloud) settlePlace(ctx context.Context, e store.JournalEntry, in intent, inst *Instance, conn hypervisors.Host) (outcome, error) {
	st, err := conn.VMStatus(ctx, inst.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return completed, err
	}
	if err == nil && st.Power == hypervisors.PowerRunning {
		return completed, c.closeEntry(ctx, e, inst, func(_ store.Tx, i *Instance) error {
			i.HAPending, i.HAAttempts = false, 0
			return settleState(i, Running)
		})
	}
	if err := conn.DestroyVM(ctx, inst.ID); err != nil {
		return completed, err
	}
	return rolledBack, c.closeEntry(ctx, e, inst, func(tx store.Tx, i *Instance) error {
		if err := releaseHost(ctx, tx, i); err != nil {
			return err
		}
		i.State = in.Prev
		return nil
	})
}
