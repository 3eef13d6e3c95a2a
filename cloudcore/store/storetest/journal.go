package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var journalTests = []test{
	{"InsertListUpdateDelete", testJournal},
	{"Conflicts", testJournalConflicts},
}

func entry(id, state string) store.JournalEntry {
	return store.JournalEntry{ID: id, Op: "instance.deploy", ObjectKind: store.KindInstance, ObjectID: "inst-" + id,
		HostID: "host-1", Intent: []byte(`{"start":true}`), State: state}
}

func journalIDs(es []store.JournalEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func testJournal(t *testing.T, s store.Store) {
	given := time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	first := entry("j-z", "pending")
	first.CreatedAt, first.UpdatedAt = given, given.Add(time.Second)
	before := time.Now()
	update(t, s, func(tx store.Tx) error {
		for _, e := range []store.JournalEntry{first, entry("j-b", "done"), entry("j-a", "pending")} {
			if err := tx.InsertJournal(t.Context(), e); err != nil {
				return err
			}
		}
		return nil
	})
	after := time.Now()
	list := func(state string) []store.JournalEntry {
		return get(t, s, func(tx store.Tx) ([]store.JournalEntry, error) { return tx.ListJournal(t.Context(), state) })
	}
	all := list("")
	if !slices.Equal(journalIDs(all), []string{"j-z", "j-b", "j-a"}) {
		t.Fatalf("ListJournal(\"\") = %v, want insertion order", journalIDs(all))
	}
	if got := all[0]; !got.CreatedAt.Equal(given.Truncate(time.Microsecond)) || got.CreatedAt.Location() != time.UTC ||
		!got.UpdatedAt.Equal(given.Add(time.Second).Truncate(time.Microsecond)) {
		t.Fatalf("given times read back as %v / %v, want %v / +1s at microseconds in UTC", got.CreatedAt, got.UpdatedAt, given)
	}
	if got := all[1]; got.Op != "instance.deploy" || got.ObjectKind != store.KindInstance || got.ObjectID != "inst-j-b" ||
		got.HostID != "host-1" || !bytes.Equal(got.Intent, []byte(`{"start":true}`)) || got.State != "done" {
		t.Fatalf("entry read back as %+v", got)
	}
	wantTime(t, "default CreatedAt", all[1].CreatedAt, before, after)
	if !all[1].UpdatedAt.Equal(all[1].CreatedAt) {
		t.Fatalf("default UpdatedAt %v, want CreatedAt %v", all[1].UpdatedAt, all[1].CreatedAt)
	}
	if got := list("pending"); !slices.Equal(journalIDs(got), []string{"j-z", "j-a"}) {
		t.Fatalf("pending entries: %v", journalIDs(got))
	}

	before = time.Now()
	update(t, s, func(tx store.Tx) error {
		return tx.UpdateJournal(t.Context(), "j-z", "done", []byte(`{"start":false}`))
	})
	got := list("done")
	if !slices.Equal(journalIDs(got), []string{"j-z", "j-b"}) || !bytes.Equal(got[0].Intent, []byte(`{"start":false}`)) {
		t.Fatalf("after UpdateJournal: %+v", got)
	}
	wantTime(t, "UpdatedAt", got[0].UpdatedAt, before, time.Now())
	if !got[0].CreatedAt.Equal(given.Truncate(time.Microsecond)) {
		t.Fatalf("UpdateJournal changed CreatedAt to %v", got[0].CreatedAt)
	}

	update(t, s, func(tx store.Tx) error { return tx.DeleteJournal(t.Context(), "j-b") })
	if got := list(""); !slices.Equal(journalIDs(got), []string{"j-z", "j-a"}) {
		t.Fatalf("after DeleteJournal: %v", journalIDs(got))
	}
	for name, fn := range map[string]func(tx store.Tx) error{
		"update unknown": func(tx store.Tx) error { return tx.UpdateJournal(t.Context(), "j-b", "done", nil) },
		"delete unknown": func(tx store.Tx) error { return tx.DeleteJournal(t.Context(), "j-b") },
	} {
		t.Run(name, func(t *testing.T) { wantIs(t, s.Update(t.Context(), fn), store.ErrNotFound) })
	}
}

func testJournalConflicts(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { return tx.InsertJournal(t.Context(), entry("j-1", "pending")) })
	var dupErr error
	update(t, s, func(tx store.Tx) error {
		dupErr = tx.InsertJournal(t.Context(), entry("j-1", "done"))
		return tx.InsertJournal(t.Context(), entry("j-2", "pending"))
	})
	wantConflict(t, dupErr, "id")
	wantIs(t, s.Update(t.Context(), func(tx store.Tx) error {
		return tx.InsertJournal(t.Context(), entry("", "pending"))
	}), hypervisors.ErrInvalid)
	got := get(t, s, func(tx store.Tx) ([]store.JournalEntry, error) { return tx.ListJournal(t.Context(), "") })
	if !slices.Equal(journalIDs(got), []string{"j-1", "j-2"}) || got[0].State != "pending" {
		t.Fatalf("journal %+v, want j-1 unchanged and j-2", got)
	}
}
