package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var eventTests = []test{
	{"InsertList", testEvents},
	{"Conflicts", testEventConflicts},
}

func eventIDs(es []store.Event) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func testEvents(t *testing.T, s store.Store) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	ev := func(id string, when time.Time, object, action string) store.Event {
		return store.Event{ID: id, Time: when, Actor: "alice", Action: action, ObjectKind: store.KindInstance,
			ObjectID: object, Result: "ok", Detail: "detail of " + id}
	}
	// Inserted out of time order; e-3 and e-4 share a time.
	events := []store.Event{
		ev("e-5", at(5), "inst-1", "instance.stop"),
		ev("e-1", at(1), "inst-1", "instance.start"),
		ev("e-3", at(3), "inst-2", "instance.start"),
		ev("e-4", at(3), "inst-1", "instance.start"),
		ev("e-2", at(2).Add(1500*time.Nanosecond), "inst-2", "instance.stop"),
	}
	update(t, s, func(tx store.Tx) error {
		for _, e := range events {
			if err := tx.InsertEvent(t.Context(), e); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name string
		f    store.EventFilter
		want []string
	}{
		{"all, oldest first", store.EventFilter{}, []string{"e-1", "e-2", "e-3", "e-4", "e-5"}},
		{"object", store.EventFilter{ObjectID: "inst-1"}, []string{"e-1", "e-4", "e-5"}},
		{"action", store.EventFilter{Action: "instance.start"}, []string{"e-1", "e-3", "e-4"}},
		{"object and action", store.EventFilter{ObjectID: "inst-2", Action: "instance.stop"}, []string{"e-2"}},
		{"since is inclusive", store.EventFilter{Since: at(3)}, []string{"e-3", "e-4", "e-5"}},
		{"limit keeps the newest", store.EventFilter{Limit: 2}, []string{"e-4", "e-5"}},
		{"everything", store.EventFilter{ObjectID: "inst-1", Action: "instance.start", Since: at(1), Limit: 1}, []string{"e-4"}},
		{"nothing", store.EventFilter{ObjectID: "inst-9"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := get(t, s, func(tx store.Tx) ([]store.Event, error) { return tx.ListEvents(t.Context(), tc.f) })
			if !slices.Equal(eventIDs(got), tc.want) {
				t.Fatalf("ListEvents(%+v) = %v, want %v", tc.f, eventIDs(got), tc.want)
			}
		})
	}
	got := get(t, s, func(tx store.Tx) ([]store.Event, error) {
		return tx.ListEvents(t.Context(), store.EventFilter{ObjectID: "inst-2"})
	})
	want := events[4]
	want.Time = want.Time.Truncate(time.Microsecond)
	if !got[0].Time.Equal(want.Time) || got[0].Time.Location() != time.UTC {
		t.Fatalf("time read back as %v, want %v in UTC", got[0].Time, want.Time)
	}
	if got[0].Time = want.Time; got[0] != want {
		t.Fatalf("event read back as %+v, want %+v", got[0], want)
	}

	before := time.Now()
	update(t, s, func(tx store.Tx) error {
		return tx.InsertEvent(t.Context(), store.Event{ID: "e-now", ObjectID: "inst-3"})
	})
	got = get(t, s, func(tx store.Tx) ([]store.Event, error) {
		return tx.ListEvents(t.Context(), store.EventFilter{ObjectID: "inst-3"})
	})
	wantTime(t, "default Time", got[0].Time, before, time.Now())
}

func testEventConflicts(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { return tx.InsertEvent(t.Context(), store.Event{ID: "e-1", Action: "first"}) })
	var dupErr error
	update(t, s, func(tx store.Tx) error {
		dupErr = tx.InsertEvent(t.Context(), store.Event{ID: "e-1", Action: "second"})
		return tx.InsertEvent(t.Context(), store.Event{ID: "e-2", Action: "third"})
	})
	wantConflict(t, dupErr, "id")
	wantIs(t, s.Update(t.Context(), func(tx store.Tx) error {
		return tx.InsertEvent(t.Context(), store.Event{Action: "no id"})
	}), hypervisors.ErrInvalid)
	got := get(t, s, func(tx store.Tx) ([]store.Event, error) { return tx.ListEvents(t.Context(), store.EventFilter{}) })
	if len(got) != 2 || got[0].Action != "first" || got[1].Action != "third" {
		t.Fatalf("events %+v, want first and third", got)
	}
}
