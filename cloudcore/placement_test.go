package cloudcore_test

import (
	"errors"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// TestPlacementFollowsStorageReachabilityAndHypervisor: a cluster-scoped
// pool serves only its cluster's hosts, and a template made for one
// hypervisor runs only in clusters of that type.
func TestPlacementFollowsStorageReachabilityAndHypervisor(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 2})
	ctx, c := f.ctx, f.c
	// The zone-wide pool is disabled; a second simulator cluster gets its
	// own pool, so only its host can run instances.
	off := false
	must(c.StoragePools.Update(ctx, f.pool.ID, cloudcore.StoragePoolUpdate{Enabled: &off}))(t)
	if _, err := c.Instances.Create(ctx, f.spec("nowhere")); !errors.Is(err, cloudcore.ErrNoCapacity) {
		t.Fatalf("deploy without usable storage: %v; want ErrNoCapacity", err)
	}
	other := must(c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "cluster2", PodID: f.pod.ID, Hypervisor: "simulator"}))(t)
	saved := f.cluster
	f.cluster = other
	h := f.addHost("host9", 8, 16384)
	f.cluster = saved
	local := must(c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "c2-local", ClusterID: other.ID,
		URL: "file:///srv/c2", CapacityBytes: 10 * gib}))(t)
	for _, name := range []string{"r1", "r2", "r3"} {
		inst := f.deploy(f.spec(name))
		if inst.HostID != h.ID || inst.PoolID != local.ID {
			t.Fatalf("%s placed on host %s, pool %s; want the only host that reaches storage (%s, %s)", name, inst.HostID, inst.PoolID, h.ID, local.ID)
		}
	}
	// 10 GiB hold three 1 GiB root disks and a 7 GiB one, not another 1 GiB.
	big := f.spec("big")
	big.RootDiskBytes = 7 * gib
	f.deploy(big)
	if _, err := c.Instances.Create(ctx, f.spec("full")); !errors.Is(err, cloudcore.ErrNoCapacity) {
		t.Fatalf("deploy onto a full pool: %v; want ErrNoCapacity", err)
	}

	// A KVM template has no KVM cluster to run in.
	kvm := must(c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "kvm-only", ZoneID: f.zone.ID,
		URL: "http://images.example/k.qcow2", Format: "qcow2", Hypervisor: "kvm", SizeBytes: gib}))(t)
	s := f.spec("kvm1")
	s.TemplateID = kvm.ID
	var fe *cloudcore.FieldError
	if _, err := c.Instances.Create(ctx, s); !errors.Is(err, cloudcore.ErrNoCapacity) || !errors.As(err, &fe) || fe.Field != "template_id" {
		t.Fatalf("deploy of a KVM template into a simulator zone: %v; want no capacity on template_id", err)
	}
}
