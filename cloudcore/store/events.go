package store

import (
	"context"
	"fmt"
	"strings"
)

const eventColumns = `id, time, actor, action, object_kind, object_id, result, detail`

var (
	qInsertEvent  = newQuery(`INSERT INTO events (` + eventColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qEventIDTaken = newQuery(`SELECT 1 FROM events WHERE id = ?`)

	// By EventFilter: index [mask] holds the query for the fields set in
	// mask, bit 0 for ObjectID and bit 1 for Action.
	qListEvents = eventQueries()
)

// eventQueries declares, for each combination of ObjectID and Action, the
// query for the newest events since a time, oldest first.
func eventQueries() (qs [4]query) {
	for mask := range qs {
		var where strings.Builder
		where.WriteString(`time >= ?`)
		if mask&1 != 0 {
			where.WriteString(` AND object_id = ?`)
		}
		if mask&2 != 0 {
			where.WriteString(` AND action = ?`)
		}
		qs[mask] = newQuery(`SELECT ` + eventColumns + ` FROM (
			SELECT seq, ` + eventColumns + ` FROM events WHERE ` + where.String() + ` ORDER BY time DESC, seq DESC LIMIT ?
		) AS newest ORDER BY time, seq`)
	}
	return qs
}

func scanEvent(r scanner, e *Event) error {
	var at int64
	err := r.Scan(&e.ID, &at, &e.Actor, &e.Action, (*string)(&e.ObjectKind), &e.ObjectID, &e.Result, &e.Detail)
	e.Time = fromMicros(at)
	return err
}

// InsertEvent stores an event. e.ID must be set (ErrInvalid otherwise); a
// zero Time is set to now. Conflict "id" when the event exists.
func (t *sqlTx) InsertEvent(ctx context.Context, e Event) error {
	if e.ID == "" {
		return invalid("insert event: no id")
	}
	if e.Time.IsZero() {
		e.Time = now()
	}
	args := []any{e.ID, toMicros(e.Time), e.Actor, e.Action, string(e.ObjectKind), e.ObjectID, e.Result, e.Detail}
	err := t.insertUnique(ctx, qInsertEvent, args, func() []uniqueKey {
		return []uniqueKey{{"id", qEventIDTaken, []any{e.ID}, fmt.Sprintf("event %s exists already", e.ID)}}
	})
	if err != nil {
		return fmt.Errorf("store: insert event %s (%s): %w", e.ID, e.Action, err)
	}
	return nil
}

// ListEvents returns the events that match f, at or after f.Since, oldest
// first (insertion order among equal times). With f.Limit it returns the
// newest f.Limit of them.
func (t *sqlTx) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	mask := 0
	args := []any{toMicros(f.Since)} // the zero time is long before any event
	if f.ObjectID != "" {
		mask |= 1
		args = append(args, f.ObjectID)
	}
	if f.Action != "" {
		mask |= 2
		args = append(args, f.Action)
	}
	rows, err := t.query(ctx, qListEvents[mask], append(args, limit(f.Limit))...)
	events, err := scanAll(rows, err, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	return events, nil
}
