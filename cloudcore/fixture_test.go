package cloudcore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// fixture is a small cloud on simulated hosts: one zone, pod and cluster,
// a zone-wide pool, a template and an isolated network.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	c        *cloudcore.Cloud
	cfg      cloudcore.Config
	zone     *cloudcore.Zone
	pod      *cloudcore.Pod
	cluster  *cloudcore.Cluster
	hosts    []*cloudcore.Host
	pool     *cloudcore.StoragePool
	template *cloudcore.Template
	net      *cloudcore.Network
}

type fixtureOpts struct {
	hosts     int
	cpus      int // per host
	memoryMiB int64
	database  string // default: SQLite in a temp dir
}

const gib = int64(1) << 30

func newFixture(t *testing.T, o fixtureOpts) *fixture {
	t.Helper()
	if o.hosts == 0 {
		o.hosts = 3
	}
	if o.cpus == 0 {
		o.cpus = 16
	}
	if o.memoryMiB == 0 {
		o.memoryMiB = 65536
	}
	dir := t.TempDir()
	cfg := cloudcore.Config{Database: o.database, StateDir: filepath.Join(dir, "sim")}
	if cfg.Database == "" {
		cfg.Database = filepath.Join(dir, "cloud.db")
	} else {
		cfg.SecretKey = testKey
	}
	f := &fixture{t: t, ctx: context.Background(), cfg: cfg}
	f.c = f.open()
	f.build(o)
	return f
}

// testKey is a fixed secret key for PostgreSQL-backed fixtures.
const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func (f *fixture) open() *cloudcore.Cloud {
	f.t.Helper()
	c, err := cloudcore.Open(f.ctx, f.cfg)
	if err != nil {
		f.t.Fatalf("Open: %v", err)
	}
	f.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (f *fixture) build(o fixtureOpts) {
	f.t.Helper()
	ctx, c := f.ctx, f.c
	f.zone = must(c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1", DNS: []string{"192.0.2.53"}}))(f.t)
	f.pod = must(c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod1", ZoneID: f.zone.ID}))(f.t)
	f.cluster = must(c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "cluster1", PodID: f.pod.ID, Hypervisor: "simulator"}))(f.t)
	for i := range o.hosts {
		f.hosts = append(f.hosts, f.addHost(fmt.Sprintf("host%d", i+1), o.cpus, o.memoryMiB))
	}
	f.pool = must(c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "primary", ZoneID: f.zone.ID,
		URL: "file:///srv/primary", CapacityBytes: 100000 * gib}))(f.t)
	f.template = must(c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "tiny", ZoneID: f.zone.ID,
		URL: "http://images.example/tiny.qcow2", Format: "qcow2", SizeBytes: gib}))(f.t)
	f.net = must(c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: f.zone.ID, CIDR: "10.1.0.0/16", VLAN: 100}))(f.t)
}

func (f *fixture) addHost(name string, cpus int, mem int64) *cloudcore.Host {
	f.t.Helper()
	return must(f.c.Hosts.Create(f.ctx, cloudcore.HostSpec{Name: name, ClusterID: f.cluster.ID,
		URL: fmt.Sprintf("simulator://%s?cpus=%d&memory_mib=%d", name, cpus, mem), Username: "root", Password: "s3cret-" + name}))(f.t)
}

// spec is a small instance on the fixture's network.
func (f *fixture) spec(name string) cloudcore.InstanceSpec {
	return cloudcore.InstanceSpec{Name: name, TemplateID: f.template.ID, CPUs: 1, MemoryMiB: 512,
		Networks: []cloudcore.NICRequest{{NetworkID: f.net.ID}}}
}

func (f *fixture) deploy(spec cloudcore.InstanceSpec) *cloudcore.Instance {
	f.t.Helper()
	return must(f.c.Instances.Create(f.ctx, spec))(f.t)
}

// control returns the simulator's controller of a host.
func (f *fixture) control(h *cloudcore.Host) *simulator.Controller {
	f.t.Helper()
	return must(simulator.Control(f.cfg.StateDir, h.Name))(f.t)
}

// must turns (value, error) into value, failing the test on error:
// must(call())(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}
