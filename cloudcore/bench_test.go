package cloudcore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// benchWorkers deploy at once, as `terraform apply` does with its default
// parallelism.
const benchWorkers = 10

// benchCloud is a zone with n simulated hosts of 64 CPUs and 256 GiB, on
// the given database ("" for SQLite).
func benchCloud(b *testing.B, dsn string, hosts int) *fixture {
	b.Helper()
	dir := b.TempDir()
	cfg := cloudcore.Config{Database: dsn, StateDir: filepath.Join(dir, "sim")}
	if dsn == "" {
		// Explicit, as sub-benchmark names ("hosts=100") put "=" in the path.
		cfg.Database = "sqlite://" + filepath.Join(dir, "cloud.db")
	} else {
		cfg.SecretKey = testKey
	}
	c, err := cloudcore.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	f := &fixture{t: b, ctx: context.Background(), c: c, cfg: cfg}
	ctx := f.ctx
	f.zone = must(c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1"}))(b)
	f.pod = must(c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod1", ZoneID: f.zone.ID}))(b)
	f.cluster = must(c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "cluster1", PodID: f.pod.ID, Hypervisor: "simulator"}))(b)
	parallel(benchWorkers, hosts, func(i int) error {
		_, err := c.Hosts.Create(ctx, cloudcore.HostSpec{Name: fmt.Sprintf("h%05d", i), ClusterID: f.cluster.ID,
			URL: fmt.Sprintf("simulator://h%05d?cpus=64&memory_mib=262144", i)})
		return err
	}, b)
	f.pool = must(c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "primary", ZoneID: f.zone.ID,
		URL: "file:///srv/primary", CapacityBytes: 1 << 60}))(b)
	f.template = must(c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "tiny", ZoneID: f.zone.ID,
		URL: "http://images.example/tiny.qcow2", Format: "qcow2", SizeBytes: gib}))(b)
	f.net = must(c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: f.zone.ID, CIDR: "10.0.0.0/8"}))(b)
	return f
}

// parallel runs fn(0..n-1) on workers goroutines, failing b on an error.
func parallel(workers, n int, fn func(i int) error, b *testing.B) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Value
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := first.Load(); err != nil {
		b.Fatal(err)
	}
}

// deployN deploys n instances named prefix-i with benchWorkers at once.
func deployN(b *testing.B, f *fixture, prefix string, n int) time.Duration {
	start := time.Now()
	parallel(benchWorkers, n, func(i int) error {
		_, err := f.c.Instances.Create(f.ctx, f.spec(fmt.Sprintf("%s-%d", prefix, i)))
		return err
	}, b)
	return time.Since(start)
}

// benchDatabases gives the DSN of each store; PostgreSQL only when its
// binaries are on the machine (the tier rule of internal/testenv applies).
func benchDatabases(b *testing.B) []struct {
	name string
	dsn  func() string
} {
	return []struct {
		name string
		dsn  func() string
	}{
		{"sqlite", func() string { return "" }},
		{"postgres", func() string { return pgDSN(b) }},
	}
}

// BenchmarkDeploy10000On1000Hosts deploys 10,000 instances over 1,000 hosts
// (target: under 60 s) and reports instances per second.
func BenchmarkDeploy10000On1000Hosts(b *testing.B) {
	for _, db := range benchDatabases(b) {
		b.Run(db.name, func(b *testing.B) {
			f := benchCloud(b, db.dsn(), 1000)
			var total time.Duration
			for i := 0; i < b.N; i++ {
				total += deployN(b, f, fmt.Sprintf("r%d", i), 10000)
			}
			b.ReportMetric(float64(10000*b.N)/total.Seconds(), "instances/s")
			b.ReportMetric(total.Seconds()/float64(b.N), "s/10k")
		})
	}
}

// BenchmarkDeployCostByHosts measures the cost of one deploy in zones of
// 100, 1,000 and 10,000 hosts; it should stay nearly flat. Every host gets
// one instance first, so that the timed deploys measure the steady state
// rather than a simulated host's first VM, which creates its files.
func BenchmarkDeployCostByHosts(b *testing.B) {
	for _, db := range benchDatabases(b) {
		for _, hosts := range []int{100, 1000, 10000} {
			b.Run(fmt.Sprintf("%s/hosts=%d", db.name, hosts), func(b *testing.B) {
				f := benchCloud(b, db.dsn(), hosts)
				deployN(b, f, "warm", hosts)
				var total time.Duration
				for i := 0; i < b.N; i++ {
					total += deployN(b, f, fmt.Sprintf("r%d", i), 2000)
				}
				b.ReportMetric(float64(total.Microseconds())/float64(2000*b.N), "µs/deploy")
			})
		}
	}
}

// BenchmarkList25000Instances lists 25,000 deployed instances (Apache
// CloudStack's listVirtualMachines takes 10–17 s at that size; target: 1 s).
func BenchmarkList25000Instances(b *testing.B) {
	for _, db := range benchDatabases(b) {
		b.Run(db.name, func(b *testing.B) {
			f := benchCloud(b, db.dsn(), 1000)
			deployN(b, f, "seed", 25000)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got, err := f.c.Instances.List(f.ctx, cloudcore.InstanceFilter{})
				if err != nil || len(got) != 25000 {
					b.Fatalf("listed %d instances: %v", len(got), err)
				}
			}
		})
	}
}

// BenchmarkHAFailover powers off a host that runs 100 HA instances while
// the HA monitor runs (ping interval 1 s, ping timeout 2 s) and times how
// long until all of them run on the other hosts. It reports the failover
// time, the part of it after the host was fenced (the restarts), and the
// rest in ping intervals: the target is under 3 intervals plus the
// restarts.
func BenchmarkHAFailover(b *testing.B) {
	const (
		instances = 100
		interval  = time.Second
	)
	var failover, restart time.Duration
	for b.Loop() {
		b.StopTimer()
		f := benchCloud(b, "", 4)
		s, overcommit := cloudcore.HASettings{PingInterval: interval, PingTimeout: 2 * interval}, 4.0
		must(f.c.Clusters.Update(f.ctx, f.cluster.ID, cloudcore.ClusterUpdate{HA: &s, CPUOvercommit: &overcommit}))(b)
		hosts := must(f.c.Hosts.List(f.ctx, cloudcore.HostFilter{}))(b)
		failed := hosts[0]
		parallel(benchWorkers, instances, func(i int) error {
			spec := f.spec(fmt.Sprintf("ha-%d", i))
			spec.HAEnabled, spec.HostID = true, failed.ID
			_, err := f.c.Instances.Create(f.ctx, spec)
			return err
		}, b)
		m := cloudcore.NewHAMonitor(f.c)
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = m.Run(ctx, 50*time.Millisecond) }()
		b.StartTimer()

		start := time.Now()
		if err := f.control(failed).PowerOff(); err != nil {
			b.Fatal(err)
		}
		var fenced time.Time
		for {
			if fenced.IsZero() && must(f.c.Hosts.Get(f.ctx, failed.ID))(b).HAState == cloudcore.HAFenced {
				fenced = time.Now()
			}
			moved := 0
			for _, i := range must(f.c.Instances.List(f.ctx, cloudcore.InstanceFilter{State: cloudcore.Running}))(b) {
				if i.HostID != failed.ID {
					moved++
				}
			}
			if moved == instances {
				break
			}
			if time.Since(start) > 2*time.Minute {
				b.Fatalf("only %d of %d instances run elsewhere after 2 minutes", moved, instances)
			}
			time.Sleep(20 * time.Millisecond)
		}
		failover += time.Since(start)
		restart += time.Since(fenced)
		b.StopTimer()
		cancel()
		<-done
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(failover.Seconds()/n, "failover-s")
	b.ReportMetric(restart.Seconds()/n, "restart-s")
	b.ReportMetric((failover-restart).Seconds()/n/interval.Seconds(), "detect+fence-intervals")
	b.ReportMetric(0, "ns/op")
}
