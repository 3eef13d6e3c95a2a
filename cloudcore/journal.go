package cloudcore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Journal states.
const journalPending = "pending"

// intent is what a journalled operation is about to do on a hypervisor,
// enough for recovery to finish or undo it after a crash.
type intent struct {
	// Session is the Cloud that runs the operation; recovery leaves the
	// entries of live sessions alone.
	Session  string `json:"session"`
	HostID   string `json:"host_id,omitempty"`
	PoolID   string `json:"pool_id,omitempty"`
	VolumeID string `json:"volume_id,omitempty"`
	// Start: a deploy that powers the VM on. Prev: the state to return to.
	Start bool  `json:"start,omitempty"`
	Prev  State `json:"prev,omitempty"`
	// Resize and revert: the size before and after; the host's reservation
	// is for the size after until the operation ends.
	OldCPUs   int   `json:"old_cpus,omitempty"`
	OldMemory int64 `json:"old_memory_mib,omitempty"`
	NewCPUs   int   `json:"new_cpus,omitempty"`
	NewMemory int64 `json:"new_memory_mib,omitempty"`
	// SnapshotID of a snapshot operation.
	SnapshotID string `json:"snapshot_id,omitempty"`
	// MAC of the NIC a NIC operation attaches or detaches.
	MAC string `json:"mac,omitempty"`
}

// journal records, inside tx, that op is about to act on the object.
func (c *Cloud) journal(ctx context.Context, tx store.Tx, op string, kind store.Kind, objectID string, in intent) (string, error) {
	in.Session = c.session.id
	data, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	id := newID()
	t := now()
	err = tx.InsertJournal(ctx, store.JournalEntry{ID: id, Op: op, ObjectKind: kind, ObjectID: objectID,
		HostID: in.HostID, Intent: data, State: journalPending, CreatedAt: t, UpdatedAt: t})
	return id, err
}

// rejournal replaces the intent of a pending entry (a deploy moving on to
// another host).
func (c *Cloud) rejournal(ctx context.Context, tx store.Tx, id string, in intent) error {
	in.Session = c.session.id
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return tx.UpdateJournal(ctx, id, journalPending, data)
}

func decodeIntent(e store.JournalEntry) (intent, error) {
	var in intent
	if err := json.Unmarshal(e.Intent, &in); err != nil {
		return in, fmt.Errorf("journal entry %s (%s): %w", e.ID, e.Op, err)
	}
	return in, nil
}
