package store

import (
	"context"
	"fmt"
)

const journalColumns = `id, op, object_kind, object_id, host_id, intent, state, created_at, updated_at`

var (
	qInsertJournal  = newQuery(`INSERT INTO journal (` + journalColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qJournalIDTaken = newQuery(`SELECT 1 FROM journal WHERE id = ?`)
	qUpdateJournal  = newQuery(`UPDATE journal SET state = ?, intent = ?, updated_at = ? WHERE id = ?`)
	qDeleteJournal  = newQuery(`DELETE FROM journal WHERE id = ?`)
	qListJournal    = newQuery(`SELECT ` + journalColumns + ` FROM journal ORDER BY seq`)
	qListJournalIn  = newQuery(`SELECT ` + journalColumns + ` FROM journal WHERE state = ? ORDER BY seq`)
)

func scanJournal(r scanner, e *JournalEntry) error {
	var created, updated int64
	err := r.Scan(&e.ID, &e.Op, (*string)(&e.ObjectKind), &e.ObjectID, &e.HostID, &e.Intent, &e.State, &created, &updated)
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return err
}

// InsertJournal stores an entry. e.ID must be set (ErrInvalid otherwise);
// zero timestamps are set to now (UpdatedAt to CreatedAt). Conflict "id"
// when the entry exists.
func (t *sqlTx) InsertJournal(ctx context.Context, e JournalEntry) error {
	if e.ID == "" {
		return invalid("insert journal entry: no id")
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now()
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	args := []any{e.ID, e.Op, string(e.ObjectKind), e.ObjectID, e.HostID, orEmpty(e.Intent), e.State,
		toMicros(e.CreatedAt), toMicros(e.UpdatedAt)}
	err := t.insertUnique(ctx, qInsertJournal, args, func() []uniqueKey {
		return []uniqueKey{{"id", qJournalIDTaken, []any{e.ID}, fmt.Sprintf("journal entry %s exists already", e.ID)}}
	})
	if err != nil {
		return fmt.Errorf("store: insert journal entry %s (%s): %w", e.ID, e.Op, err)
	}
	return nil
}

// UpdateJournal sets the entry's state and intent, and its UpdatedAt to
// now; ErrNotFound when there is no such entry.
func (t *sqlTx) UpdateJournal(ctx context.Context, id, state string, intent []byte) error {
	n, err := t.exec(ctx, qUpdateJournal, state, orEmpty(intent), toMicros(now()), id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: update journal entry %s: %w", id, err)
	}
	return nil
}

// DeleteJournal removes the entry, or fails with ErrNotFound.
func (t *sqlTx) DeleteJournal(ctx context.Context, id string) error {
	n, err := t.exec(ctx, qDeleteJournal, id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: delete journal entry %s: %w", id, err)
	}
	return nil
}

// ListJournal lists the entries in state ("": all) in insertion order.
func (t *sqlTx) ListJournal(ctx context.Context, state string) ([]JournalEntry, error) {
	q, args := qListJournal, []any{}
	if state != "" {
		q, args = qListJournalIn, []any{state}
	}
	rows, err := t.query(ctx, q, args...)
	entries, err := scanAll(rows, err, scanJournal)
	if err != nil {
		return nil, fmt.Errorf("store: list journal (state %q): %w", state, err)
	}
	return entries, nil
}
