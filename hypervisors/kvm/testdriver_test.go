package kvm_test

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"
	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
)

// libvirt's test driver (test:///default) keeps its objects in this
// process; every connection to it shares them. It has no volume uploads or
// resizes, so these tests run without config drives.
const testURI = "test:///default"

// testHost connects to the test driver without config drives.
func testHost(t *testing.T) hypervisors.Host {
	t.Helper()
	return connect(t, testURI, url.Values{"config_drive": {"false"}})
}

// testConn opens a libvirt connection to the test driver, to look behind
// the driver's back.
func testConn(t *testing.T) *libvirt.Connect {
	t.Helper()
	requireLibrary(t)
	c, err := libvirt.NewConnect(testURI)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.Close() })
	return c
}

// testFixture is a network and a volume on the test driver for VMs.
type testFixture struct {
	h    hypervisors.Host
	net  hypervisors.NetworkSpec
	pool hypervisors.StoragePoolRef
}

func newTestFixture(t *testing.T) *testFixture {
	t.Helper()
	f := &testFixture{
		h: testHost(t),
		net: hypervisors.NetworkSpec{
			ID: uuid.NewString(), CIDR: netip.MustParsePrefix("198.18.0.0/24"), Gateway: netip.MustParseAddr("198.18.0.1"),
		},
		pool: hypervisors.StoragePoolRef{ID: uuid.NewString(), URL: "file:///cloudcore-test/" + uuid.NewString()},
	}
	mustDo(t, "EnsureNetwork", f.h.EnsureNetwork(t.Context(), f.net))
	t.Cleanup(func() { mustDo(t, "RemoveNetwork", f.h.RemoveNetwork(context.Background(), f.net.ID)) })
	return f
}

// vm describes a VM with a new 1 GiB volume and one NIC with host address
// number host.
func (f *testFixture) vm(t *testing.T, host byte) hypervisors.VMSpec {
	t.Helper()
	vol, err := f.h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: f.pool, SizeBytes: 1 << 30})
	mustDo(t, "CreateVolume", err)
	t.Cleanup(func() { mustDo(t, "DeleteVolume", f.h.DeleteVolume(context.Background(), f.pool, vol.ID)) })
	spec := hypervisors.VMSpec{
		ID:        uuid.NewString(),
		Name:      "web 1",
		Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 128},
		Disks:     []hypervisors.Disk{{VolumeID: vol.ID, Pool: f.pool}},
		NICs: []hypervisors.NIC{{
			NetworkID: f.net.ID, MAC: "02:00:00:00:00:" + hex(host),
			Address: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, 0, host}), 24), Gateway: f.net.Gateway,
		}},
	}
	t.Cleanup(func() { mustDo(t, "DestroyVM", f.h.DestroyVM(context.Background(), spec.ID)) })
	return spec
}

func hex(b byte) string { return string("0123456789abcdef"[b>>4]) + string("0123456789abcdef"[b&15]) }

func mustDo(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// reservations returns the DHCP host entries of network id on the test
// driver.
func reservations(t *testing.T, id string) []libvirtxml.NetworkDHCPHost {
	t.Helper()
	n, err := testConn(t).LookupNetworkByName("cloudcore-net-" + id)
	mustDo(t, "looking up the network", err)
	defer func() { _ = n.Free() }()
	doc, err := n.GetXMLDesc(0)
	mustDo(t, "reading the network", err)
	var def libvirtxml.Network
	mustDo(t, "parsing the network", def.Unmarshal(doc))
	var hosts []libvirtxml.NetworkDHCPHost
	for _, ip := range def.IPs {
		if ip.DHCP != nil {
			hosts = append(hosts, ip.DHCP.Hosts...)
		}
	}
	return hosts
}

func TestTestDriverInfo(t *testing.T) {
	h := testHost(t)
	info, err := h.Info(t.Context())
	mustDo(t, "Info", err)
	if info.Hypervisor != kvm.Name || info.CPUs != 16 || info.MemoryMiB <= 0 || info.Hostname == "" {
		t.Errorf("Info = %+v, want the test driver's node (16 CPUs) as %s", info, kvm.Name)
	}
	mustDo(t, "Ping", h.Ping(t.Context()))
	if h.Capabilities().NICHotplug {
		t.Error("Capabilities().NICHotplug is true on libvirt's test driver, which cannot attach devices")
	}
}

// TestTestDriverReconnect checks that a host whose connection broke opens a
// new one on its next call.
func TestTestDriverReconnect(t *testing.T) {
	h := testHost(t)
	reopened := kvm.MarkBroken(h)
	mustDo(t, "Ping", h.Ping(t.Context()))
	if !reopened() {
		t.Error("Ping did not reopen the broken connection")
	}
	if _, err := h.ListVMs(t.Context()); err != nil {
		t.Errorf("ListVMs on the new connection: %v", err)
	}
}

// TestTestDriverVM takes a VM through its life and checks what the driver
// leaves on the host: the domain's definition, its DHCP reservation, and
// nothing once it is destroyed.
func TestTestDriverVM(t *testing.T) {
	f := newTestFixture(t)
	ctx := t.Context()
	spec := f.vm(t, 10)
	st, err := f.h.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	if st.Power != hypervisors.PowerStopped || st.Resources != spec.Resources {
		t.Errorf("CreateVM = %+v", st)
	}
	_, err = f.h.CreateVM(ctx, spec)
	if !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("second CreateVM: %v, want ErrConflict", err)
	}
	if got := reservations(t, f.net.ID); !slices.ContainsFunc(got, func(h libvirtxml.NetworkDHCPHost) bool {
		return h.MAC == spec.NICs[0].MAC && h.IP == "198.18.0.10"
	}) {
		t.Errorf("network reservations %+v lack %s -> 198.18.0.10", got, spec.NICs[0].MAC)
	}

	dom, err := testConn(t).LookupDomainByUUIDString(spec.ID)
	mustDo(t, "looking up the domain", err)
	defer func() { _ = dom.Free() }()
	doc, err := dom.GetXMLDesc(0)
	mustDo(t, "reading the domain", err)
	var def libvirtxml.Domain
	mustDo(t, "parsing the domain", def.Unmarshal(doc))
	if def.Name != "cloudcore-"+spec.ID || def.Title != spec.Name || def.Type != "test" ||
		len(def.Devices.Disks) != 1 || def.Devices.Disks[0].Target.Bus != "virtio" ||
		len(def.Devices.Interfaces) != 1 || def.Devices.Interfaces[0].MAC.Address != spec.NICs[0].MAC {
		t.Errorf("domain definition:\n%s", doc)
	}

	vms, err := f.h.ListVMs(ctx)
	mustDo(t, "ListVMs", err)
	if len(vms) != 1 || vms[0] != (hypervisors.VMStatus{ID: spec.ID, Name: spec.Name, Power: hypervisors.PowerStopped, Resources: spec.Resources}) {
		t.Errorf("ListVMs = %+v, want only the new VM (not the test driver's own domain)", vms)
	}

	mustDo(t, "StartVM", f.h.StartVM(ctx, spec.ID))
	err = f.h.RemoveNetwork(ctx, f.net.ID)
	if !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("RemoveNetwork of a network in use: %v, want ErrConflict", err)
	}
	err = f.h.ReconfigureVM(ctx, spec.ID, hypervisors.Resources{CPUs: 2, MemoryMiB: 256})
	if !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("ReconfigureVM of a running VM: %v, want ErrConflict", err)
	}
	mustDo(t, "ReconfigureVM to the same size", f.h.ReconfigureVM(ctx, spec.ID, spec.Resources))
	mustDo(t, "StopVM", f.h.StopVM(ctx, spec.ID, true))
	bigger := hypervisors.Resources{CPUs: 2, MemoryMiB: 256}
	mustDo(t, "ReconfigureVM", f.h.ReconfigureVM(ctx, spec.ID, bigger))
	if st, err := f.h.VMStatus(ctx, spec.ID); err != nil || st.Resources != bigger {
		t.Errorf("VMStatus after ReconfigureVM = %+v, %v; want %+v", st, err, bigger)
	}

	mustDo(t, "DestroyVM", f.h.DestroyVM(ctx, spec.ID))
	if _, err := f.h.VMStatus(ctx, spec.ID); !errors.Is(err, hypervisors.ErrNotFound) {
		t.Errorf("VMStatus after DestroyVM: %v, want ErrNotFound", err)
	}
	if got := reservations(t, f.net.ID); slices.ContainsFunc(got, func(h libvirtxml.NetworkDHCPHost) bool { return h.MAC == spec.NICs[0].MAC }) {
		t.Errorf("DestroyVM left the reservation: %+v", got)
	}
}

// TestTestDriverCreateCleanup breaks CreateVM after each step and checks
// that nothing of the VM is left, not even its reservation.
func TestTestDriverCreateCleanup(t *testing.T) {
	f := newTestFixture(t)
	for _, step := range []string{kvm.StepReservations, kvm.StepDefined} {
		t.Run(step, func(t *testing.T) {
			spec := f.vm(t, 20)
			broken := errors.New("broken")
			kvm.SetStepHook(f.h, func(s string) error {
				if s == step {
					return broken
				}
				return nil
			})
			defer kvm.SetStepHook(f.h, nil)
			if _, err := f.h.CreateVM(t.Context(), spec); !errors.Is(err, broken) {
				t.Fatalf("CreateVM: %v, want the hook's error", err)
			}
			if _, err := f.h.VMStatus(t.Context(), spec.ID); !errors.Is(err, hypervisors.ErrNotFound) {
				t.Errorf("VMStatus: %v, want ErrNotFound", err)
			}
			if got := reservations(t, f.net.ID); slices.ContainsFunc(got, func(h libvirtxml.NetworkDHCPHost) bool { return h.MAC == spec.NICs[0].MAC }) {
				t.Errorf("the failed CreateVM left its reservation: %+v", got)
			}
		})
	}
}

// TestTestDriverSnapshots checks the snapshot tree libvirt's test driver
// keeps through the driver: parents, the current snapshot, deletion that
// keeps children.
func TestTestDriverSnapshots(t *testing.T) {
	f := newTestFixture(t)
	ctx := t.Context()
	spec := f.vm(t, 30)
	_, err := f.h.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	snap := func(memory bool) hypervisors.SnapshotInfo {
		t.Helper()
		s := hypervisors.SnapshotSpec{ID: uuid.NewString(), Name: "snap", Memory: memory}
		info, err := f.h.CreateSnapshot(ctx, spec.ID, s)
		mustDo(t, "CreateSnapshot", err)
		return info
	}
	if _, err := f.h.CreateSnapshot(ctx, spec.ID, hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: true}); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("memory snapshot of a stopped VM: %v, want ErrConflict", err)
	}
	s1 := snap(false)
	mustDo(t, "StartVM", f.h.StartVM(ctx, spec.ID))
	s2 := snap(true)
	s3 := snap(false) // of a running VM: reverting to it leaves the VM stopped
	if s1.ParentID != "" || s2.ParentID != s1.ID || s3.ParentID != s2.ID || s1.Power != hypervisors.PowerStopped ||
		s2.Power != hypervisors.PowerRunning || !s2.Memory || s3.Memory || s3.Power != hypervisors.PowerRunning {
		t.Errorf("snapshots:\n%+v\n%+v\n%+v", s1, s2, s3)
	}
	for _, tc := range []struct {
		snap hypervisors.SnapshotInfo
		want hypervisors.PowerState
	}{{s1, hypervisors.PowerStopped}, {s2, hypervisors.PowerRunning}, {s3, hypervisors.PowerStopped}} {
		mustDo(t, "RevertSnapshot", f.h.RevertSnapshot(ctx, spec.ID, tc.snap.ID))
		if st, err := f.h.VMStatus(ctx, spec.ID); err != nil || st.Power != tc.want {
			t.Errorf("after reverting to %+v: %+v, %v; want %s", tc.snap, st, err, tc.want)
		}
	}
	mustDo(t, "DeleteSnapshot", f.h.DeleteSnapshot(ctx, spec.ID, s2.ID))
	list, err := f.h.ListSnapshots(ctx, spec.ID)
	mustDo(t, "ListSnapshots", err)
	if len(list) != 2 || list[0].ID != s1.ID || list[1].ID != s3.ID || list[1].ParentID != s1.ID {
		t.Errorf("ListSnapshots after deleting the middle one = %+v, want s1 and s3 under it", list)
	}
	mustDo(t, "DestroyVM", f.h.DestroyVM(ctx, spec.ID))
	_, err = f.h.CreateVM(ctx, spec)
	mustDo(t, "CreateVM again", err)
	if list, err := f.h.ListSnapshots(ctx, spec.ID); err != nil || len(list) != 0 {
		t.Errorf("a VM re-created after DestroyVM has snapshots %+v, %v", list, err)
	}
}

// TestTestDriverErrors checks the sentinels libvirt's errors map to.
func TestTestDriverErrors(t *testing.T) {
	h := testHost(t)
	ctx := t.Context()
	missing := uuid.NewString()
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"VMStatus of a missing VM", func() error { _, err := h.VMStatus(ctx, missing); return err }(), hypervisors.ErrNotFound},
		{"RevertSnapshot of a missing VM", h.RevertSnapshot(ctx, missing, missing), hypervisors.ErrNotFound},
		{"StartVM with a bad ID", h.StartVM(ctx, "not-a-uuid"), hypervisors.ErrInvalid},
		{"ResizeVolume, which the test driver lacks", func() error {
			pool := hypervisors.StoragePoolRef{ID: uuid.NewString(), URL: "file:///cloudcore-test/" + missing}
			v, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: pool, SizeBytes: 1 << 20})
			if err != nil {
				return err
			}
			return h.ResizeVolume(ctx, pool, v.ID, 2<<20)
		}(), hypervisors.ErrNotSupported},
		{"CreateVolume on a bad pool URL", func() error {
			_, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: missing, Pool: hypervisors.StoragePoolRef{ID: missing, URL: "ftp://x/y"}, SizeBytes: 1})
			return err
		}(), hypervisors.ErrInvalid},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want an error wrapping %v", tc.name, tc.err, tc.want)
		}
	}
	var lv libvirt.Error
	if err := h.StartVM(ctx, missing); !errors.As(err, &lv) || lv.Code != libvirt.ERR_NO_DOMAIN {
		t.Errorf("StartVM of a missing VM: %v, want it to wrap libvirt's error", err)
	}
	mustDo(t, "Close", h.Close())
	if err := h.Ping(ctx); !errors.Is(err, hypervisors.ErrUnreachable) {
		t.Errorf("Ping after Close: %v, want ErrUnreachable", err)
	}
}
