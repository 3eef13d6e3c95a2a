package storetest

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

var transactionTests = []test{
	{"ErrorRollsBackEverything", testErrorRollsBack},
	{"PanicRollsBackEverything", testPanicRollsBack},
	{"UpdateSeesItsOwnWrites", testOwnWrites},
	{"ViewIsReadOnly", testViewReadOnly},
	{"ViewReadsOneSnapshot", testViewSnapshot},
	{"CanceledContext", testCanceled},
}

// seedWorld commits a host, a pool and an instance for the rollback tests.
func seedWorld(t *testing.T, s store.Store) store.Object {
	o := instance("inst-1", "web")
	update(t, s, func(tx store.Tx) error {
		return errors.Join(
			tx.Insert(t.Context(), &o),
			tx.PutHostCapacity(t.Context(), store.HostCapacity{HostID: "host-1", ZoneID: "zone-1", Allocatable: true, CPUTotal: 4000, MemTotal: 8192}),
			tx.PutPoolCapacity(t.Context(), store.PoolCapacity{PoolID: "pool-1", ZoneID: "zone-1", Total: 1 << 40, Enabled: true}),
		)
	})
	return o
}

// writeEverything makes one write of every kind.
func writeEverything(t *testing.T, tx store.Tx, o store.Object) error {
	ctx := t.Context()
	added := instance("inst-2", "db")
	o.State = "Stopped"
	return errors.Join(
		tx.Insert(ctx, &added),
		tx.Update(ctx, &o),
		tx.ReserveHost(ctx, "host-1", 1000, 1024),
		tx.PutHostCapacity(ctx, store.HostCapacity{HostID: "host-2", ZoneID: "zone-1", Allocatable: true, CPUTotal: 1, MemTotal: 1}),
		tx.ReservePool(ctx, "pool-1", 1<<30),
		tx.InsertNIC(ctx, store.NIC{ID: "nic-1", InstanceID: "inst-1", NetworkID: "net-1", ZoneID: "zone-1", IP: netip.MustParseAddr("10.0.0.2"), MAC: "02:00:00:00:00:01"}),
		tx.AddAffinityMember(ctx, "group-1", "inst-1"),
		tx.InsertJournal(ctx, store.JournalEntry{ID: "j-1", Op: "instance.deploy", ObjectKind: store.KindInstance, ObjectID: "inst-1", State: "pending"}),
		tx.InsertEvent(ctx, store.Event{ID: "e-1", Action: "instance.deploy", ObjectKind: store.KindInstance, ObjectID: "inst-1", Result: "ok"}),
	)
}

// wantUntouched checks that nothing of writeEverything was committed.
func wantUntouched(t *testing.T, s store.Store, o store.Object) {
	t.Helper()
	ctx := t.Context()
	view(t, s, func(tx store.Tx) error {
		got, err := tx.Get(ctx, store.KindInstance, "inst-1")
		if err != nil {
			return err
		}
		sameObject(t, got, o)
		if n, err := tx.Count(ctx, store.KindInstance, store.Filter{}); err != nil || n != 1 {
			t.Errorf("%d instances (%v), want 1", n, err)
		}
		if h, err := tx.GetHostCapacity(ctx, "host-1"); err != nil || h.CPUUsed != 0 || h.MemUsed != 0 {
			t.Errorf("host-1 %+v (%v), want nothing used", h, err)
		}
		if _, err := tx.GetHostCapacity(ctx, "host-2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("host-2: %v, want not found", err)
		}
		if p, err := tx.GetPoolCapacity(ctx, "pool-1"); err != nil || p.Used != 0 {
			t.Errorf("pool-1 %+v (%v), want nothing used", p, err)
		}
		if nics, err := tx.ListNICs(ctx, "inst-1", ""); err != nil || len(nics) != 0 {
			t.Errorf("nics %v (%v), want none", nics, err)
		}
		if m, err := tx.AffinityMembers(ctx, "group-1"); err != nil || len(m) != 0 {
			t.Errorf("members %v (%v), want none", m, err)
		}
		if j, err := tx.ListJournal(ctx, ""); err != nil || len(j) != 0 {
			t.Errorf("journal %v (%v), want empty", j, err)
		}
		if e, err := tx.ListEvents(ctx, store.EventFilter{}); err != nil || len(e) != 0 {
			t.Errorf("events %v (%v), want none", e, err)
		}
		return nil
	})
}

func testErrorRollsBack(t *testing.T, s store.Store) {
	o := seedWorld(t, s)
	errStop := errors.New("stop")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := writeEverything(t, tx, o); err != nil {
			return err
		}
		return errStop
	})
	wantIs(t, err, errStop)
	wantUntouched(t, s, o)
}

func testPanicRollsBack(t *testing.T, s store.Store) {
	o := seedWorld(t, s)
	func() {
		defer func() {
			if r := recover(); r != "stop" {
				t.Fatalf("recovered %v, want the panic of fn", r)
			}
		}()
		_ = s.Update(t.Context(), func(tx store.Tx) error {
			if err := writeEverything(t, tx, o); err != nil {
				return err
			}
			panic("stop")
		})
	}()
	wantUntouched(t, s, o)
	// The store still works.
	update(t, s, func(tx store.Tx) error { return writeEverything(t, tx, o) })
}

func testOwnWrites(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		o := instance("inst-1", "web")
		if err := tx.Insert(t.Context(), &o); err != nil {
			return err
		}
		got, err := tx.Get(t.Context(), store.KindInstance, "inst-1")
		if err != nil {
			return err
		}
		sameObject(t, got, o)
		list, err := tx.List(t.Context(), store.KindInstance, store.Filter{ParentID: "host-1"})
		if err != nil {
			return err
		}
		if len(list) != 1 {
			t.Errorf("List in the same transaction: %d objects, want 1", len(list))
		}
		return nil
	})
}

func testViewReadOnly(t *testing.T, s store.Store) {
	err := s.View(t.Context(), func(tx store.Tx) error {
		o := instance("inst-1", "web")
		return tx.Insert(t.Context(), &o)
	})
	if err == nil {
		t.Fatal("Insert in a View succeeded")
	}
	n := get(t, s, func(tx store.Tx) (int, error) { return tx.Count(t.Context(), store.KindInstance, store.Filter{}) })
	if n != 0 {
		t.Fatalf("%d instances after a write in a View, want 0", n)
	}
}

func testViewSnapshot(t *testing.T, s store.Store) {
	first := instance("inst-1", "web")
	update(t, s, func(tx store.Tx) error { return tx.Insert(t.Context(), &first) })
	view(t, s, func(tx store.Tx) error {
		n1, err := tx.Count(t.Context(), store.KindInstance, store.Filter{})
		if err != nil {
			return err
		}
		update(t, s, func(tx store.Tx) error { // commits while the View is open
			o := instance("inst-2", "db")
			return tx.Insert(t.Context(), &o)
		})
		n2, err := tx.Count(t.Context(), store.KindInstance, store.Filter{})
		if err != nil {
			return err
		}
		if n1 != 1 || n2 != 1 {
			t.Errorf("counts %d then %d inside one View, want 1 and 1", n1, n2)
		}
		return nil
	})
	n := get(t, s, func(tx store.Tx) (int, error) { return tx.Count(t.Context(), store.KindInstance, store.Filter{}) })
	if n != 2 {
		t.Fatalf("%d instances after the View, want 2", n)
	}
}

func testCanceled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error {
		ran = true
		return nil
	})
	wantIs(t, err, context.Canceled)
	if ran {
		t.Fatal("fn ran under a canceled context")
	}
}
