package cloudcore_test

import (
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// checkConsistent verifies that the records, the reservations and the
// hypervisors agree: no orphaned VM or volume, no leaked capacity or
// address, no operation left half done.
func checkConsistent(t *testing.T, f *fixture, c *cloudcore.Cloud) {
	t.Helper()
	ctx := f.ctx
	var pending []store.JournalEntry
	err := c.Store().View(ctx, func(tx store.Tx) error {
		var err error
		pending, err = tx.ListJournal(ctx, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) > 0 {
		t.Errorf("%d journal entries left: first %s of %s", len(pending), pending[0].Op, pending[0].ObjectID)
	}

	insts := must(c.Instances.List(ctx, cloudcore.InstanceFilter{}))(t)
	byHost := map[string][]*cloudcore.Instance{}
	wantNICs := map[string]bool{}
	var wantVolumes []string
	var diskUsed int64
	for _, i := range insts {
		switch {
		case i.Task != "":
			t.Errorf("instance %s still busy with %s", i.Name, i.Task)
		case i.State != cloudcore.Running && i.State != cloudcore.Stopped && i.State != cloudcore.Error:
			t.Errorf("instance %s left in %s", i.Name, i.State)
		case i.State == cloudcore.Error && (i.HostID != "" || len(i.NICs) > 0):
			t.Errorf("failed instance %s still holds host %q or NICs %v", i.Name, i.HostID, i.NICs)
		}
		if i.HostID == "" {
			continue
		}
		byHost[i.HostID] = append(byHost[i.HostID], i)
		wantVolumes = append(wantVolumes, i.RootVolumeID)
		diskUsed += i.RootDiskBytes
		for _, n := range i.NICs {
			wantNICs[n.NetworkID+"/"+n.IP.String()] = true
		}
	}

	for _, h := range f.hosts {
		conn := must(c.Hosts.Connect(ctx, h.ID))(t)
		vms := must(conn.ListVMs(ctx))(t)
		onHost := byHost[h.ID]
		var cpu, mem int64
		for _, i := range onHost {
			cpu += int64(i.CPUs) * 1000
			mem += i.MemoryMiB
			idx := slices.IndexFunc(vms, func(v hypervisors.VMStatus) bool { return v.ID == i.ID })
			if idx < 0 {
				t.Errorf("instance %s (%s) has no VM on host %s", i.Name, i.State, h.Name)
				continue
			}
			if want := map[cloudcore.State]hypervisors.PowerState{cloudcore.Running: hypervisors.PowerRunning,
				cloudcore.Stopped: hypervisors.PowerStopped}[i.State]; vms[idx].Power != want {
				t.Errorf("instance %s is %s but its VM is %s", i.Name, i.State, vms[idx].Power)
			}
			if h.Hypervisor == "simulator" {
				checkVMNICs(t, f, h, i)
			}
		}
		for _, v := range vms {
			if !slices.ContainsFunc(onHost, func(i *cloudcore.Instance) bool { return i.ID == v.ID }) {
				t.Errorf("orphaned VM %s on host %s", v.ID, h.Name)
			}
		}
		capa := must(c.Hosts.Capacity(ctx, h.ID))(t)
		if capa.CPUUsed != cpu || capa.MemUsed != mem {
			t.Errorf("host %s reserves %d milli-CPUs/%d MiB; its instances need %d/%d", h.Name, capa.CPUUsed, capa.MemUsed, cpu, mem)
		}
		if capa.CPUUsed > capa.CPUTotal || capa.MemUsed > capa.MemTotal {
			t.Errorf("host %s over-committed: %+v", h.Name, capa)
		}
	}

	poolCap := must(c.StoragePools.Capacity(ctx, f.pool.ID))(t)
	if poolCap.Used != diskUsed {
		t.Errorf("pool reserves %d bytes; placed instances need %d", poolCap.Used, diskUsed)
	}
	conn := must(c.Hosts.Connect(ctx, f.hosts[0].ID))(t)
	vols := must(conn.ListVolumes(ctx, hypervisors.StoragePoolRef{ID: f.pool.ID, URL: f.pool.URL}))(t)
	var gotVolumes []string
	for _, v := range vols {
		gotVolumes = append(gotVolumes, v.ID)
	}
	slices.Sort(gotVolumes)
	slices.Sort(wantVolumes)
	if !slices.Equal(gotVolumes, wantVolumes) {
		t.Errorf("volumes on the pool %v; placed instances own %v", gotVolumes, wantVolumes)
	}

	var nics []store.NIC
	for _, n := range must(c.Networks.List(ctx, f.zone.ID))(t) {
		nics = append(nics, must(c.Networks.Addresses(ctx, n.ID))(t)...)
	}
	seen := map[string]bool{}
	for _, n := range nics {
		key := n.NetworkID + "/" + n.IP.String()
		if seen[key] {
			t.Errorf("duplicate address %s", key)
		}
		seen[key] = true
		if !wantNICs[key] {
			t.Errorf("address %s is allocated but no placed instance has it", key)
		}
	}
	if len(seen) != len(wantNICs) {
		t.Errorf("%d addresses allocated; placed instances have %d", len(seen), len(wantNICs))
	}
	if t.Failed() {
		t.FailNow()
	}
}

// checkVMNICs reports an error unless the VM of instance i on simulated
// host h has the instance's NICs, by MAC, in order.
func checkVMNICs(t *testing.T, f *fixture, h *cloudcore.Host, i *cloudcore.Instance) {
	t.Helper()
	nics := must(f.control(h).VMNICs(i.ID))(t)
	var got, want []string
	for _, n := range nics {
		got = append(got, n.MAC)
	}
	for _, n := range i.NICs {
		want = append(want, n.MAC)
	}
	if !slices.Equal(got, want) {
		t.Errorf("instance %s has NICs %v but its VM has %v", i.Name, want, got)
	}
}
