package vmware

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// adminVM reads VM id as vSphere has it.
func (s *sim) adminVM(t *testing.T, id string) mo.VirtualMachine {
	t.Helper()
	ctx := context.Background()
	vm, err := s.finder(t).VirtualMachine(ctx, vmName(id))
	must(t, "finding the VM", err)
	var o mo.VirtualMachine
	must(t, "reading the VM", vm.Properties(ctx, vm.Reference(), []string{"config", "network"}, &o))
	return o
}

// extraConfig returns a VM's ExtraConfig as a map.
func extraConfig(o mo.VirtualMachine) map[string]string {
	m := map[string]string{}
	for _, opt := range o.Config.ExtraConfig {
		v := opt.GetOptionValue()
		m[v.Key], _ = v.Value.(string)
	}
	return m
}

// TestVMConfiguration checks what CreateVM gives vSphere: the name and
// ExtraConfig carrying the cloudcore UUID, CPU and memory, the volume,
// vmxnet3 NICs with cloudcore's MACs, and cloud-init's guestinfo.
func TestVMConfiguration(t *testing.T) {
	s := newESX(t)
	h := s.connect(t)
	spec := s.vmSpec(t, h)
	spec.NICs[0].Address = netip.MustParsePrefix("198.18.0.10/24")
	spec.NICs[0].Gateway = netip.MustParseAddr("198.18.0.1")
	spec.NICs[0].DNS = []netip.Addr{netip.MustParseAddr("198.18.0.2")}
	spec.UserData = "#cloud-config\npackages: [nginx]\n"
	spec.SSHKeys = []string{"ssh-ed25519 AAAAC3Nza test@example"}
	_, err := h.CreateVM(t.Context(), spec)
	must(t, "CreateVM", err)

	o := s.adminVM(t, spec.ID)
	extra := extraConfig(o)
	if extra[keyID] != spec.ID || extra[keyName] != spec.Name {
		t.Errorf("ExtraConfig %s=%q %s=%q, want the VM's ID and name", keyID, extra[keyID], keyName, extra[keyName])
	}
	if o.Config.Hardware.NumCPU != 1 || o.Config.Hardware.MemoryMB != 256 {
		t.Errorf("the VM has %d CPUs and %d MiB, want 1 and 256", o.Config.Hardware.NumCPU, o.Config.Hardware.MemoryMB)
	}
	devices := object.VirtualDeviceList(o.Config.Hardware.Device)
	if _, file := firstDisk(devices); file != volumePath(simDatastore, spec.Disks[0].VolumeID) {
		t.Errorf("the VM's disk is %q, want the volume", file)
	}
	nics := devices.SelectByType((*types.VirtualVmxnet3)(nil))
	if len(nics) != 1 {
		t.Fatalf("the VM has %d vmxnet3 NICs, want 1", len(nics))
	}
	card := nics[0].(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
	if card.AddressType != string(types.VirtualEthernetCardMacTypeManual) || card.MacAddress != spec.NICs[0].MAC {
		t.Errorf("the NIC has a %s MAC %s, want the manual %s", card.AddressType, card.MacAddress, spec.NICs[0].MAC)
	}
	if b, ok := card.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); !ok || b.DeviceName != portgroupName(spec.NICs[0].NetworkID) {
		t.Errorf("the NIC's backing is %+v, want portgroup %s", card.Backing, portgroupName(spec.NICs[0].NetworkID))
	}

	decode := func(key string) []byte {
		if extra[key+".encoding"] != "base64" {
			t.Errorf("%s.encoding = %q, want base64", key, extra[key+".encoding"])
		}
		b, err := base64.StdEncoding.DecodeString(extra[key])
		must(t, "decoding "+key, err)
		return b
	}
	if got := string(decode(guestinfoUserdata)); got != spec.UserData {
		t.Errorf("guestinfo.userdata = %q, want %q", got, spec.UserData)
	}
	var md metadata
	must(t, "parsing guestinfo.metadata", json.Unmarshal(decode(guestinfoMetadata), &md))
	want := metadata{
		InstanceID:    spec.ID,
		LocalHostname: spec.Name,
		PublicKeys:    spec.SSHKeys,
		Network: networkConfig{Version: 2, Ethernets: map[string]ethernet{"eth0": {
			Match:       macMatch{MACAddress: spec.NICs[0].MAC},
			SetName:     "eth0",
			Addresses:   []string{"198.18.0.10/24"},
			Routes:      []route{{To: "0.0.0.0/0", Via: "198.18.0.1"}},
			Nameservers: &nameservers{Addresses: []string{"198.18.0.2"}},
		}}},
	}
	gotJSON, _ := json.Marshal(md)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("guestinfo.metadata =\n%s\nwant\n%s", gotJSON, wantJSON)
	}
}

// TestListVMsOnlyCloudcores checks that ListVMs leaves out the VMs on the
// host that cloudcore did not make, among them one whose name looks like
// cloudcore's but lacks its ExtraConfig.
func TestListVMsOnlyCloudcores(t *testing.T) {
	s := newESX(t)
	h := s.connect(t)
	ctx := t.Context()
	impostor := uuid.NewString()
	finder := s.finder(t)
	template, err := finder.VirtualMachine(ctx, templateVMName)
	must(t, "finding the template VM", err)
	dc, err := finder.DefaultDatacenter(ctx)
	must(t, "Datacenter", err)
	folders, err := dc.Folders(ctx)
	must(t, "Folders", err)
	hs, err := finder.DefaultHostSystem(ctx)
	must(t, "HostSystem", err)
	pool, err := hs.ResourcePool(ctx)
	must(t, "ResourcePool", err)
	task, err := folders.VmFolder.CreateVM(ctx, types.VirtualMachineConfigSpec{
		Name: vmName(impostor), GuestId: guestID, Files: &types.VirtualMachineFileInfo{VmPathName: "[" + simDatastore + "]"},
	}, pool, hs)
	must(t, "CreateVM", err)
	must(t, "CreateVM", task.Wait(ctx))

	spec := s.vmSpec(t, h)
	_, err = h.CreateVM(ctx, spec)
	must(t, "CreateVM", err)
	vms, err := h.ListVMs(ctx)
	must(t, "ListVMs", err)
	if len(vms) != 1 || vms[0].ID != spec.ID {
		t.Errorf("ListVMs = %+v, want only VM %s (the host also has %s and the simulator's own VMs)", vms, spec.ID, template.Name())
	}
	_, err = h.VMStatus(ctx, impostor)
	expectErr(t, "VMStatus of a VM not cloudcore's", err, hypervisors.ErrNotFound)
}

// TestNetworks checks the portgroups EnsureNetwork makes: standard ones
// with the VLAN on the vSwitch of a standalone ESXi, distributed ones on a
// vCenter's distributed switch.
func TestNetworks(t *testing.T) {
	for _, tc := range []struct {
		name        string
		start       func(testing.TB) *sim
		distributed bool
	}{
		{"ESX", newESX, false},
		{"VPX", newVPX, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			h := s.connect(t)
			ctx := t.Context()
			n := hypervisors.NetworkSpec{ID: uuid.NewString(), Name: "guests", VLAN: 42}
			must(t, "EnsureNetwork", h.EnsureNetwork(ctx, n))
			net, err := s.finder(t).Network(ctx, portgroupName(n.ID))
			must(t, "finding the portgroup", err)
			if isDVPG := net.Reference().Type == "DistributedVirtualPortgroup"; isDVPG != tc.distributed {
				t.Errorf("the portgroup is a %s, want distributed: %v", net.Reference().Type, tc.distributed)
			}
			pg, err := h.findPortgroup(ctx, n.ID)
			must(t, "findPortgroup", err)
			if pg == nil || pg.vlan != n.VLAN {
				t.Errorf("the portgroup is %+v, want VLAN %d", pg, n.VLAN)
			}
			other := n
			other.VLAN = 43
			expectErr(t, "EnsureNetwork with another VLAN", h.EnsureNetwork(ctx, other), hypervisors.ErrConflict)
			expectErr(t, "EnsureNetwork with VLAN 4095", h.EnsureNetwork(ctx, hypervisors.NetworkSpec{ID: uuid.NewString(), VLAN: 4095}), hypervisors.ErrInvalid)
			must(t, "RemoveNetwork", h.RemoveNetwork(ctx, n.ID))
			if pg, err := h.findPortgroup(ctx, n.ID); err != nil || pg != nil {
				t.Errorf("after RemoveNetwork the portgroup is %+v (%v), want none", pg, err)
			}
		})
	}
	t.Run("missing vSwitch", func(t *testing.T) {
		s := newESX(t)
		h, err := s.dial(t.Context(), s.url("insecure=true&vswitch=vSwitch9"))
		must(t, "Connect", err)
		defer h.Close()
		err = h.EnsureNetwork(t.Context(), hypervisors.NetworkSpec{ID: uuid.NewString()})
		expectErr(t, "EnsureNetwork on a missing vSwitch", err, hypervisors.ErrNotFound)
	})
}

// TestDestroyVMKeepsVolumes destroys a VM with a snapshot and checks that
// its volume is left, with nothing else of the VM.
func TestDestroyVMKeepsVolumes(t *testing.T) {
	s := newVPX(t)
	h := s.connect(t)
	ctx := t.Context()
	spec := s.vmSpec(t, h)
	_, err := h.CreateVM(ctx, spec)
	must(t, "CreateVM", err)
	must(t, "StartVM", h.StartVM(ctx, spec.ID))
	_, err = h.CreateSnapshot(ctx, spec.ID, hypervisors.SnapshotSpec{ID: uuid.NewString(), Memory: true})
	must(t, "CreateSnapshot", err)
	must(t, "DestroyVM", h.DestroyVM(ctx, spec.ID))
	if s.vmExists(t, vmName(spec.ID)) || s.exists(t, "["+simDatastore+"] "+vmName(spec.ID)) {
		t.Errorf("VM %s or its folder is left after DestroyVM", vmName(spec.ID))
	}
	if !s.exists(t, volumePath(simDatastore, spec.Disks[0].VolumeID)) {
		t.Errorf("DestroyVM deleted the VM's volume")
	}
}

// TestGracefulStop checks that a graceful StopVM asks a guest that runs
// VMware Tools to shut down instead of powering the VM off.
func TestGracefulStop(t *testing.T) {
	s := newESX(t)
	h := s.connect(t)
	ctx := t.Context()
	spec := s.vmSpec(t, h)
	_, err := h.CreateVM(ctx, spec)
	must(t, "CreateVM", err)
	must(t, "StartVM", h.StartVM(ctx, spec.ID))
	found, err := s.finder(t).VirtualMachine(ctx, vmName(spec.ID))
	must(t, "finding the VM", err)
	vm := s.model.Map().Get(found.Reference()).(*simulator.VirtualMachine)
	s.model.Map().WithLock(s.model.Service.Context, vm, func() {
		vm.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
	})
	s.model.Service.AddFaultRule(&simulator.FaultInjectionRule{
		MethodName: "PowerOffVM_Task", ObjectType: "*", ObjectName: "*", Probability: 1, Enabled: true,
		FaultType: simulator.FaultTypeGeneric, Message: injectedFailure,
	})
	must(t, "StopVM", h.StopVM(ctx, spec.ID, false))
	st, err := h.VMStatus(ctx, spec.ID)
	must(t, "VMStatus", err)
	if st.Power != hypervisors.PowerStopped || s.injected() != 0 {
		t.Errorf("after a graceful StopVM the VM is %s and PowerOffVM_Task was called %d times, want it stopped by its guest", st.Power, s.injected())
	}
}
