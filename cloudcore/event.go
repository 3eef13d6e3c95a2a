package cloudcore

import (
	"context"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Event records one state change: who did what to which object, when, and
// with what result.
type Event struct {
	ID         string
	Time       time.Time
	Actor      string
	Action     string // e.g. "instance.start", "host.create"
	ObjectKind string
	ObjectID   string
	Result     string // EventStarted, EventOK or EventFailed
	Detail     string
}

// Event results.
const (
	EventStarted = "started"
	EventOK      = "ok"
	EventFailed  = "failed"
)

// EventFilter selects events; empty fields match all.
type EventFilter struct {
	ObjectID string
	Action   string
	Since    time.Time
	Limit    int
}

// EventService lists recorded events.
type EventService struct{ c *Cloud }

// List returns matching events, oldest first.
func (s *EventService) List(ctx context.Context, f EventFilter) ([]Event, error) {
	var out []Event
	err := s.c.store.View(ctx, func(tx store.Tx) error {
		rows, err := tx.ListEvents(ctx, store.EventFilter{ObjectID: f.ObjectID, Action: f.Action, Since: f.Since, Limit: f.Limit})
		if err != nil {
			return err
		}
		out = make([]Event, len(rows))
		for i, e := range rows {
			out[i] = Event{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action, ObjectKind: string(e.ObjectKind),
				ObjectID: e.ObjectID, Result: e.Result, Detail: e.Detail}
		}
		return nil
	})
	return out, err
}

// record writes an event inside tx.
func (c *Cloud) record(ctx context.Context, tx store.Tx, action string, kind store.Kind, id, result, detail string) error {
	return tx.InsertEvent(ctx, store.Event{ID: newID(), Time: now(), Actor: c.actor, Action: action,
		ObjectKind: kind, ObjectID: id, Result: result, Detail: detail})
}

// recordAlone writes an event in its own transaction; used after a failed
// operation whose own transaction was rolled back. A failure to record is
// logged, not returned: the operation's error matters more.
func (c *Cloud) recordAlone(ctx context.Context, action string, kind store.Kind, id, result, detail string) {
	err := c.update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		return c.record(ctx, tx, action, kind, id, result, detail)
	})
	if err != nil {
		c.log.Warn("recording event", "action", action, "object", id, "err", err)
	}
}
