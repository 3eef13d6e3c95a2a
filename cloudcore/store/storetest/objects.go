package storetest

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var objectTests = []test{
	{"InsertGet", testInsertGet},
	{"InsertConflicts", testInsertConflicts},
	{"UpdateCompareAndSwap", testUpdateCAS},
	{"UpdateConflicts", testUpdateConflicts},
	{"Delete", testDelete},
	{"ConcurrentUpdateOneWinner", testConcurrentUpdate},
	{"ConcurrentSameNameOneWinner", testConcurrentName},
	{"RenameRacingACommitStaysUsable", testRenameRace},
	{"ListFilters", testListFilters},
	{"ListKeysetPaging", testListPaging},
}

func instance(id, name string) store.Object {
	return store.Object{Kind: store.KindInstance, ID: id, Name: name, Scope: "proj-1", ZoneID: "zone-1",
		ParentID: "host-1", State: "Running", Data: []byte(`{"cpus":2}`)}
}

// sameObject compares everything but the timestamps.
func sameObject(t *testing.T, got, want store.Object) {
	t.Helper()
	if got.Kind != want.Kind || got.ID != want.ID || got.Name != want.Name || got.Scope != want.Scope ||
		got.ZoneID != want.ZoneID || got.ParentID != want.ParentID || got.State != want.State ||
		got.Version != want.Version || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("object\n got %+v\nwant %+v", got, want)
	}
}

func testInsertGet(t *testing.T, s store.Store) {
	o := instance("inst-1", "web")
	before := time.Now()
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &o) })
	after := time.Now()
	if o.Version != 1 || !o.CreatedAt.Equal(o.UpdatedAt) {
		t.Fatalf("after Insert: version %d, created %v, updated %v; want version 1 and equal times", o.Version, o.CreatedAt, o.UpdatedAt)
	}
	wantTime(t, "CreatedAt", o.CreatedAt, before, after)

	got := get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), store.KindInstance, "inst-1") })
	sameObject(t, got, o)
	if !got.CreatedAt.Equal(o.CreatedAt) || !got.UpdatedAt.Equal(o.UpdatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("stored times %v / %v, want %v in UTC", got.CreatedAt, got.UpdatedAt, o.CreatedAt)
	}
	got = get(t, s, func(tx store.Tx) (store.Object, error) {
		return tx.GetByName(t.Context(), store.KindInstance, "proj-1", "web")
	})
	sameObject(t, got, o)

	// Nil data reads back empty.
	bare := store.Object{Kind: store.KindZone, ID: "zone-1", Name: "z"}
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &bare) })
	got = get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), store.KindZone, "zone-1") })
	if len(got.Data) != 0 {
		t.Fatalf("data %q, want empty", got.Data)
	}

	for name, fn := range map[string]func(tx store.Tx) error{
		"unknown id": func(tx store.Tx) error { _, err := tx.Get(t.Context(), store.KindInstance, "nope"); return err },
		"other kind": func(tx store.Tx) error { _, err := tx.Get(t.Context(), store.KindHost, "inst-1"); return err },
		"unknown name": func(tx store.Tx) error {
			_, err := tx.GetByName(t.Context(), store.KindInstance, "proj-1", "nope")
			return err
		},
		"name elsewhere": func(tx store.Tx) error {
			_, err := tx.GetByName(t.Context(), store.KindInstance, "proj-2", "web")
			return err
		},
		"name other kind": func(tx store.Tx) error {
			_, err := tx.GetByName(t.Context(), store.KindHost, "proj-1", "web")
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantIs(t, s.View(t.Context(), fn), store.ErrNotFound) })
	}
}

func testInsertConflicts(t *testing.T, s store.Store) {
	first := instance("inst-1", "web")
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &first) })
	withID := func(kind store.Kind, id, scope, name string) store.Object {
		o := instance(id, name)
		o.Kind, o.Scope = kind, scope
		return o
	}
	for _, tc := range []struct {
		name       string
		obj        store.Object
		constraint string // "" for success
		invalid    bool
	}{
		{"same id", withID(store.KindInstance, "inst-1", "proj-1", "other"), "id", false},
		{"same id and name", withID(store.KindInstance, "inst-1", "proj-1", "web"), "id", false},
		{"same name in scope", withID(store.KindInstance, "inst-2", "proj-1", "web"), "name", false},
		{"same name in other scope", withID(store.KindInstance, "inst-3", "proj-2", "web"), "", false},
		{"same name of other kind", withID(store.KindNetwork, "net-1", "proj-1", "web"), "", false},
		{"same id of other kind", withID(store.KindNetwork, "inst-1", "proj-1", "net"), "", false},
		{"no id", withID(store.KindInstance, "", "proj-1", "x"), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.obj
			// The transaction stays usable after the failure: the next
			// insert in it commits.
			var insertErr error
			after := instance("after-"+tc.name, "after-"+tc.name)
			update(t, s, func(tx store.Tx) error {
				insertErr = tx.Insert(t.Context(), &o)
				return tx.Insert(t.Context(), &after)
			})
			switch {
			case tc.invalid:
				wantIs(t, insertErr, hypervisors.ErrInvalid)
			case tc.constraint != "":
				wantConflict(t, insertErr, tc.constraint)
			case insertErr != nil:
				t.Fatalf("Insert: %v", insertErr)
			}
			got := get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), after.Kind, after.ID) })
			sameObject(t, got, after)
		})
	}
	// The losers changed nothing.
	got := get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), store.KindInstance, "inst-1") })
	sameObject(t, got, first)
}

func testUpdateCAS(t *testing.T, s store.Store) {
	o := instance("inst-1", "web")
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &o) })
	created := o.CreatedAt

	o.Name, o.Scope, o.ZoneID, o.ParentID, o.State, o.Data = "web2", "proj-2", "zone-2", "", "Stopped", []byte(`{"cpus":4}`)
	before := time.Now()
	update(t, s, func(tx store.Tx) error { return tx.Update(t.Context(), &o) })
	if o.Version != 2 {
		t.Fatalf("version %d after one Update, want 2", o.Version)
	}
	wantTime(t, "UpdatedAt", o.UpdatedAt, before, time.Now())
	got := get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), store.KindInstance, "inst-1") })
	sameObject(t, got, o)
	if !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(o.UpdatedAt) {
		t.Fatalf("times %v / %v, want created %v kept and updated %v", got.CreatedAt, got.UpdatedAt, created, o.UpdatedAt)
	}
	wantIs(t, s.View(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetByName(t.Context(), store.KindInstance, "proj-1", "web")
		return err
	}), store.ErrNotFound)

	// An update without changes still advances the version; the object
	// keeps its own name.
	update(t, s, func(tx store.Tx) error { return tx.Update(t.Context(), &o) })
	if o.Version != 3 {
		t.Fatalf("version %d, want 3", o.Version)
	}
}

func testUpdateConflicts(t *testing.T, s store.Store) {
	a, b := instance("inst-a", "a"), instance("inst-b", "b")
	update(t, s, func(tx store.Tx) error {
		return errors.Join(tx.Insert(t.Context(), &a), tx.Insert(t.Context(), &b))
	})
	stale := a
	a.State = "Stopped"
	update(t, s, func(tx store.Tx) error { return tx.Update(t.Context(), &a) })

	renamed := b
	renamed.Name = "a"
	moved := b
	moved.Name, moved.Scope = "a", "proj-2"
	gone := instance("inst-gone", "gone")
	gone.Version = 1
	for _, tc := range []struct {
		name       string
		obj        store.Object
		constraint string
		notFound   bool
	}{
		{"stale version", stale, "version", false},
		{"future version", store.Object{Kind: a.Kind, ID: a.ID, Name: a.Name, Scope: a.Scope, Version: a.Version + 1}, "version", false},
		{"name taken in scope", renamed, "name", false},
		{"missing object", gone, "", true},
		{"name free in other scope", moved, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.obj
			var updErr error
			after := instance("after-"+tc.name, "after-"+tc.name)
			update(t, s, func(tx store.Tx) error {
				updErr = tx.Update(t.Context(), &o)
				return tx.Insert(t.Context(), &after) // the transaction is still usable
			})
			switch {
			case tc.notFound:
				wantIs(t, updErr, store.ErrNotFound)
			case tc.constraint != "":
				wantConflict(t, updErr, tc.constraint)
				if o.Version != tc.obj.Version {
					t.Fatalf("failed Update changed the version to %d", o.Version)
				}
			case updErr != nil:
				t.Fatalf("Update: %v", updErr)
			}
		})
	}
	got := get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), store.KindInstance, "inst-a") })
	sameObject(t, got, a)
}

func testDelete(t *testing.T, s store.Store) {
	a, b := instance("inst-a", "a"), instance("inst-b", "b")
	update(t, s, func(tx store.Tx) error {
		return errors.Join(tx.Insert(t.Context(), &a), tx.Insert(t.Context(), &b))
	})
	del := func(id string, version int64) error {
		return s.Update(t.Context(), func(tx store.Tx) error { return tx.Delete(t.Context(), store.KindInstance, id, version) })
	}
	wantConflict(t, del("inst-a", 2), "version")
	wantIs(t, del("nope", 1), store.ErrNotFound)
	wantIs(t, del("nope", 0), store.ErrNotFound)
	if err := del("inst-a", 1); err != nil {
		t.Fatalf("Delete at the current version: %v", err)
	}
	if err := del("inst-b", 0); err != nil {
		t.Fatalf("Delete at any version: %v", err)
	}
	wantIs(t, del("inst-a", 1), store.ErrNotFound)
	wantIs(t, s.View(t.Context(), func(tx store.Tx) error {
		_, err := tx.Get(t.Context(), store.KindInstance, "inst-a")
		return err
	}), store.ErrNotFound)
	// The name is free again.
	again := instance("inst-c", "a")
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &again) })
}

func testConcurrentUpdate(t *testing.T, s store.Store) {
	o := instance("inst-1", "web")
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &o) })
	const n = 16
	errs := parallel(n, func(i int) error {
		mine := o // everyone read version 1
		mine.State = id("state", i)
		return s.Update(t.Context(), func(tx store.Tx) error { return tx.Update(t.Context(), &mine) })
	})
	got := outcomes(t, errs, func(err error) string {
		var ce *store.ConflictError
		if errors.As(err, &ce) && ce.Constraint == "version" {
			return "version"
		}
		return ""
	})
	if got["ok"] != 1 || got["version"] != n-1 {
		t.Fatalf("outcomes %v, want one ok and %d version conflicts", got, n-1)
	}
	final := get(t, s, func(tx store.Tx) (store.Object, error) { return tx.Get(t.Context(), store.KindInstance, "inst-1") })
	if final.Version != 2 {
		t.Fatalf("version %d, want 2", final.Version)
	}
}

func testConcurrentName(t *testing.T, s store.Store) {
	const n = 16
	errs := parallel(n, func(i int) error {
		o := instance(id("inst", i), "web")
		return s.Update(t.Context(), func(tx store.Tx) error { return tx.Insert(t.Context(), &o) })
	})
	got := outcomes(t, errs, func(err error) string {
		var ce *store.ConflictError
		if errors.As(err, &ce) && ce.Constraint == "name" {
			return "name"
		}
		return ""
	})
	if got["ok"] != 1 || got["name"] != n-1 {
		t.Fatalf("outcomes %v, want one ok and %d name conflicts", got, n-1)
	}
	count := get(t, s, func(tx store.Tx) (int, error) { return tx.Count(t.Context(), store.KindInstance, store.Filter{}) })
	if count != 1 {
		t.Fatalf("%d instances, want 1", count)
	}
}

// testRenameRace renames an object to a name another transaction is about
// to commit, then carries on in the same transaction: the conflict must be
// reported and the rest of the transaction must commit.
func testRenameRace(t *testing.T, s store.Store) {
	a, b := instance("inst-a", "a"), instance("inst-b", "b")
	update(t, s, func(tx store.Tx) error {
		return errors.Join(tx.Insert(t.Context(), &a), tx.Insert(t.Context(), &b))
	})
	renamed, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	first := make(chan error, 1)
	go func() {
		first <- s.Update(t.Context(), func(tx store.Tx) error {
			mine := a
			mine.Name = "x"
			if err := tx.Update(t.Context(), &mine); err != nil {
				return err
			}
			once.Do(func() { close(renamed) })
			<-release // commit only once the other transaction is under way
			return nil
		})
	}()
	<-renamed
	time.AfterFunc(200*time.Millisecond, func() { close(release) })
	var renameErr error
	err := s.Update(t.Context(), func(tx store.Tx) error {
		mine := b
		mine.Name = "x"
		renameErr = tx.Update(t.Context(), &mine)
		c := instance("inst-c", "c")
		return tx.Insert(t.Context(), &c)
	})
	if err != nil {
		t.Fatalf("the transaction that lost the name failed: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("the transaction that took the name failed: %v", err)
	}
	wantConflict(t, renameErr, "name")
	view(t, s, func(tx store.Tx) error {
		gotB, err := tx.Get(t.Context(), store.KindInstance, "inst-b")
		if err != nil {
			return err
		}
		sameObject(t, gotB, b)
		_, err = tx.Get(t.Context(), store.KindInstance, "inst-c")
		return err
	})
}

// fixture stores objects whose IDs sort against their creation order, and
// returns them in creation order.
func fixture(t *testing.T, s store.Store) []store.Object {
	var objs []store.Object
	for i := range 24 {
		o := store.Object{
			Kind:     store.KindInstance,
			ID:       id("inst", 99-i), // descending: creation order is not ID order
			Name:     id("vm", i%12),   // names repeat across the two scopes
			Scope:    []string{"proj-a", "proj-b"}[i/12],
			ZoneID:   []string{"zone-1", "zone-2"}[i%2],
			ParentID: []string{"host-1", "host-2", "host-3", ""}[i%4],
			State:    []string{"Running", "Stopped", "Error"}[i%3],
		}
		objs = append(objs, o)
	}
	update(t, s, func(tx store.Tx) error {
		for i := range objs {
			if err := tx.Insert(t.Context(), &objs[i]); err != nil {
				return err
			}
		}
		// Another kind in the same zones and hosts never shows up.
		return tx.Insert(t.Context(), &store.Object{Kind: store.KindSnapshot, ID: "snap-1", ZoneID: "zone-1", ParentID: "host-1", State: "Running", Name: "vm-00"})
	})
	return objs
}

func ids(objs []store.Object) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o.ID)
	}
	return out
}

func testListFilters(t *testing.T, s store.Store) {
	all := fixture(t, s)
	for _, tc := range []struct {
		name string
		f    store.Filter
	}{
		{"none", store.Filter{}},
		{"zone", store.Filter{ZoneID: "zone-2"}},
		{"parent", store.Filter{ParentID: "host-1"}},
		{"state", store.Filter{State: "Error"}},
		{"name", store.Filter{Name: "vm-03"}},
		{"zone and state", store.Filter{ZoneID: "zone-1", State: "Running"}},
		{"zone, parent and state", store.Filter{ZoneID: "zone-1", ParentID: "host-3", State: "Stopped"}},
		{"all four", store.Filter{ZoneID: "zone-2", ParentID: "host-2", State: "Running", Name: "vm-05"}},
		{"nothing matches", store.Filter{ZoneID: "zone-9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := []string{}
			for _, o := range all {
				if (tc.f.ZoneID == "" || o.ZoneID == tc.f.ZoneID) && (tc.f.ParentID == "" || o.ParentID == tc.f.ParentID) &&
					(tc.f.State == "" || o.State == tc.f.State) && (tc.f.Name == "" || o.Name == tc.f.Name) {
					want = append(want, o.ID)
				}
			}
			got := get(t, s, func(tx store.Tx) ([]store.Object, error) { return tx.List(t.Context(), store.KindInstance, tc.f) })
			if !slices.Equal(ids(got), want) {
				t.Fatalf("List %+v = %v, want %v (creation order)", tc.f, ids(got), want)
			}
			n := get(t, s, func(tx store.Tx) (int, error) { return tx.Count(t.Context(), store.KindInstance, tc.f) })
			if n != len(want) {
				t.Fatalf("Count %+v = %d, want %d", tc.f, n, len(want))
			}
		})
	}
	got := get(t, s, func(tx store.Tx) ([]store.Object, error) {
		return tx.List(t.Context(), store.KindInstance, store.Filter{})
	})
	for i := range got {
		sameObject(t, got[i], all[i])
	}
}

func testListPaging(t *testing.T, s store.Store) {
	all := fixture(t, s)
	for _, tc := range []struct {
		name  string
		f     store.Filter
		limit int
	}{
		{"pages of 5", store.Filter{}, 5},
		{"pages of 1", store.Filter{}, 1},
		{"one page", store.Filter{}, 100},
		{"filtered pages of 3", store.Filter{ZoneID: "zone-1"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := get(t, s, func(tx store.Tx) ([]store.Object, error) { return tx.List(t.Context(), store.KindInstance, tc.f) })
			var got []store.Object
			f := tc.f
			f.Limit = tc.limit
			for page := 0; ; page++ {
				if page > len(all) {
					t.Fatal("paging does not end")
				}
				rows := get(t, s, func(tx store.Tx) ([]store.Object, error) { return tx.List(t.Context(), store.KindInstance, f) })
				if len(rows) > tc.limit {
					t.Fatalf("page of %d, limit %d", len(rows), tc.limit)
				}
				if len(rows) == 0 {
					break
				}
				got = append(got, rows...)
				f.After = rows[len(rows)-1].ID
				if n := get(t, s, func(tx store.Tx) (int, error) { return tx.Count(t.Context(), store.KindInstance, f) }); n != len(want)-len(got) {
					t.Fatalf("Count after %s = %d, want %d", f.After, n, len(want)-len(got))
				}
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("pages %v, want %v", ids(got), ids(want))
			}
		})
	}
	t.Run("after unknown object", func(t *testing.T) {
		err := s.View(t.Context(), func(tx store.Tx) error {
			_, err := tx.List(t.Context(), store.KindInstance, store.Filter{After: "nope"})
			return err
		})
		wantIs(t, err, store.ErrNotFound)
	})
}
