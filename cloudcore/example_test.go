package cloudcore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	// Link in every hypervisor driver, as database/sql programs link theirs.
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"
)

// Example builds a small cloud on simulated hosts and deploys an instance:
// the embedded SQLite store needs no set-up, and the simulator keeps its
// hosts beside it.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cloudcore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: filepath.Join(dir, "cloud.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	zone, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1", DNS: []string{"9.9.9.9"}})
	if err != nil {
		log.Fatal(err)
	}
	pod, _ := c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod1", ZoneID: zone.ID})
	cluster, _ := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "sim", PodID: pod.ID, Hypervisor: "simulator", CPUOvercommit: 2})
	host, err := c.Hosts.Create(ctx, cloudcore.HostSpec{Name: "hv1", ClusterID: cluster.ID, URL: "simulator://hv1?cpus=8&memory_mib=16384"})
	if err != nil {
		log.Fatal(err)
	}
	_, _ = c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "primary", ZoneID: zone.ID, URL: "file:///srv/primary", CapacityBytes: 1 << 40})
	tmpl, _ := c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "debian-12", ZoneID: zone.ID,
		URL: "https://images.example/debian-12.qcow2", Format: "qcow2", SizeBytes: 2 << 30})
	net, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "web", ZoneID: zone.ID, CIDR: "10.0.0.0/24"})
	if err != nil {
		log.Fatal(err)
	}

	web, err := c.Instances.Create(ctx, cloudcore.InstanceSpec{Name: "web-1", TemplateID: tmpl.ID, CPUs: 2, MemoryMiB: 2048,
		Networks: []cloudcore.NICRequest{{NetworkID: net.ID}}, HAEnabled: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(web.Name, web.State, web.NICs[0].IP, web.HostID == host.ID)

	web, _ = c.Instances.Resize(ctx, web.ID, 4, 4096)
	capa, _ := c.Hosts.Capacity(ctx, host.ID)
	fmt.Printf("%d vCPUs, %d MiB; host uses %d of %d milli-CPUs\n", web.CPUs, web.MemoryMiB, capa.CPUUsed, capa.CPUTotal)

	snap, _ := c.Snapshots.Create(ctx, cloudcore.SnapshotSpec{Name: "before-upgrade", InstanceID: web.ID, Memory: true})
	_, _ = c.Instances.Stop(ctx, web.ID, false)
	web, _ = c.Snapshots.Revert(ctx, snap.ID)
	fmt.Println("after revert:", web.State)

	if err := c.Instances.Destroy(ctx, web.ID); err != nil {
		log.Fatal(err)
	}
	capa, _ = c.Hosts.Capacity(ctx, host.ID)
	fmt.Println("host uses", capa.CPUUsed, "milli-CPUs after destroy")
	// Output:
	// web-1 Running 10.0.0.2 true
	// 4 vCPUs, 4096 MiB; host uses 4000 of 16000 milli-CPUs
	// after revert: Running
	// host uses 0 milli-CPUs after destroy
}
