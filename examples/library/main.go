// Command library builds the quickstart cloud with the cloudcore Go library:
// one zone with a pod, a simulator cluster of three hosts, primary storage,
// a template, two networks and four instances (two with HA) spread over the
// hosts by an anti-affinity group, plus a snapshot. It prints where each
// instance runs and its addresses.
//
// The cloud lives in the directory given by -dir (default ./.demo): an
// SQLite store, its secret key and the simulated hosts. Each run starts
// from an empty directory.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"
)

func main() {
	dir := flag.String("dir", ".demo", "directory for the store and the simulated hosts (emptied first)")
	flag.Parse()
	if err := run(context.Background(), *dir); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: filepath.Join(dir, "cloudcore.db")})
	if err != nil {
		return err
	}
	defer c.Close()

	zone, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "quickstart", DNS: []string{"9.9.9.9"}})
	if err != nil {
		return err
	}
	pod, err := c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod-a", ZoneID: zone.ID})
	if err != nil {
		return err
	}
	cluster, err := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "sim-cluster", PodID: pod.ID, Hypervisor: "simulator",
		CPUOvercommit: 2, MemoryOvercommit: 1.5})
	if err != nil {
		return err
	}
	hostNames := map[string]string{}
	var hostIDs []string
	for _, name := range []string{"hv1", "hv2", "hv3"} {
		h, err := c.Hosts.Create(ctx, cloudcore.HostSpec{Name: name, ClusterID: cluster.ID,
			URL: "simulator://" + name + "?cpus=16&memory_mib=65536", Username: "root", Password: "demo-password"})
		if err != nil {
			return err
		}
		hostNames[h.ID] = h.Name
		hostIDs = append(hostIDs, h.ID)
	}
	if _, err := c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "primary", ClusterID: cluster.ID,
		URL: "file:///var/lib/cloudcore/primary", CapacityBytes: 2 << 40}); err != nil {
		return err
	}
	tmpl, err := c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "debian-12", ZoneID: zone.ID,
		URL: "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2", Format: "qcow2", SizeBytes: 2 << 30})
	if err != nil {
		return err
	}
	front, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "frontend", ZoneID: zone.ID, CIDR: "10.10.0.0/24", VLAN: 110})
	if err != nil {
		return err
	}
	back, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "backend", ZoneID: zone.ID, CIDR: "10.20.0.0/24", VLAN: 120,
		ReservedRanges: []string{"10.20.0.2-10.20.0.9"}})
	if err != nil {
		return err
	}
	spread, err := c.AffinityGroups.Create(ctx, cloudcore.AffinityGroupSpec{Name: "web-spread", Type: cloudcore.AntiAffinity})
	if err != nil {
		return err
	}

	specs := []cloudcore.InstanceSpec{
		{Name: "web-1", CPUs: 2, MemoryMiB: 2048, HAEnabled: true, AffinityGroupIDs: []string{spread.ID},
			Networks: []cloudcore.NICRequest{{NetworkID: front.ID}, {NetworkID: back.ID}}},
		{Name: "web-2", CPUs: 2, MemoryMiB: 2048, HAEnabled: true, AffinityGroupIDs: []string{spread.ID},
			Networks: []cloudcore.NICRequest{{NetworkID: front.ID}, {NetworkID: back.ID}}},
		{Name: "db-1", CPUs: 4, MemoryMiB: 8192, Networks: []cloudcore.NICRequest{{NetworkID: back.ID, IP: "10.20.0.50"}}},
		{Name: "batch-1", CPUs: 1, MemoryMiB: 1024, Networks: []cloudcore.NICRequest{{NetworkID: back.ID}}, Stopped: true},
	}
	var insts []*cloudcore.Instance
	for _, s := range specs {
		s.TemplateID = tmpl.ID
		inst, err := c.Instances.Create(ctx, s)
		if err != nil {
			return err
		}
		insts = append(insts, inst)
	}
	snap, err := c.Snapshots.Create(ctx, cloudcore.SnapshotSpec{Name: "db-1-baseline", InstanceID: insts[2].ID, Memory: true})
	if err != nil {
		return err
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "INSTANCE\tSTATE\tHOST\tCPUS\tMEMORY\tHA\tADDRESSES")
	for _, i := range insts {
		var addrs []string
		for _, n := range i.NICs {
			addrs = append(addrs, n.IP.String())
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d MiB\t%v\t%s\n", i.Name, i.State, hostNames[i.HostID], i.CPUs, i.MemoryMiB, i.HAEnabled, strings.Join(addrs, ", "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("\nsnapshot %s of db-1 (with memory): %s\n", snap.Name, snap.State)
	for _, id := range hostIDs {
		capa, err := c.Hosts.Capacity(ctx, id)
		if err != nil {
			return err
		}
		fmt.Printf("host %s: %d/%d milli-CPUs, %d/%d MiB reserved\n", hostNames[id], capa.CPUUsed, capa.CPUTotal, capa.MemUsed, capa.MemTotal)
	}
	fmt.Printf("\nstore: %s (secret key beside it)\n", filepath.Join(dir, "cloudcore.db"))
	return nil
}
