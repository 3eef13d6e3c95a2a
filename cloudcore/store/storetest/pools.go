package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var poolTests = []test{
	{"PutGetListDelete", testPoolPutGetListDelete},
	{"ReservePool", testReservePool},
	{"ConcurrentReserveNeverOvercommits", testConcurrentReservePool},
}

const tib = int64(1) << 40 // beyond 32 bits on purpose

func pool(id, zone, cluster string, total int64, enabled bool) store.PoolCapacity {
	return store.PoolCapacity{PoolID: id, ZoneID: zone, ClusterID: cluster, Total: total, Enabled: enabled}
}

func getPool(t *testing.T, s store.Store, id string) store.PoolCapacity {
	t.Helper()
	return get(t, s, func(tx store.Tx) (store.PoolCapacity, error) { return tx.GetPoolCapacity(t.Context(), id) })
}

func testPoolPutGetListDelete(t *testing.T, s store.Store) {
	withUsed := pool("pool-c", "zone-1", "cluster-1", 10*tib, true)
	withUsed.Used = tib
	update(t, s, func(tx store.Tx) error {
		return errors.Join(
			tx.PutPoolCapacity(t.Context(), withUsed),
			tx.PutPoolCapacity(t.Context(), pool("pool-z", "zone-1", "", 20*tib, true)),
			tx.PutPoolCapacity(t.Context(), pool("pool-other", "zone-2", "", tib, true)),
			tx.PutPoolCapacity(t.Context(), pool("pool-a", "zone-1", "cluster-2", tib, false)),
		)
	})
	if got := getPool(t, s, "pool-c"); got != withUsed {
		t.Fatalf("got %+v, want %+v", got, withUsed)
	}
	// A later put changes everything but the used amount.
	update(t, s, func(tx store.Tx) error {
		return tx.PutPoolCapacity(t.Context(), pool("pool-c", "zone-1", "cluster-3", 30*tib, false))
	})
	want := pool("pool-c", "zone-1", "cluster-3", 30*tib, false)
	want.Used = tib
	if got := getPool(t, s, "pool-c"); got != want {
		t.Fatalf("after second put: got %+v, want %+v", got, want)
	}

	list := get(t, s, func(tx store.Tx) ([]store.PoolCapacity, error) { return tx.ListPoolCapacity(t.Context(), "zone-1") })
	var ids []string
	for _, p := range list {
		ids = append(ids, p.PoolID)
	}
	if !slices.Equal(ids, []string{"pool-c", "pool-z", "pool-a"}) || list[0] != want {
		t.Fatalf("ListPoolCapacity = %+v, want pool-c, pool-z, pool-a in the order first put", list)
	}

	wantIs(t, s.Update(t.Context(), func(tx store.Tx) error {
		return tx.PutPoolCapacity(t.Context(), store.PoolCapacity{ZoneID: "zone-1"})
	}), hypervisors.ErrInvalid)
	update(t, s, func(tx store.Tx) error { return tx.DeletePoolCapacity(t.Context(), "pool-c") })
	for name, fn := range map[string]func(tx store.Tx) error{
		"get deleted":        func(tx store.Tx) error { _, err := tx.GetPoolCapacity(t.Context(), "pool-c"); return err },
		"delete deleted":     func(tx store.Tx) error { return tx.DeletePoolCapacity(t.Context(), "pool-c") },
		"reserve on deleted": func(tx store.Tx) error { return tx.ReservePool(t.Context(), "pool-c", 1) },
		"release on deleted": func(tx store.Tx) error { return tx.ReservePool(t.Context(), "pool-c", -1) },
	} {
		t.Run(name, func(t *testing.T) { wantIs(t, s.Update(t.Context(), fn), store.ErrNotFound) })
	}
	if n := len(get(t, s, func(tx store.Tx) ([]store.PoolCapacity, error) { return tx.ListPoolCapacity(t.Context(), "zone-1") })); n != 2 {
		t.Fatalf("%d pools left in zone-1, want 2", n)
	}
}

func testReservePool(t *testing.T, s store.Store) {
	for _, tc := range []struct {
		name       string
		enabled    bool
		used       int64
		bytes      int64
		noCapacity bool
		want       int64
	}{
		{"fits", true, 0, 3 * tib, false, 3 * tib},
		{"fills exactly", true, tib, 3 * tib, false, 4 * tib},
		{"too much", true, 3 * tib, tib + 1, true, 3 * tib},
		{"disabled", false, 0, 1, true, 0},
		{"zero", true, 5, 0, false, 5},
		{"release", true, 3 * tib, -tib, false, 2 * tib},
		{"release more than used stops at zero", true, tib, -2 * tib, false, 0},
		{"release on a disabled pool", false, tib, -tib, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pool("pool-"+tc.name, "zone-1", "", 4*tib, tc.enabled)
			p.Used = tc.used
			update(t, s, func(tx store.Tx) error { return tx.PutPoolCapacity(t.Context(), p) })
			var resErr error
			update(t, s, func(tx store.Tx) error {
				resErr = tx.ReservePool(t.Context(), p.PoolID, tc.bytes)
				// The transaction stays usable after ErrNoCapacity.
				return tx.PutPoolCapacity(t.Context(), pool(p.PoolID+"-after", "zone-1", "", 1, true))
			})
			if tc.noCapacity {
				wantIs(t, resErr, store.ErrNoCapacity)
			} else if resErr != nil {
				t.Fatalf("ReservePool: %v", resErr)
			}
			if got := getPool(t, s, p.PoolID); got.Used != tc.want {
				t.Fatalf("used %d, want %d", got.Used, tc.want)
			}
			getPool(t, s, p.PoolID+"-after")
		})
	}
}

func testConcurrentReservePool(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		return tx.PutPoolCapacity(t.Context(), pool("pool-1", "zone-1", "", 7*tib, true))
	})
	const writers = 24
	errs := parallel(writers, func(int) error {
		return s.Update(t.Context(), func(tx store.Tx) error { return tx.ReservePool(t.Context(), "pool-1", tib) })
	})
	got := outcomes(t, errs, func(err error) string {
		if errors.Is(err, store.ErrNoCapacity) {
			return "full"
		}
		return ""
	})
	if got["ok"] != 7 || got["full"] != writers-7 {
		t.Fatalf("outcomes %v, want 7 ok and %d full", got, writers-7)
	}
	if p := getPool(t, s, "pool-1"); p.Used != 7*tib {
		t.Fatalf("used %d, want %d", p.Used, 7*tib)
	}
}
