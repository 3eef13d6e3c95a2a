package kvm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Snapshots are libvirt's internal snapshots, kept inside the qcow2
// images of the VM's disks (the config drive is left out) and named
// cloudcore-snap-<snapshot ID>. libvirt tracks their tree: a new snapshot's
// parent is the current one, a revert makes its snapshot current, and a
// deleted snapshot's children take its parent.
//
// libvirt takes an internal snapshot of a running domain with its memory,
// so a disk-only snapshot of a running VM is taken the same way and marked
// disk-only in its description: reverting to it restores its disks and
// configuration and leaves the VM stopped.

// snapshotNote is what the driver keeps in a snapshot's description.
type snapshotNote struct {
	Name    string    `json:"name"`
	Memory  bool      `json:"memory"`
	Created time.Time `json:"created"` // libvirt keeps whole seconds only
}

// CreateSnapshot snapshots VM vmID (see above). A memory snapshot needs a
// running VM (else ErrConflict), and the snapshot ID must be new (else
// ErrConflict).
func (h *host) CreateSnapshot(ctx context.Context, vmID string, s hypervisors.SnapshotSpec) (hypervisors.SnapshotInfo, error) {
	op := "CreateSnapshot " + s.ID
	if err := hypervisors.CheckID("snapshot ID", s.ID); err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	var info hypervisors.SnapshotInfo
	err := h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, vmID)
		if err != nil {
			return err
		}
		defer free(dom)
		state, _, err := dom.GetState()
		if err != nil {
			return wrap(op, err)
		}
		if s.Memory && powerState(state) != hypervisors.PowerRunning {
			return fmt.Errorf("%w: %s: a snapshot with memory needs a running VM, and VM %s is %s", hypervisors.ErrConflict, op, vmID, powerState(state))
		}
		if snap, err := dom.SnapshotLookupByName(snapshotName(s.ID), 0); err == nil {
			free(snap)
			return fmt.Errorf("%w: %s: VM %s has that snapshot", hypervisors.ErrConflict, op, vmID)
		}
		note, err := json.Marshal(snapshotNote{Name: s.Name, Memory: s.Memory, Created: time.Now().UTC()})
		if err != nil {
			return err
		}
		doc, err := (&libvirtxml.DomainSnapshot{Name: snapshotName(s.ID), Description: string(note)}).Marshal()
		if err != nil {
			return err
		}
		snap, err := dom.CreateSnapshotXML(doc, 0)
		if err != nil {
			return wrap(op, err)
		}
		defer free(snap)
		info, err = snapshotInfo(snap)
		return err
	})
	return info, err
}

// snapshotInfo reads a snapshot of the driver.
func snapshotInfo(snap *libvirt.DomainSnapshot) (hypervisors.SnapshotInfo, error) {
	doc, err := snap.GetXMLDesc(0)
	if err != nil {
		return hypervisors.SnapshotInfo{}, wrap("reading a snapshot", err)
	}
	var def libvirtxml.DomainSnapshot
	if err := def.Unmarshal(doc); err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	id, _ := idFrom(def.Name, snapshotPrefix, "")
	var note snapshotNote
	if json.Unmarshal([]byte(def.Description), &note) != nil || note.Created.IsZero() {
		secs, _ := strconv.ParseInt(def.CreationTime, 10, 64)
		note = snapshotNote{Memory: def.State != "shutoff", Created: time.Unix(secs, 0).UTC()}
	}
	info := hypervisors.SnapshotInfo{ID: id, Name: note.Name, Memory: note.Memory, Power: snapshotPower(def.State), CreatedAt: note.Created}
	if def.Parent != nil {
		info.ParentID, _ = idFrom(def.Parent.Name, snapshotPrefix, "")
	}
	return info, nil
}

// snapshotPower maps the domain state a snapshot records to a power state.
func snapshotPower(state string) hypervisors.PowerState {
	switch state {
	case "running", "blocked", "shutdown":
		return hypervisors.PowerRunning
	case "paused", "pmsuspended":
		return hypervisors.PowerPaused
	case "shutoff", "crashed", "disk-snapshot":
		return hypervisors.PowerStopped
	}
	return hypervisors.PowerUnknown
}

// ListSnapshots lists the driver's snapshots of VM vmID, oldest first.
func (h *host) ListSnapshots(ctx context.Context, vmID string) ([]hypervisors.SnapshotInfo, error) {
	var list []hypervisors.SnapshotInfo
	err := h.do(ctx, "ListSnapshots of "+vmID, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, vmID)
		if err != nil {
			return err
		}
		defer free(dom)
		snaps, err := dom.ListAllSnapshots(0)
		if err != nil {
			return wrap("listing the snapshots of VM "+vmID, err)
		}
		defer freeAll(snaps)
		for i := range snaps {
			name, err := snaps[i].GetName()
			if _, ours := idFrom(name, snapshotPrefix, ""); err != nil || !ours {
				continue
			}
			info, err := snapshotInfo(&snaps[i])
			if errors.Is(err, hypervisors.ErrNotFound) {
				continue // deleted while listing
			}
			if err != nil {
				return err
			}
			list = append(list, info)
		}
		return nil
	})
	slices.SortStableFunc(list, func(a, b hypervisors.SnapshotInfo) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return list, err
}

// lookupSnapshot returns snapshot snapshotID of VM vmID with the domain:
// ErrNotFound when either does not exist. The caller frees both.
func lookupSnapshot(c *libvirt.Connect, vmID, snapshotID string) (*libvirt.Domain, *libvirt.DomainSnapshot, error) {
	if err := hypervisors.CheckID("snapshot ID", snapshotID); err != nil {
		return nil, nil, err
	}
	dom, err := lookupVM(c, vmID)
	if err != nil {
		return nil, nil, err
	}
	snap, err := dom.SnapshotLookupByName(snapshotName(snapshotID), 0)
	if err != nil {
		free(dom)
		return nil, nil, wrap("looking up snapshot "+snapshotID+" of VM "+vmID, err)
	}
	return dom, snap, nil
}

// RevertSnapshot returns VM vmID to the snapshot: its disks, CPUs and
// memory, and its power state (running with the snapshot's memory for a
// memory snapshot, else stopped). The snapshot becomes the current one.
func (h *host) RevertSnapshot(ctx context.Context, vmID, snapshotID string) error {
	op := "RevertSnapshot " + snapshotID
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, snap, err := lookupSnapshot(c, vmID, snapshotID)
		if err != nil {
			return err
		}
		defer free(dom)
		defer free(snap)
		info, err := snapshotInfo(snap)
		if err != nil {
			return err
		}
		switch {
		case info.Memory:
			return wrap(op, snap.RevertToSnapshot(libvirt.DOMAIN_SNAPSHOT_REVERT_RUNNING|libvirt.DOMAIN_SNAPSHOT_REVERT_FORCE))
		case info.Power == hypervisors.PowerStopped:
			return wrap(op, snap.RevertToSnapshot(libvirt.DOMAIN_SNAPSHOT_REVERT_FORCE))
		}
		// A disk-only snapshot of a running VM holds memory it must not
		// resume from: load it paused, then power off.
		if err := snap.RevertToSnapshot(libvirt.DOMAIN_SNAPSHOT_REVERT_PAUSED | libvirt.DOMAIN_SNAPSHOT_REVERT_FORCE); err != nil {
			return wrap(op, err)
		}
		return wrap(op+": powering off after the revert", dom.Destroy())
	})
}

// DeleteSnapshot deletes the snapshot with its data; its children take its
// parent. It succeeds when the VM or the snapshot does not exist.
func (h *host) DeleteSnapshot(ctx context.Context, vmID, snapshotID string) error {
	op := "DeleteSnapshot " + snapshotID
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, snap, err := lookupSnapshot(c, vmID, snapshotID)
		if errors.Is(err, hypervisors.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		defer free(dom)
		defer free(snap)
		if err := snap.Delete(0); err != nil && !errors.Is(err, libvirt.ERR_NO_DOMAIN_SNAPSHOT) {
			return wrap(op, err)
		}
		return nil
	})
}

// deleteSnapshots deletes every snapshot of dom with its data.
func deleteSnapshots(dom *libvirt.Domain) error {
	roots, err := dom.ListAllSnapshots(libvirt.DOMAIN_SNAPSHOT_LIST_ROOTS)
	if err != nil {
		return wrap("listing snapshots", err)
	}
	defer freeAll(roots)
	for i := range roots {
		if err := roots[i].Delete(libvirt.DOMAIN_SNAPSHOT_DELETE_CHILDREN); err != nil && !errors.Is(err, libvirt.ERR_NO_DOMAIN_SNAPSHOT) {
			return wrap("deleting snapshots", err)
		}
	}
	return nil
}
