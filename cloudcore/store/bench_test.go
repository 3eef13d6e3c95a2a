package store_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// The store's share of the engine's budget: the writes of one deploy, a
// placement query among many hosts, and a listing of every instance.

func openBench(b *testing.B, dsn string) store.Store {
	b.Helper()
	s, err := store.Open(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchDoc is an instance document of a realistic size (about 600 bytes).
var benchDoc = []byte(fmt.Sprintf(`{"template_id":"3f8e5c1e-8d1b-4a43-9f0e-5d2a7c1b9e11","cpus":2,"memory_mib":2048,`+
	`"root_disk_gib":20,"ha_enabled":true,"running":true,"user_data":%q,`+
	`"nics":[{"network_id":"9a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d","ip":"10.1.2.3","mac":"02:00:0a:01:02:03"}],`+
	`"volume":{"pool_id":"7c6b5a49-3827-4615-a4b3-c2d1e0f9a8b7","size_bytes":21474836480}}`,
	"#cloud-config\npackages: [nginx]\nruncmd: [systemctl enable --now nginx]\n"+strings.Repeat("x", 200)))

func putHosts(b *testing.B, s store.Store, n int, used func(i int) int64) {
	b.Helper()
	err := s.Update(b.Context(), func(tx store.Tx) error {
		for i := range n {
			h := store.HostCapacity{HostID: fmt.Sprintf("host-%04d", i), ZoneID: "zone-1", PodID: "pod-1", ClusterID: "cluster-1",
				Hypervisor: "simulator", Allocatable: true, CPUTotal: 1 << 40, MemTotal: 64 << 10, MemUsed: used(i)}
			if err := tx.PutHostCapacity(b.Context(), h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDeployWrites measures one transaction holding the writes of a
// deploy: reserve a host, allocate a NIC, store the instance.
func BenchmarkDeployWrites(b *testing.B) {
	for _, db := range store.Databases {
		b.Run(db.Name, func(b *testing.B) {
			s := openBench(b, db.DSN(b))
			const hosts = 1000
			putHosts(b, s, hosts, func(int) int64 { return 0 })
			base := netip.MustParseAddr("10.0.0.0").As4()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ip := netip.AddrFrom4([4]byte{base[0], byte(i >> 16), byte(i >> 8), byte(i)})
				id := fmt.Sprintf("inst-%07d", i)
				err := s.Update(b.Context(), func(tx store.Tx) error {
					ctx := b.Context()
					if err := tx.ReserveHost(ctx, fmt.Sprintf("host-%04d", i%hosts), 1000, 1); err != nil {
						return err
					}
					err := tx.InsertNIC(ctx, store.NIC{ID: "nic-" + id, InstanceID: id, NetworkID: "net-1", ZoneID: "zone-1",
						IP: ip, MAC: fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", byte(i>>24), byte(i>>16), byte(i>>8), byte(i))})
					if err != nil {
						return err
					}
					o := store.Object{Kind: store.KindInstance, ID: id, Name: id, Scope: "proj-1", ZoneID: "zone-1",
						ParentID: fmt.Sprintf("host-%04d", i%hosts), State: "Starting", Data: benchDoc}
					return tx.Insert(ctx, &o)
				})
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkCandidateHosts measures a first-fit and a least-consumed
// placement query among 1,000 hosts, most of them full: the cost must not
// depend on how many are.
func BenchmarkCandidateHosts(b *testing.B) {
	for _, db := range store.Databases {
		for _, full := range []int{0, 990} {
			b.Run(fmt.Sprintf("%s/full=%d", db.Name, full), func(b *testing.B) {
				s := openBench(b, db.DSN(b))
				putHosts(b, s, 1000, func(i int) int64 {
					if i < full {
						return 64 << 10
					}
					return 0
				})
				for _, strategy := range []store.Strategy{store.FirstFit, store.LeastConsumed} {
					b.Run(string(strategy), func(b *testing.B) {
						for b.Loop() {
							err := s.View(b.Context(), func(tx store.Tx) error {
								hs, err := tx.CandidateHosts(b.Context(), store.HostQuery{ZoneID: "zone-1", CPU: 1000, Mem: 2048, Strategy: strategy, Limit: 8})
								if err == nil && len(hs) != 8 {
									err = fmt.Errorf("%d candidates, want 8", len(hs))
								}
								return err
							})
							if err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			})
		}
	}
}

// BenchmarkList25000 measures listing 25,000 instances.
func BenchmarkList25000(b *testing.B) {
	const n = 25000
	for _, db := range store.Databases {
		b.Run(db.Name, func(b *testing.B) {
			s := openBench(b, db.DSN(b))
			insertInstances(b, s, n)
			b.ReportAllocs()
			for b.Loop() {
				err := s.View(b.Context(), func(tx store.Tx) error {
					objs, err := tx.List(b.Context(), store.KindInstance, store.Filter{})
					if err == nil && len(objs) != n {
						err = fmt.Errorf("listed %d instances, want %d", len(objs), n)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func insertInstances(b *testing.B, s store.Store, n int) {
	b.Helper()
	const batch = 1000
	for start := 0; start < n; start += batch {
		err := s.Update(b.Context(), func(tx store.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				id := fmt.Sprintf("inst-%07d", i)
				o := store.Object{Kind: store.KindInstance, ID: id, Name: id, Scope: "proj-1", ZoneID: "zone-1",
					ParentID: fmt.Sprintf("host-%04d", i%1000), State: "Running", Data: benchDoc}
				if err := tx.Insert(b.Context(), &o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
