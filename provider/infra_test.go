package provider

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// accInfra is a zone with simulated hosts, storage, a template and a
// network, built through the library for tests of the compute resources.
type accInfra struct {
	ZoneID, TemplateID, NetworkID string
	HostNames                     []string
}

func (a *accCloud) buildInfra(hosts int) accInfra {
	a.t.Helper()
	var in accInfra
	a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
		z, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1"})
		if err != nil {
			return err
		}
		pod, err := c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod1", ZoneID: z.ID})
		if err != nil {
			return err
		}
		cl, err := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "sim", PodID: pod.ID, Hypervisor: "simulator"})
		if err != nil {
			return err
		}
		for i := range hosts {
			name := fmt.Sprintf("hv%d", i+1)
			if _, err := c.Hosts.Create(ctx, cloudcore.HostSpec{Name: name, ClusterID: cl.ID, URL: "simulator://" + name + "?cpus=8&memory_mib=16384"}); err != nil {
				return err
			}
			in.HostNames = append(in.HostNames, name)
		}
		if _, err := c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "primary", ZoneID: z.ID, URL: "file:///srv/primary", CapacityBytes: 1 << 40}); err != nil {
			return err
		}
		t, err := c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "tiny", ZoneID: z.ID, URL: "http://images.example/tiny.qcow2", Format: "qcow2", SizeBytes: 1 << 30})
		if err != nil {
			return err
		}
		n, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: z.ID, CIDR: "10.5.0.0/24"})
		if err != nil {
			return err
		}
		in.ZoneID, in.TemplateID, in.NetworkID = z.ID, t.ID, n.ID
		return nil
	})()
	return in
}

// simulated returns the controller of a simulated host of the test's store.
func (a *accCloud) simulated(host string) *simulator.Controller {
	a.t.Helper()
	ctl, err := simulator.Control(a.database+".state", host)
	if err != nil {
		a.t.Fatal(err)
	}
	return ctl
}

// instanceByName finds an instance through the library.
func (a *accCloud) instanceByName(zoneID, name string, fn func(ctx context.Context, c *cloudcore.Cloud, i *cloudcore.Instance) error) func() {
	return a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
		i, err := c.Instances.GetByName(ctx, zoneID, name)
		if err != nil {
			return err
		}
		return fn(ctx, c, i)
	})
}

// clusterCloud describes, for clusterConfig, a zone with one cluster of a
// hypervisor reached for real (or through its vendor's simulator).
type clusterCloud struct {
	Zone, Hypervisor                     string
	HostURL, Username, Password          string // credentials may be empty
	PoolURL, TemplateURL, TemplateFormat string
	CIDR                                 string
	VLAN                                 int // 0: untagged
	MemoryMiB                            int
}

// clusterConfig is the configuration of cc with this test's provider: zone
// z, pod p, cluster c, host h, storage pool p, template t, network n and
// instance vm ("vm1", cpus CPUs, one NIC on n), then extra.
func (a *accCloud) clusterConfig(cc clusterCloud, cpus int, extra string) string {
	var creds, vlan string
	if cc.Username != "" {
		creds = fmt.Sprintf("  username   = %q\n  password   = %q\n", cc.Username, cc.Password)
	}
	if cc.VLAN != 0 {
		vlan = fmt.Sprintf("  vlan    = %d\n", cc.VLAN)
	}
	return a.config("%s", fmt.Sprintf(`resource "cloudcore_zone" "z" { name = %q }
resource "cloudcore_pod" "p" {
  name    = "pod"
  zone_id = cloudcore_zone.z.id
}
resource "cloudcore_cluster" "c" {
  name       = %[2]q
  pod_id     = cloudcore_pod.p.id
  hypervisor = %[2]q
}
resource "cloudcore_host" "h" {
  name       = "h1"
  cluster_id = cloudcore_cluster.c.id
  url        = %[3]q
%[4]s}
resource "cloudcore_storage_pool" "p" {
  name         = "primary"
  cluster_id   = cloudcore_cluster.c.id
  url          = %[5]q
  capacity_gib = 100
}
resource "cloudcore_template" "t" {
  name       = "tiny"
  zone_id    = cloudcore_zone.z.id
  url        = %[6]q
  format     = %[7]q
  hypervisor = %[2]q
  size_gib   = 1
}
resource "cloudcore_network" "n" {
  name    = "guests"
  zone_id = cloudcore_zone.z.id
  cidr    = %[8]q
%[9]s}
resource "cloudcore_instance" "vm" {
  name        = "vm1"
  template_id = cloudcore_template.t.id
  cpus        = %[10]d
  memory_mib  = %[11]d
  network {
    network_id = cloudcore_network.n.id
  }
  depends_on = [cloudcore_host.h, cloudcore_storage_pool.p]
}
%[12]s`, cc.Zone, cc.Hypervisor, cc.HostURL, creds, cc.PoolURL, cc.TemplateURL, cc.TemplateFormat, cc.CIDR, vlan, cpus, cc.MemoryMiB, extra))
}
