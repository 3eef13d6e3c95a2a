package cloudcore_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

func TestInstanceLifecycle(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	ctx, c := f.ctx, f.c

	inst := f.deploy(f.spec("web1"))
	if inst.State != cloudcore.Running || inst.HostID != f.hosts[0].ID {
		t.Fatalf("deployed instance: state %s on %q; want Running on %s", inst.State, inst.HostID, f.hosts[0].ID)
	}
	if len(inst.NICs) != 1 || inst.NICs[0].IP != netip.MustParseAddr("10.1.0.2") || inst.NICs[0].MAC == "" {
		t.Fatalf("NICs = %+v; want the first free address 10.1.0.2 and a MAC", inst.NICs)
	}
	assertUsed(t, f, f.hosts[0], 1000, 512)
	vm := vmOnHost(t, f, f.hosts[0], inst.ID)
	if vm.Power != hypervisors.PowerRunning || vm.CPUs != 1 || vm.MemoryMiB != 512 {
		t.Fatalf("VM on the host = %+v; want running with 1 CPU and 512 MiB", vm)
	}

	steps := []struct {
		name string
		do   func() (*cloudcore.Instance, error)
		want cloudcore.State
		vm   hypervisors.PowerState
	}{
		{"graceful stop", func() (*cloudcore.Instance, error) { return c.Instances.Stop(ctx, inst.ID, false) }, cloudcore.Stopped, hypervisors.PowerStopped},
		{"stop again is a no-op", func() (*cloudcore.Instance, error) { return c.Instances.Stop(ctx, inst.ID, true) }, cloudcore.Stopped, hypervisors.PowerStopped},
		{"start", func() (*cloudcore.Instance, error) { return c.Instances.Start(ctx, inst.ID) }, cloudcore.Running, hypervisors.PowerRunning},
		{"reboot", func() (*cloudcore.Instance, error) { return c.Instances.Reboot(ctx, inst.ID) }, cloudcore.Running, hypervisors.PowerRunning},
		{"forced stop", func() (*cloudcore.Instance, error) { return c.Instances.Stop(ctx, inst.ID, true) }, cloudcore.Stopped, hypervisors.PowerStopped},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.State != s.want {
			t.Fatalf("%s: state %s; want %s", s.name, got.State, s.want)
		}
		if vm := vmOnHost(t, f, f.hosts[0], inst.ID); vm.Power != s.vm {
			t.Fatalf("%s: VM power %s; want %s", s.name, vm.Power, s.vm)
		}
	}
	if _, err := c.Instances.Reboot(ctx, inst.ID); !errors.Is(err, cloudcore.ErrConflict) {
		t.Fatalf("reboot of a stopped instance: %v; want ErrConflict", err)
	}

	// Resize while running: the simulator has no hot resize, so the VM is
	// stopped, reconfigured and started again; capacity follows.
	must(c.Instances.Start(ctx, inst.ID))(t)
	got := must(c.Instances.Resize(ctx, inst.ID, 4, 2048))(t)
	if got.CPUs != 4 || got.MemoryMiB != 2048 || got.State != cloudcore.Running {
		t.Fatalf("after resize: %d CPUs, %d MiB, %s", got.CPUs, got.MemoryMiB, got.State)
	}
	if vm := vmOnHost(t, f, f.hosts[0], inst.ID); vm.CPUs != 4 || vm.MemoryMiB != 2048 || vm.Power != hypervisors.PowerRunning {
		t.Fatalf("VM after resize = %+v", vm)
	}
	assertUsed(t, f, f.hosts[0], 4000, 2048)

	renamed := "web-one"
	ha := true
	got = must(c.Instances.Update(ctx, inst.ID, cloudcore.InstanceUpdate{Name: &renamed, HAEnabled: &ha}))(t)
	if got.Name != renamed || !got.HAEnabled || got.Version <= inst.Version {
		t.Fatalf("after update: %+v", got)
	}

	if err := c.Instances.Destroy(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Instances.Get(ctx, inst.ID); !errors.Is(err, cloudcore.ErrNotFound) {
		t.Fatalf("Get after destroy: %v; want ErrNotFound", err)
	}
	assertUsed(t, f, f.hosts[0], 0, 0)
	if nics := must(c.Networks.Addresses(ctx, f.net.ID))(t); len(nics) != 0 {
		t.Fatalf("addresses left after destroy: %+v", nics)
	}
	assertNoVMs(t, f)

	events := must(c.Events.List(ctx, cloudcore.EventFilter{ObjectID: inst.ID}))(t)
	if len(events) < 10 || events[0].Action != "instance.deploy" || events[len(events)-1].Action != "instance.destroy" {
		t.Fatalf("events of the instance: %d, first %+v", len(events), events[0])
	}
}

func TestStaticAddressesAreHonouredOrRefused(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	s := f.spec("fixed")
	s.Networks[0].IP = "10.1.7.7"
	s.Networks[0].MAC = "02:AA:BB:CC:DD:EE"
	inst := f.deploy(s)
	if inst.NICs[0].IP != netip.MustParseAddr("10.1.7.7") || inst.NICs[0].MAC != "02:aa:bb:cc:dd:ee" {
		t.Fatalf("NIC = %+v; want the requested address and MAC", inst.NICs[0])
	}
	s.Name = "clash"
	_, err := f.c.Instances.Create(f.ctx, s)
	var fe *cloudcore.FieldError
	if !errors.Is(err, cloudcore.ErrConflict) || !errors.As(err, &fe) || fe.Field != "network[0].ip_address" {
		t.Fatalf("second instance asking for a taken IP: %v; want a conflict on network[0].ip_address", err)
	}
	// The allocator goes on after the highest address in use.
	next := f.deploy(f.spec("next"))
	if next.NICs[0].IP != netip.MustParseAddr("10.1.7.8") {
		t.Fatalf("next free address = %s; want 10.1.7.8", next.NICs[0].IP)
	}
}

func TestPlacementHonoursAntiAffinityMaintenanceAndOvercommit(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 3, cpus: 4, memoryMiB: 8192})
	ctx, c := f.ctx, f.c
	group := must(c.AffinityGroups.Create(ctx, cloudcore.AffinityGroupSpec{Name: "spread", Type: cloudcore.AntiAffinity}))(t)
	seen := map[string]bool{}
	for _, name := range []string{"a1", "a2", "a3"} {
		s := f.spec(name)
		s.AffinityGroupIDs = []string{group.ID}
		inst := f.deploy(s)
		if seen[inst.HostID] {
			t.Fatalf("anti-affinity broken: %s shares host %s", name, inst.HostID)
		}
		seen[inst.HostID] = true
	}
	s := f.spec("a4")
	s.AffinityGroupIDs = []string{group.ID}
	if _, err := c.Instances.Create(ctx, s); !errors.Is(err, cloudcore.ErrNoCapacity) {
		t.Fatalf("a fourth member on three hosts: %v; want ErrNoCapacity", err)
	}

	// A host in maintenance takes no new instances.
	yes := true
	must(c.Hosts.Update(ctx, f.hosts[0].ID, cloudcore.HostUpdate{Maintenance: &yes}))(t)
	for _, name := range []string{"m1", "m2", "m3", "m4"} {
		if inst := f.deploy(f.spec(name)); inst.HostID == f.hosts[0].ID {
			t.Fatalf("%s was placed on a host in maintenance", name)
		}
	}
	if h := must(c.Hosts.Get(ctx, f.hosts[0].ID))(t); h.State != cloudcore.HostMaintenance {
		t.Fatalf("host state = %s; want Maintenance", h.State)
	}

	// Over-provisioning: 4 CPUs per host with factor 2 take 8 one-CPU
	// instances each; without it, the ninth on a full cluster is refused.
	two := 2.0
	must(c.Clusters.Update(ctx, f.cluster.ID, cloudcore.ClusterUpdate{CPUOvercommit: &two}))(t)
	capa := must(c.Hosts.Capacity(ctx, f.hosts[1].ID))(t)
	if capa.CPUTotal != 8000 {
		t.Fatalf("CPU total with factor 2 = %d; want 8000", capa.CPUTotal)
	}
}

func TestDeployMovesOnWhenAHostFailsAndLeavesNothingThere(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 3})
	for _, h := range f.hosts[:2] {
		if err := f.control(h).InjectFault(simulator.Fault{Op: simulator.OpStartVM, Nth: 1, Action: simulator.ActionFail}); err != nil {
			t.Fatal(err)
		}
	}
	// Fill host3 a little so that least-consumed placement tries the
	// failing hosts first.
	s := f.spec("filler")
	s.HostID = f.hosts[2].ID
	f.deploy(s)

	inst := f.deploy(f.spec("mover"))
	if inst.HostID != f.hosts[2].ID || inst.State != cloudcore.Running {
		t.Fatalf("instance on %s in %s; want Running on the healthy host %s", inst.HostID, inst.State, f.hosts[2].ID)
	}
	for _, h := range f.hosts[:2] {
		assertUsed(t, f, h, 0, 0)
		if vms := listVMs(t, f, h); len(vms) != 0 {
			t.Fatalf("failed host %s kept VMs: %+v", h.Name, vms)
		}
	}
	retries := must(f.c.Events.List(f.ctx, cloudcore.EventFilter{ObjectID: inst.ID, Action: "instance.deploy"}))(t)
	if len(retries) != 4 {
		t.Fatalf("deploy events = %d; want started, two retries and ok", len(retries))
	}
}

func TestFailedDeployKeepsARecordThatHoldsNothing(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	if err := f.control(f.hosts[0]).InjectFault(simulator.Fault{Op: simulator.OpCreateVM, Nth: 1, Action: simulator.ActionFail}); err != nil {
		t.Fatal(err)
	}
	inst, err := f.c.Instances.Create(f.ctx, f.spec("doomed"))
	if !errors.Is(err, cloudcore.ErrUnreachable) || inst == nil {
		t.Fatalf("Create = %v, %v; want the instance and the driver's error", inst, err)
	}
	if inst.State != cloudcore.Error || inst.HostID != "" || len(inst.NICs) != 0 || inst.LastError == "" {
		t.Fatalf("failed instance = %+v; want Error, unplaced, without NICs, with the reason", inst)
	}
	assertUsed(t, f, f.hosts[0], 0, 0)
	assertNoVMs(t, f)
	if err := f.c.Instances.Destroy(f.ctx, inst.ID); err != nil {
		t.Fatalf("destroying the failed instance: %v", err)
	}
}

// TestFailedDestroyLeavesErrorAndCanBeRetried makes the hypervisor refuse
// to destroy an instance's VM: the instance ends in Error with the reason,
// keeps its capacity, and a second Destroy removes it.
func TestFailedDestroyLeavesErrorAndCanBeRetried(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	inst := f.deploy(f.spec("stubborn"))
	if err := f.control(f.hosts[0]).InjectFault(simulator.Fault{Op: simulator.OpDestroyVM, Nth: 1, Action: simulator.ActionFail,
		Err: cloudcore.ErrConflict}); err != nil {
		t.Fatal(err)
	}
	if err := f.c.Instances.Destroy(f.ctx, inst.ID); !errors.Is(err, cloudcore.ErrConflict) {
		t.Fatalf("Destroy with the VM's destruction refused: %v, want the driver's conflict", err)
	}
	got := f.instance(inst.ID)
	if got.State != cloudcore.Error || !strings.Contains(got.LastError, "destroy failed") {
		t.Fatalf("after the failed Destroy the instance is %s (%q), want Error with the reason", got.State, got.LastError)
	}
	assertUsed(t, f, f.hosts[0], 1000, 512)
	if err := f.c.Instances.Destroy(f.ctx, inst.ID); err != nil {
		t.Fatalf("Destroy again: %v", err)
	}
	assertUsed(t, f, f.hosts[0], 0, 0)
	assertNoVMs(t, f)
}

func TestSnapshotsRevertPowerStateAndKeepChildren(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	ctx, c := f.ctx, f.c
	inst := f.deploy(f.spec("snappy"))

	withMem := must(c.Snapshots.Create(ctx, cloudcore.SnapshotSpec{Name: "live", InstanceID: inst.ID, Memory: true}))(t)
	must(c.Instances.Stop(ctx, inst.ID, false))(t)
	if _, err := c.Snapshots.Create(ctx, cloudcore.SnapshotSpec{Name: "mem-of-stopped", InstanceID: inst.ID, Memory: true}); !errors.Is(err, cloudcore.ErrConflict) {
		t.Fatalf("memory snapshot of a stopped instance: %v; want ErrConflict", err)
	}
	diskOnly := must(c.Snapshots.Create(ctx, cloudcore.SnapshotSpec{Name: "cold", InstanceID: inst.ID}))(t)
	if diskOnly.ParentID != withMem.ID || diskOnly.State != cloudcore.SnapshotReady {
		t.Fatalf("disk snapshot = %+v; want Ready with parent %s", diskOnly, withMem.ID)
	}

	got := must(c.Snapshots.Revert(ctx, withMem.ID))(t)
	if got.State != cloudcore.Running || vmOnHost(t, f, f.hosts[0], inst.ID).Power != hypervisors.PowerRunning {
		t.Fatalf("after reverting to a memory snapshot: %s; want Running", got.State)
	}
	got = must(c.Snapshots.Revert(ctx, diskOnly.ID))(t)
	if got.State != cloudcore.Stopped || vmOnHost(t, f, f.hosts[0], inst.ID).Power != hypervisors.PowerStopped {
		t.Fatalf("after reverting to a disk snapshot: %s; want Stopped", got.State)
	}

	if _, err := c.Snapshots.Rename(ctx, diskOnly.ID, "live"); !errors.Is(err, cloudcore.ErrConflict) {
		t.Fatalf("renaming onto a sibling's name: %v; want ErrConflict", err)
	}
	if got := must(c.Snapshots.Rename(ctx, diskOnly.ID, "cold-1"))(t); got.Name != "cold-1" {
		t.Fatalf("renamed snapshot = %q", got.Name)
	}
	if err := c.Snapshots.Delete(ctx, withMem.ID); err != nil {
		t.Fatal(err)
	}
	left := must(c.Snapshots.List(ctx, inst.ID))(t)
	if len(left) != 1 || left[0].ID != diskOnly.ID || left[0].ParentID != "" {
		t.Fatalf("snapshots after deleting the parent: %+v; want the child, re-parented to the root", left)
	}
	if err := c.Instances.Destroy(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Snapshots.Get(ctx, diskOnly.ID); !errors.Is(err, cloudcore.ErrNotFound) {
		t.Fatalf("snapshot of a destroyed instance: %v; want ErrNotFound", err)
	}
}

func TestRefreshReportsDriftWithoutFixingIt(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	ctx, c := f.ctx, f.c
	off := f.deploy(f.spec("off"))
	gone := f.deploy(f.spec("gone"))
	ctl := f.control(f.hosts[0])
	if err := ctl.StopVMOutOfBand(off.ID); err != nil {
		t.Fatal(err)
	}
	if err := ctl.DeleteVMOutOfBand(gone.ID); err != nil {
		t.Fatal(err)
	}

	got, drift := mustDrift(c.Instances.Refresh(ctx, off.ID))(t)
	if !drift.StoppedOutOfBand || got.State != cloudcore.Stopped {
		t.Fatalf("powered off out of band: drift %+v, state %s; want reported and Stopped", drift, got.State)
	}
	if vm := vmOnHost(t, f, f.hosts[0], off.ID); vm.Power != hypervisors.PowerStopped {
		t.Fatalf("the read started the VM again: %+v", vm)
	}
	got, drift = mustDrift(c.Instances.Refresh(ctx, gone.ID))(t)
	if !drift.Missing || got.State != cloudcore.Error {
		t.Fatalf("deleted out of band: drift %+v, state %s; want Missing and Error", drift, got.State)
	}
	if vms := listVMs(t, f, f.hosts[0]); len(vms) != 1 {
		t.Fatalf("the read re-created the VM: %+v", vms)
	}
	assertUsed(t, f, f.hosts[0], 2000, 1024)
	if err := c.Instances.Destroy(ctx, gone.ID); err != nil {
		t.Fatalf("destroying an instance whose VM is gone: %v", err)
	}
	assertUsed(t, f, f.hosts[0], 1000, 512)
}

func TestHostPasswordsAreEncryptedAtRest(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	h := f.hosts[0]
	if h.SealedPassword == "" || h.SealedPassword == "s3cret-host1" {
		t.Fatalf("sealed password = %q", h.SealedPassword)
	}
	assertFileLacks(t, f.cfg.Database, "s3cret-host1")
	assertFileLacks(t, f.cfg.Database+"-wal", "s3cret-host1")
}

func TestRecoverRemovesOrphanedVMsAndVolumes(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	keep := f.deploy(f.spec("keep"))
	conn := must(f.c.Hosts.Connect(f.ctx, f.hosts[0].ID))(t)
	pool := hypervisors.StoragePoolRef{ID: f.pool.ID, URL: f.pool.URL}
	orphanVol := "5f0c7d3e-9a49-4c39-9f7a-0d6c1f8a0b11"
	must(conn.CreateVolume(f.ctx, hypervisors.VolumeSpec{ID: orphanVol, Pool: pool, SizeBytes: gib}))(t)
	must(conn.CreateVM(f.ctx, hypervisors.VMSpec{ID: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "stray",
		Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 64}, Disks: []hypervisors.Disk{{VolumeID: orphanVol, Pool: pool}}}))(t)

	rep := must(f.c.Recover(f.ctx))(t)
	if rep.OrphansRemoved != 2 {
		t.Fatalf("report %+v; want the stray VM and its volume removed", rep)
	}
	vms := listVMs(t, f, f.hosts[0])
	if len(vms) != 1 || vms[0].ID != keep.ID {
		t.Fatalf("VMs after recovery: %+v; want only %s", vms, keep.ID)
	}
}

func TestL2NetworkGivesMACsButNoAddresses(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	l2 := must(f.c.Networks.Create(f.ctx, cloudcore.NetworkSpec{Name: "storage-l2", ZoneID: f.zone.ID, Type: cloudcore.NetworkL2, VLAN: 300}))(t)
	s := f.spec("dual")
	s.Networks = append(s.Networks, cloudcore.NICRequest{NetworkID: l2.ID})
	inst := f.deploy(s)
	if len(inst.NICs) != 2 || !inst.NICs[0].IP.IsValid() || inst.NICs[1].IP.IsValid() || inst.NICs[1].MAC == "" {
		t.Fatalf("NICs = %+v; want an address on the isolated network and only a MAC on the L2 one", inst.NICs)
	}
	s = f.spec("withip")
	s.Networks = []cloudcore.NICRequest{{NetworkID: l2.ID, IP: "10.0.0.5"}}
	var fe *cloudcore.FieldError
	if _, err := f.c.Instances.Create(f.ctx, s); !errors.As(err, &fe) || fe.Field != "network[0].ip_address" {
		t.Fatalf("an address on an L2 network: %v; want a field error on network[0].ip_address", err)
	}
}
