package vmware

import (
	"testing"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// TestAttachNICConfiguration checks what AttachNIC gives vSphere: a
// vmxnet3 NIC with the manual MAC on the network's portgroup, which
// DetachNIC removes again, leaving the VM's other NIC alone.
func TestAttachNICConfiguration(t *testing.T) {
	s := newESX(t)
	h := s.connect(t)
	spec := s.vmSpec(t, h)
	_, err := h.CreateVM(t.Context(), spec)
	must(t, "CreateVM", err)
	must(t, "StartVM", h.StartVM(t.Context(), spec.ID))
	n := hypervisors.NetworkSpec{ID: uuid.NewString(), Name: "second", VLAN: 43}
	must(t, "EnsureNetwork", h.EnsureNetwork(t.Context(), n))

	const mac = "02:00:00:00:00:20"
	must(t, "AttachNIC", h.AttachNIC(t.Context(), spec.ID, hypervisors.NIC{NetworkID: n.ID, VLAN: n.VLAN, MAC: mac}))
	nics := object.VirtualDeviceList(s.adminVM(t, spec.ID).Config.Hardware.Device).SelectByType((*types.VirtualVmxnet3)(nil))
	if len(nics) != 2 {
		t.Fatalf("the VM has %d vmxnet3 NICs after AttachNIC, want 2", len(nics))
	}
	card := nics[1].(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
	if card.AddressType != string(types.VirtualEthernetCardMacTypeManual) || card.MacAddress != mac {
		t.Errorf("the attached NIC has a %s MAC %s, want the manual %s", card.AddressType, card.MacAddress, mac)
	}
	if b, ok := card.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); !ok || b.DeviceName != portgroupName(n.ID) {
		t.Errorf("the attached NIC's backing is %+v, want portgroup %s", card.Backing, portgroupName(n.ID))
	}

	must(t, "DetachNIC", h.DetachNIC(t.Context(), spec.ID, "02:00:00:00:00:20"))
	nics = object.VirtualDeviceList(s.adminVM(t, spec.ID).Config.Hardware.Device).SelectByType((*types.VirtualVmxnet3)(nil))
	if len(nics) != 1 || nics[0].(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().MacAddress != spec.NICs[0].MAC {
		t.Errorf("after DetachNIC the VM has NICs %v, want only the one it was created with (%s)", nics, spec.NICs[0].MAC)
	}
	expectErr(t, "AttachNIC with a malformed MAC", h.AttachNIC(t.Context(), spec.ID, hypervisors.NIC{NetworkID: n.ID, MAC: "not-a-mac"}), hypervisors.ErrInvalid)
}
