package cloudcore_test

import (
	"errors"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// TestBadInputIsRejectedAndWritesNothing checks that every kind of bad
// request gets a typed error naming the field to fix, and that nothing of it
// is stored: no object, no event, no reservation.
func TestBadInputIsRejectedAndWritesNothing(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 2, cpus: 8, memoryMiB: 16384})
	ctx, c := f.ctx, f.c
	spec := f.spec

	tests := []struct {
		name      string
		call      func() error
		wantErr   error
		wantField string
	}{
		{"bad CIDR", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "n", ZoneID: f.zone.ID, CIDR: "10.2.0.0/33"})
			return err
		}, cloudcore.ErrInvalid, "cidr"},
		{"CIDR with host bits", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "n", ZoneID: f.zone.ID, CIDR: "10.2.0.1/24"})
			return err
		}, cloudcore.ErrInvalid, "cidr"},
		{"gateway outside CIDR", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "n", ZoneID: f.zone.ID, CIDR: "10.2.0.0/24", Gateway: "10.3.0.1"})
			return err
		}, cloudcore.ErrInvalid, "gateway"},
		{"overlapping networks", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "n", ZoneID: f.zone.ID, CIDR: "10.1.128.0/24"})
			return err
		}, cloudcore.ErrConflict, "cidr"},
		{"VLAN taken", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "n", ZoneID: f.zone.ID, CIDR: "10.9.0.0/24", VLAN: 100})
			return err
		}, cloudcore.ErrConflict, "vlan"},
		{"VLAN out of range", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "n", ZoneID: f.zone.ID, CIDR: "10.9.0.0/24", VLAN: 4095})
			return err
		}, cloudcore.ErrInvalid, "vlan"},
		{"network name clash", func() error {
			_, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: f.zone.ID, CIDR: "10.9.0.0/24"})
			return err
		}, cloudcore.ErrConflict, "name"},
		{"zone name clash", func() error {
			_, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1"})
			return err
		}, cloudcore.ErrConflict, "name"},
		{"unknown hypervisor", func() error {
			_, err := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "c2", PodID: f.pod.ID, Hypervisor: "hyperv"})
			return err
		}, cloudcore.ErrInvalid, "hypervisor"},
		{"host URL of the wrong scheme", func() error {
			_, err := c.Hosts.Create(ctx, cloudcore.HostSpec{Name: "h9", ClusterID: f.cluster.ID, URL: "qemu:///system"})
			return err
		}, cloudcore.ErrInvalid, "url"},
		{"unknown template", func() error {
			s := spec("vm1")
			s.TemplateID = "00000000-0000-0000-0000-000000000000"
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrNotFound, "template_id"},
		{"zero CPUs", func() error {
			s := spec("vm1")
			s.CPUs = 0
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrInvalid, "cpus"},
		{"memory beyond any host", func() error {
			s := spec("vm1")
			s.MemoryMiB = 1 << 20
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrNoCapacity, "memory_mib"},
		{"CPUs beyond any host", func() error {
			s := spec("vm1")
			s.CPUs = 64
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrNoCapacity, "cpus"},
		{"instance name that is no host name", func() error {
			_, err := c.Instances.Create(ctx, spec("web_1"))
			return err
		}, cloudcore.ErrInvalid, "name"},
		{"static IP outside the CIDR", func() error {
			s := spec("vm1")
			s.Networks[0].IP = "10.7.0.5"
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrInvalid, "network[0].ip_address"},
		{"static IP on the gateway", func() error {
			s := spec("vm1")
			s.Networks[0].IP = "10.1.0.1"
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrInvalid, "network[0].ip_address"},
		{"unknown network", func() error {
			s := spec("vm1")
			s.Networks[0].NetworkID = "00000000-0000-0000-0000-000000000000"
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrNotFound, "network[0].network_id"},
		{"root disk smaller than the template", func() error {
			s := spec("vm1")
			s.RootDiskBytes = 1 << 20
			_, err := c.Instances.Create(ctx, s)
			return err
		}, cloudcore.ErrInvalid, "root_disk_gib"},
		{"overcommit out of range", func() error {
			_, err := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "c2", PodID: f.pod.ID, Hypervisor: "kvm", CPUOvercommit: 0.5})
			return err
		}, cloudcore.ErrInvalid, "cpu_overcommit"},
		{"pod in an unknown zone", func() error {
			_, err := c.Pods.Create(ctx, cloudcore.PodSpec{Name: "p2", ZoneID: "00000000-0000-0000-0000-000000000000"})
			return err
		}, cloudcore.ErrNotFound, "zone_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshotCounts(t, f)
			err := tt.call()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v; want one wrapping %v", err, tt.wantErr)
			}
			var fe *cloudcore.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.wantField {
				t.Fatalf("error = %v; want a FieldError on %q", err, tt.wantField)
			}
			if after := snapshotCounts(t, f); after != before {
				t.Fatalf("a rejected request changed the store: before %+v, after %+v", before, after)
			}
		})
	}
}

// counts is what a rejected request must not change.
type counts struct {
	zones, clusters, hosts, networks, instances, events int
	cpuUsed, memUsed                                    int64
}

func snapshotCounts(t *testing.T, f *fixture) counts {
	t.Helper()
	ctx, c := f.ctx, f.c
	var n counts
	n.zones = len(must(c.Zones.List(ctx, ""))(t))
	n.clusters = len(must(c.Clusters.List(ctx, ""))(t))
	hosts := must(c.Hosts.List(ctx, cloudcore.HostFilter{}))(t)
	n.hosts = len(hosts)
	n.networks = len(must(c.Networks.List(ctx, ""))(t))
	n.instances = len(must(c.Instances.List(ctx, cloudcore.InstanceFilter{}))(t))
	n.events = len(must(c.Events.List(ctx, cloudcore.EventFilter{}))(t))
	for _, h := range hosts {
		capa := must(c.Hosts.Capacity(ctx, h.ID))(t)
		n.cpuUsed += capa.CPUUsed
		n.memUsed += capa.MemUsed
	}
	return n
}
