package xenserver_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xapitest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// fixture is a network and a boot volume for VMs of p.
type fixture struct {
	p   *pool
	net hypervisors.NetworkSpec
	vol hypervisors.VolumeInfo
}

func newFixture(t *testing.T, p *pool) fixture {
	t.Helper()
	ctx := t.Context()
	f := fixture{p: p, net: hypervisors.NetworkSpec{ID: uuid.NewString(), CIDR: netip.MustParsePrefix("10.1.0.0/24")}}
	mustDo(t, "EnsureNetwork", p.host.EnsureNetwork(ctx, f.net))
	var err error
	f.vol, err = p.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: p.sr, Template: &p.template})
	mustDo(t, "CreateVolume", err)
	return f
}

// spec describes a VM booting from the fixture's volume with one NIC.
func (f fixture) spec() hypervisors.VMSpec {
	return hypervisors.VMSpec{ID: uuid.NewString(), Name: "web 1", Resources: hypervisors.Resources{CPUs: 2, MemoryMiB: 512},
		Disks:    []hypervisors.Disk{{VolumeID: f.vol.ID, Pool: f.p.sr}},
		NICs:     []hypervisors.NIC{{NetworkID: f.net.ID, MAC: "02:00:00:00:01:0a", Address: netip.MustParsePrefix("10.1.0.10/24")}},
		UserData: "#cloud-config\n"}
}

// TestCreateVMFailuresLeaveNothing fails, in turn, each XenAPI call
// CreateVM makes after its lookups (the config drive's upload is not a
// XenAPI call): every failure leaves the pool as it was (no VM, template, VDI,
// VBD, VIF or task), and a retry then succeeds.
func TestCreateVMFailuresLeaveNothing(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	f := newFixture(t, p)
	for _, method := range []string{
		"VM.clone", "VM.remove_from_other_config", "VM.provision", "VM.set_is_a_template", "VM.set_name_description",
		"VM.add_to_other_config", "VM.set_affinity", "VM.set_memory_limits", "VM.set_VCPUs_max", "VM.set_VCPUs_at_startup",
		"VBD.create", "VDI.create", "VIF.create",
	} {
		t.Run(method, func(t *testing.T) {
			before := p.srv.Counts()
			p.srv.FailNext(method, "INTERNAL_ERROR", "injected")
			spec := f.spec()
			_, err := p.host.CreateVM(t.Context(), spec)
			var api *xenapi.Error
			if !errors.As(err, &api) || api.Code != "INTERNAL_ERROR" || !strings.Contains(err.Error(), method) {
				t.Fatalf("CreateVM with %s failing: %v, want the XenAPI error of %s", method, err, method)
			}
			if after := p.srv.Counts(); after != before {
				t.Errorf("after the failed CreateVM the pool holds %+v, want %+v", after, before)
			}
			_, err = p.host.CreateVM(t.Context(), spec)
			mustDo(t, "CreateVM again", err)
			mustDo(t, "DestroyVM", p.host.DestroyVM(t.Context(), spec.ID))
			if after := p.srv.Counts(); after != before {
				t.Errorf("after DestroyVM the pool holds %+v, want %+v", after, before)
			}
		})
	}
}

// TestSessionExpiresMidOperation expires every session while CreateVM's
// clone task runs: the driver logs in again and the VM is made.
func TestSessionExpiresMidOperation(t *testing.T) {
	p := newPool(t, xapitest.Options{Delays: map[string]time.Duration{"VM.clone": 300 * time.Millisecond}})
	f := newFixture(t, p)
	spec := f.spec()
	done := make(chan error, 1)
	go func() { _, err := p.host.CreateVM(context.Background(), spec); done <- err }()
	time.Sleep(100 * time.Millisecond)
	p.srv.ExpireSessions()
	mustDo(t, "CreateVM across the expiry", <-done)
	mustDo(t, "StartVM", p.host.StartVM(t.Context(), spec.ID))
	if power, _ := p.srv.VMPowerState(vmUUID(t, p, spec.ID)); power != "Running" {
		t.Errorf("the pool reports the VM %q, want Running", power)
	}
}

// TestCancelledCopyLeavesNothing cancels CreateVolume while its VDI.copy
// task runs: the task is cancelled and destroyed, and no VDI is left.
func TestCancelledCopyLeavesNothing(t *testing.T) {
	p := newPool(t, xapitest.Options{Delays: map[string]time.Duration{"VDI.copy": 5 * time.Second}})
	before := p.srv.Counts()
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err := p.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: p.sr, Template: &p.template})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("CreateVolume cancelled during the copy: %v, want the context's error", err)
	}
	if after := p.srv.Counts(); after != before {
		t.Errorf("after the cancelled copy the pool holds %+v, want %+v", after, before)
	}
}

// TestRevertKeepsVolumes reverts a VM to a checkpoint: XenAPI replaces its
// disk by a copy, which keeps the volume's ID, and the VM runs again. The
// VM's destruction and the volume's deletion leave no disk behind.
func TestRevertKeepsVolumes(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	before := p.srv.Counts()
	f := newFixture(t, p)
	ctx := t.Context()
	spec := f.spec()
	_, err := p.host.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	mustDo(t, "StartVM", p.host.StartVM(ctx, spec.ID))
	snap, err := p.host.CreateSnapshot(ctx, spec.ID, hypervisors.SnapshotSpec{ID: uuid.NewString(), Name: "before", Memory: true})
	mustDo(t, "CreateSnapshot", err)
	mustDo(t, "StopVM", p.host.StopVM(ctx, spec.ID, true))
	mustDo(t, "RevertSnapshot", p.host.RevertSnapshot(ctx, spec.ID, snap.ID))
	if st, err := p.host.VMStatus(ctx, spec.ID); err != nil || st.Power != hypervisors.PowerRunning {
		t.Errorf("after reverting to a checkpoint: %+v, %v; want it running", st, err)
	}
	vols, err := p.host.ListVolumes(ctx, p.sr)
	mustDo(t, "ListVolumes", err)
	if len(vols) != 1 || vols[0].ID != f.vol.ID {
		t.Errorf("after the revert ListVolumes = %+v, want volume %s alone", vols, f.vol.ID)
	}
	mustDo(t, "DestroyVM", p.host.DestroyVM(ctx, spec.ID))
	mustDo(t, "DeleteVolume", p.host.DeleteVolume(ctx, p.sr, f.vol.ID))
	mustDo(t, "RemoveNetwork", p.host.RemoveNetwork(ctx, f.net.ID))
	if after := p.srv.Counts(); after != before {
		t.Errorf("after removing everything the pool holds %+v, want %+v", after, before)
	}
}

// TestConfigDrive checks that the VM's config drive holds its NoCloud
// seed: its instance ID and user data.
func TestConfigDrive(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	f := newFixture(t, p)
	spec := f.spec()
	_, err := p.host.CreateVM(t.Context(), spec)
	mustDo(t, "CreateVM", err)
	refs, err := p.api.VDI.GetByNameLabel(t.Context(), "cloudcore-cidata-"+spec.ID)
	if err != nil || len(refs) != 1 {
		t.Fatalf("config drive VDIs: %v, %v; want one", refs, err)
	}
	rec, err := p.api.VDI.GetRecord(t.Context(), refs[0])
	mustDo(t, "VDI.get_record", err)
	img, err := p.srv.VDIContent(rec.UUID)
	mustDo(t, "VDIContent", err)
	for _, want := range []string{`"instance-id":"` + spec.ID + `"`, spec.UserData, "cidata"} {
		if !strings.Contains(string(img), want) {
			t.Errorf("the config drive does not hold %q", want)
		}
	}
}

// TestVLANNetworks ensures a VLAN network on both members: each gets a
// VLAN interface; a second network on the same VLAN is refused. With a VM
// of host2 on it, removing it from host1 takes only host1's VLAN, and
// host2 refuses until the VM is gone; then the network goes too.
func TestVLANNetworks(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	other := p.connect(t, "host2")
	ctx := t.Context()
	before := p.srv.Counts()
	n := hypervisors.NetworkSpec{ID: uuid.NewString(), VLAN: 120}
	for _, h := range []hypervisors.Host{p.host, other, p.host} {
		mustDo(t, "EnsureNetwork", h.EnsureNetwork(ctx, n))
	}
	if c := p.srv.Counts(); c.Networks != before.Networks+1 || c.VLANs != before.VLANs+2 || c.PIFs != before.PIFs+2 {
		t.Errorf("after EnsureNetwork on both members the pool holds %+v, want 1 network, 2 VLANs and 2 PIFs more than %+v", c, before)
	}
	clash := hypervisors.NetworkSpec{ID: uuid.NewString(), VLAN: 120}
	if err := p.host.EnsureNetwork(ctx, clash); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("EnsureNetwork of a second network on VLAN 120: %v, want ErrConflict", err)
	}
	mustDo(t, "RemoveNetwork of the clash", p.host.RemoveNetwork(ctx, clash.ID))
	vol, err := other.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: p.sr, Template: &p.template})
	mustDo(t, "CreateVolume", err)
	vm := hypervisors.VMSpec{ID: uuid.NewString(), Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
		Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: p.sr}}, NICs: []hypervisors.NIC{{NetworkID: n.ID, MAC: "02:00:00:00:01:20"}}}
	_, err = other.CreateVM(ctx, vm)
	mustDo(t, "CreateVM on host2", err)
	mustDo(t, "RemoveNetwork on host1", p.host.RemoveNetwork(ctx, n.ID))
	if c := p.srv.Counts(); c.Networks != before.Networks+1 || c.VLANs != before.VLANs+1 {
		t.Errorf("after RemoveNetwork on host1 the pool holds %+v, want the network and host2's VLAN", c)
	}
	if err := other.RemoveNetwork(ctx, n.ID); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("RemoveNetwork on host2 while its VM is on it: %v, want ErrConflict", err)
	}
	mustDo(t, "DestroyVM", other.DestroyVM(ctx, vm.ID))
	mustDo(t, "DeleteVolume", other.DeleteVolume(ctx, p.sr, vol.ID))
	mustDo(t, "RemoveNetwork on host2", other.RemoveNetwork(ctx, n.ID))
	if c := p.srv.Counts(); c != before {
		t.Errorf("after RemoveNetwork on both members the pool holds %+v, want %+v", c, before)
	}
}

// TestHostDown checks that Ping fails with ErrUnreachable for a member the
// pool reports not live.
func TestHostDown(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	other := p.connect(t, "host2")
	mustDo(t, "Ping", other.Ping(t.Context()))
	p.srv.SetHostDown("host2", true)
	if err := other.Ping(t.Context()); !errors.Is(err, hypervisors.ErrUnreachable) {
		t.Errorf("Ping of a member that is down: %v, want ErrUnreachable", err)
	}
}

// vmUUID returns the XenAPI UUID of cloudcore VM id.
func vmUUID(t *testing.T, p *pool, id string) string {
	t.Helper()
	u, ok := p.srv.VMUUID("cloudcore-" + id)
	if !ok {
		t.Fatalf("the pool has no VM cloudcore-%s", id)
	}
	return u
}

// TestDestroyAfterOutOfBandDestroy destroys a VM with a checkpoint through
// XenAPI, which keeps the snapshot, its disks and the config drive: the
// driver's DestroyVM then removes what the VM left.
func TestDestroyAfterOutOfBandDestroy(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	f := newFixture(t, p)
	ctx := t.Context()
	before := p.srv.Counts()
	spec := f.spec()
	_, err := p.host.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	mustDo(t, "StartVM", p.host.StartVM(ctx, spec.ID))
	_, err = p.host.CreateSnapshot(ctx, spec.ID, hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: true})
	mustDo(t, "CreateSnapshot", err)
	refs, err := p.api.VM.GetByNameLabel(ctx, "cloudcore-"+spec.ID)
	mustDo(t, "VM.get_by_name_label", err)
	mustDo(t, "VM.hard_shutdown", p.api.VM.HardShutdown(ctx, refs[0]))
	mustDo(t, "VM.destroy", p.api.VM.Destroy(ctx, refs[0]))
	mustDo(t, "DestroyVM", p.host.DestroyVM(ctx, spec.ID))
	if after := p.srv.Counts(); after != before {
		t.Errorf("after DestroyVM the pool holds %+v, want %+v", after, before)
	}
}

// TestConnectThroughAMember connects to a pool member that is not the
// master, by its address alone: its login answers HOST_IS_SLAVE, the
// driver moves to the master (on the port the URL gave, with the
// certificate still verified), and the host is the member the URL named.
func TestConnectThroughAMember(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	member, err := url.Parse(p.srv.SlaveURL)
	mustDo(t, "parsing the member's URL", err)
	if member.Hostname() == "127.0.0.1" {
		t.Fatalf("the member listens at %s, not at an address of its own", member)
	}
	d, err := hypervisors.Lookup(xenserver.Name)
	mustDo(t, "Lookup", err)
	h, err := d.Connect(t.Context(), hypervisors.HostConfig{URL: p.srv.SlaveURL + "?" + url.Values{"ca_file": {p.caFile}}.Encode(),
		Username: "root", Password: "password"})
	mustDo(t, "Connect through the member", err)
	t.Cleanup(func() { mustDo(t, "Close", h.Close()) })
	info, err := h.Info(t.Context())
	mustDo(t, "Info", err)
	if info.Hostname != "host2" {
		t.Errorf("connected through host2's address, Info = %+v, want host2", info)
	}
}

// TestConnectRefusals: wrong credentials fail with ErrInvalid naming them,
// a member that is not in the pool with ErrInvalid listing the members,
// and a server that does not answer with ErrUnreachable.
func TestConnectRefusals(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	d, err := hypervisors.Lookup(xenserver.Name)
	mustDo(t, "Lookup", err)
	for _, tc := range []struct {
		name, url, password, says string
		want                      error
	}{
		{"wrong password", p.url + "&host=host1", "wrong", "refused the username and password", hypervisors.ErrInvalid},
		{"unknown member", p.url + "&host=host9", "password", "members: host1, host2", hypervisors.ErrInvalid},
		{"no server", "http://127.0.0.1:1", "password", "127.0.0.1:1", hypervisors.ErrUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Connect(t.Context(), hypervisors.HostConfig{URL: tc.url, Username: "root", Password: tc.password})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Connect: %v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
}

// TestTemplateFromURL makes volumes from a raw image at an http URL: the
// first imports it into the SR once, under the template's name, and both
// volumes hold its bytes. An import another process began recently is
// left alone (ErrConflict); one cut short long ago is replaced.
func TestTemplateFromURL(t *testing.T) {
	p := newPool(t, xapitest.Options{})
	ctx := t.Context()
	image := append([]byte("raw image "), make([]byte, 1<<20)...)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(image) }))
	t.Cleanup(web.Close)
	tpl := hypervisors.TemplateRef{ID: uuid.NewString(), URL: web.URL + "/tiny.img", Format: "raw"}
	sr := must(p.api.SR.GetAllRecords(ctx))(t)
	var srRef xenapi.SRRef
	for ref := range sr {
		srRef = ref
	}

	// A fresh import of another process: refused, and left in place.
	_, err := p.api.VDI.Create(ctx, xenapi.VDISpec{NameLabel: "cloudcore-tpl-" + tpl.ID + " (importing)", SR: srRef, VirtualSize: 1 << 20,
		Type: xenapi.VDITypeUser, OtherConfig: map[string]string{"cloudcore.created": time.Now().UTC().Format(time.RFC3339Nano)}})
	mustDo(t, "VDI.create", err)
	if _, err := p.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: p.sr, Template: &tpl}); !errors.Is(err, hypervisors.ErrConflict) {
		t.Fatalf("CreateVolume while another import runs: %v, want ErrConflict", err)
	}
	// One cut short long ago: replaced by this import.
	other := tpl
	other.ID = uuid.NewString()
	_, err = p.srv.AddVDI("cloudcore-tpl-"+other.ID+" (importing)", 1<<20, nil)
	mustDo(t, "AddVDI", err)
	before := p.srv.Counts()
	for range 2 {
		vol, err := p.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: p.sr, Template: &other})
		mustDo(t, "CreateVolume", err)
		refs := must(p.api.VDI.GetByNameLabel(ctx, "cloudcore-vol-"+vol.ID))(t)
		rec := must(p.api.VDI.GetRecord(ctx, refs[0]))(t)
		if data, err := p.srv.VDIContent(rec.UUID); err != nil || string(data[:len(image)]) != string(image) {
			t.Errorf("volume %s does not hold the image: %v", vol.ID, err)
		}
	}
	if n := len(must(p.api.VDI.GetByNameLabel(ctx, "cloudcore-tpl-"+other.ID))(t)); n != 1 {
		t.Errorf("%d template VDIs, want the one import", n)
	}
	if got := p.srv.Counts().VDIs; got != before.VDIs+2 {
		t.Errorf("the pool holds %d VDIs, want %d: the two volumes and the template instead of the import cut short", got, before.VDIs+2)
	}
}

func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		mustDo(t, "call", err)
		return v
	}
}
