package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var hostTests = []test{
	{"PutGetDelete", testHostPutGetDelete},
	{"ReserveHost", testReserveHost},
	{"CandidateHosts", testCandidateHosts},
	{"ConcurrentReserveNeverOvercommits", testConcurrentReserveHost},
}

func host(id, cluster string, allocatable bool, cpu, mem int64) store.HostCapacity {
	return store.HostCapacity{HostID: id, ZoneID: "zone-1", PodID: "pod-1", ClusterID: cluster, Hypervisor: "simulator",
		Allocatable: allocatable, CPUTotal: cpu, MemTotal: mem}
}

func getHost(t *testing.T, s store.Store, id string) store.HostCapacity {
	t.Helper()
	return get(t, s, func(tx store.Tx) (store.HostCapacity, error) { return tx.GetHostCapacity(t.Context(), id) })
}

func testHostPutGetDelete(t *testing.T, s store.Store) {
	h := host("host-1", "cluster-1", true, 4000, 8192)
	h.CPUUsed, h.MemUsed = 500, 512 // a new row takes the used amounts given
	update(t, s, func(tx store.Tx) error { return tx.PutHostCapacity(t.Context(), h) })
	if got := getHost(t, s, "host-1"); got != h {
		t.Fatalf("got %+v, want %+v", got, h)
	}

	// A later put changes everything but the used amounts.
	changed := store.HostCapacity{HostID: "host-1", ZoneID: "zone-2", PodID: "pod-2", ClusterID: "cluster-2", Hypervisor: "kvm",
		Allocatable: false, CPUTotal: 8000, MemTotal: 16384}
	update(t, s, func(tx store.Tx) error { return tx.PutHostCapacity(t.Context(), changed) })
	want := changed
	want.CPUUsed, want.MemUsed = 500, 512
	if got := getHost(t, s, "host-1"); got != want {
		t.Fatalf("after second put: got %+v, want %+v", got, want)
	}

	wantIs(t, s.Update(t.Context(), func(tx store.Tx) error {
		return tx.PutHostCapacity(t.Context(), store.HostCapacity{ZoneID: "zone-1"})
	}), hypervisors.ErrInvalid)
	update(t, s, func(tx store.Tx) error { return tx.DeleteHostCapacity(t.Context(), "host-1") })
	for name, fn := range map[string]func(tx store.Tx) error{
		"get deleted":    func(tx store.Tx) error { _, err := tx.GetHostCapacity(t.Context(), "host-1"); return err },
		"delete deleted": func(tx store.Tx) error { return tx.DeleteHostCapacity(t.Context(), "host-1") },
		"reserve on deleted": func(tx store.Tx) error {
			return tx.ReserveHost(t.Context(), "host-1", 1, 1)
		},
		"release on deleted": func(tx store.Tx) error {
			return tx.ReserveHost(t.Context(), "host-1", -1, -1)
		},
	} {
		t.Run(name, func(t *testing.T) { wantIs(t, s.Update(t.Context(), fn), store.ErrNotFound) })
	}
}

func testReserveHost(t *testing.T, s store.Store) {
	for _, tc := range []struct {
		name             string
		allocatable      bool
		usedCPU, usedMem int64
		cpu, mem         int64
		noCapacity       bool
		wantCPU, wantMem int64
	}{
		{"fits", true, 0, 0, 1000, 2048, false, 1000, 2048},
		{"fills exactly", true, 1000, 2048, 3000, 6144, false, 4000, 8192},
		{"too much cpu", true, 3500, 0, 501, 1, true, 3500, 0},
		{"too much memory", true, 0, 8000, 1, 193, true, 0, 8000},
		{"not allocatable", false, 0, 0, 1, 1, true, 0, 0},
		{"zero", true, 100, 100, 0, 0, false, 100, 100},
		{"release", true, 1000, 2048, -400, -1024, false, 600, 1024},
		{"release more than used stops at zero", true, 1000, 2048, -5000, -9000, false, 0, 0},
		{"release on a host that is not allocatable", false, 1000, 2048, -1000, -2048, false, 0, 0},
		{"take cpu, give back memory", true, 1000, 2048, 500, -1024, false, 1500, 1024},
		{"take cpu that does not fit, give back memory", true, 4000, 2048, 1, -1024, true, 4000, 2048},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := host("host-"+tc.name, "cluster-1", tc.allocatable, 4000, 8192)
			h.CPUUsed, h.MemUsed = tc.usedCPU, tc.usedMem
			update(t, s, func(tx store.Tx) error { return tx.PutHostCapacity(t.Context(), h) })
			var resErr error
			update(t, s, func(tx store.Tx) error {
				resErr = tx.ReserveHost(t.Context(), h.HostID, tc.cpu, tc.mem)
				// The transaction stays usable after ErrNoCapacity.
				return tx.PutHostCapacity(t.Context(), host(h.HostID+"-after", "cluster-1", true, 1, 1))
			})
			if tc.noCapacity {
				wantIs(t, resErr, store.ErrNoCapacity)
			} else if resErr != nil {
				t.Fatalf("ReserveHost: %v", resErr)
			}
			got := getHost(t, s, h.HostID)
			if got.CPUUsed != tc.wantCPU || got.MemUsed != tc.wantMem {
				t.Fatalf("used %d milli-CPUs and %d MiB, want %d and %d", got.CPUUsed, got.MemUsed, tc.wantCPU, tc.wantMem)
			}
			getHost(t, s, h.HostID+"-after")
		})
	}
}

func hostIDs(hs []store.HostCapacity) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.HostID)
	}
	return out
}

func testCandidateHosts(t *testing.T, s store.Store) {
	// Put in this order; free memory in brackets.
	hosts := []store.HostCapacity{
		host("h-full", "c1", true, 4000, 4096),   // [0] after the reservation below
		host("h-small", "c1", true, 4000, 2048),  // [2048]
		host("h-big", "c2", true, 4000, 16384),   // [16384]
		host("h-down", "c1", false, 4000, 32768), // not allocatable
		host("h-mid", "c2", true, 4000, 8192),    // [8192]
		host("h-nocpu", "c1", true, 500, 65536),  // too little CPU for 1000
		host("h-mid2", "c1", true, 4000, 8192),   // [8192], put after h-mid
		host("h-mid3", "c2", true, 3000, 8192),   // [8192], less CPU than h-mid
	}
	other := host("h-elsewhere", "c9", true, 64000, 65536)
	other.ZoneID = "zone-2"
	update(t, s, func(tx store.Tx) error {
		for _, h := range append(hosts, other) {
			if err := tx.PutHostCapacity(t.Context(), h); err != nil {
				return err
			}
		}
		return tx.ReserveHost(t.Context(), "h-full", 1000, 4096)
	})
	// A later put keeps a host's place in first-fit order.
	update(t, s, func(tx store.Tx) error { return tx.PutHostCapacity(t.Context(), hosts[1]) })

	q := func(mod func(*store.HostQuery)) store.HostQuery {
		q := store.HostQuery{ZoneID: "zone-1", CPU: 1000, Mem: 1024, Strategy: store.FirstFit}
		mod(&q)
		return q
	}
	for _, tc := range []struct {
		name string
		q    store.HostQuery
		want []string
	}{
		{"first fit", q(func(*store.HostQuery) {}), []string{"h-small", "h-big", "h-mid", "h-mid2", "h-mid3"}},
		{"empty strategy is first fit", q(func(q *store.HostQuery) { q.Strategy = "" }), []string{"h-small", "h-big", "h-mid", "h-mid2", "h-mid3"}},
		// Ties on memory go to more free CPU, then to the host put last.
		{"least consumed", q(func(q *store.HostQuery) { q.Strategy = store.LeastConsumed }), []string{"h-big", "h-mid2", "h-mid", "h-mid3", "h-small"}},
		{"limit", q(func(q *store.HostQuery) { q.Limit = 2 }), []string{"h-small", "h-big"}},
		{"least consumed with limit", q(func(q *store.HostQuery) { q.Strategy, q.Limit = store.LeastConsumed, 1 }), []string{"h-big"}},
		{"memory bound", q(func(q *store.HostQuery) { q.Mem = 8192 }), []string{"h-big", "h-mid", "h-mid2", "h-mid3"}},
		{"cpu bound", q(func(q *store.HostQuery) { q.CPU, q.Mem = 3500, 1 }), []string{"h-small", "h-big", "h-mid", "h-mid2"}},
		{"small cpu lets the low-cpu host in", q(func(q *store.HostQuery) { q.CPU = 500 }), []string{"h-small", "h-big", "h-mid", "h-nocpu", "h-mid2", "h-mid3"}},
		{"clusters", q(func(q *store.HostQuery) { q.ClusterIDs = []string{"c2"} }), []string{"h-big", "h-mid", "h-mid3"}},
		{"two clusters", q(func(q *store.HostQuery) { q.ClusterIDs = []string{"c2", "c1"} }), []string{"h-small", "h-big", "h-mid", "h-mid2", "h-mid3"}},
		{"exclude", q(func(q *store.HostQuery) { q.ExcludeHosts = []string{"h-small", "h-mid"} }), []string{"h-big", "h-mid2", "h-mid3"}},
		{"clusters and exclude, least consumed", q(func(q *store.HostQuery) {
			q.ClusterIDs, q.ExcludeHosts, q.Strategy = []string{"c1"}, []string{"h-mid2"}, store.LeastConsumed
		}), []string{"h-small"}},
		{"nothing fits", q(func(q *store.HostQuery) { q.Mem = 1 << 20 }), []string{}},
		{"other zone", q(func(q *store.HostQuery) { q.ZoneID = "zone-2" }), []string{"h-elsewhere"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := get(t, s, func(tx store.Tx) ([]store.HostCapacity, error) { return tx.CandidateHosts(t.Context(), tc.q) })
			if !slices.Equal(hostIDs(got), tc.want) {
				t.Fatalf("CandidateHosts %+v = %v, want %v", tc.q, hostIDs(got), tc.want)
			}
			for _, h := range got {
				if h != getHost(t, s, h.HostID) {
					t.Fatalf("candidate %+v differs from its stored capacity", h)
				}
			}
		})
	}
	t.Run("unknown strategy", func(t *testing.T) {
		wantIs(t, s.View(t.Context(), func(tx store.Tx) error {
			_, err := tx.CandidateHosts(t.Context(), q(func(q *store.HostQuery) { q.Strategy = "random" }))
			return err
		}), hypervisors.ErrInvalid)
	})
}

func testConcurrentReserveHost(t *testing.T, s store.Store) {
	// Two hosts with room for 5 reservations each; 40 writers race.
	update(t, s, func(tx store.Tx) error {
		return errors.Join(
			tx.PutHostCapacity(t.Context(), host("host-1", "c1", true, 5000, 5120)),
			tx.PutHostCapacity(t.Context(), host("host-2", "c1", true, 10000, 5120)),
		)
	})
	const writers = 40
	errs := parallel(writers, func(i int) error {
		return s.Update(t.Context(), func(tx store.Tx) error {
			return tx.ReserveHost(t.Context(), []string{"host-1", "host-2"}[i%2], 1000, 1024)
		})
	})
	got := outcomes(t, errs, func(err error) string {
		if errors.Is(err, store.ErrNoCapacity) {
			return "full"
		}
		return ""
	})
	if got["ok"] != 10 || got["full"] != writers-10 {
		t.Fatalf("outcomes %v, want 10 ok and %d full", got, writers-10)
	}
	for _, id := range []string{"host-1", "host-2"} {
		if h := getHost(t, s, id); h.MemUsed != 5120 || h.CPUUsed != 5000 {
			t.Fatalf("%s used %d milli-CPUs and %d MiB, want 5000 and 5120", id, h.CPUUsed, h.MemUsed)
		}
	}
}
