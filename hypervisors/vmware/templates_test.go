package vmware

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// TestVolumeFromVMTemplate checks the two ways a volume is made from a VM
// template. A standalone ESXi copies the template's disk: there a clone
// fails (as CloneVM_Task does on a real ESXi, which the simulator would
// otherwise run) and the driver refuses to clone by itself. A vCenter
// clones: there a disk copy fails, and the volume is made all the same.
func TestVolumeFromVMTemplate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		start  func(testing.TB) *sim
		refuse string // the method made to fail: the path not taken
	}{
		{"ESX copies", newESX, "CloneVM_Task"},
		{"VPX clones", newVPX, "CopyVirtualDisk_Task"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			h := s.connect(t)
			s.model.Service.AddFaultRule(&simulator.FaultInjectionRule{
				MethodName: tc.refuse, ObjectType: "*", ObjectName: "*", Probability: 1, Enabled: true,
				FaultType: simulator.FaultTypeCustom, Fault: &types.NotSupported{},
			})
			v := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool(), SizeBytes: 2 * templateCapacity,
				Template: &hypervisors.TemplateRef{ID: "tiny", URL: vmTemplatePrefix + templateVMName}}
			vol, err := h.CreateVolume(t.Context(), v)
			must(t, "CreateVolume", err)
			if s.injected() != 0 {
				t.Errorf("the driver called %s, the path it must not take here", tc.refuse)
			}
			vols, err := h.ListVolumes(t.Context(), s.pool())
			must(t, "ListVolumes", err)
			if len(vols) != 1 || vols[0] != vol || vol.SizeBytes != v.SizeBytes {
				t.Errorf("ListVolumes = %+v after CreateVolume = %+v, want that volume of %d bytes alone", vols, vol, v.SizeBytes)
			}
			if clone := cloneNamePrefix + v.ID; s.vmExists(t, clone) || s.exists(t, "["+simDatastore+"] "+clone) {
				t.Errorf("the clone %s or its folder is left", clone)
			}
		})
	}
	t.Run("ESX refuses to clone", func(t *testing.T) {
		s := newESX(t)
		h := s.connect(t)
		ref, err := h.findVMByPathOrName(t.Context(), templateVMName)
		must(t, "finding the template", err)
		ds, err := h.datastore(t.Context(), s.pool())
		must(t, "datastore", err)
		id := uuid.NewString()
		err = (&txn{h: h}).cloneDisk(t.Context(), ds, ref, id, volumePath(ds.name, id))
		if !errors.Is(err, hypervisors.ErrNotSupported) {
			t.Errorf("cloneDisk on a standalone ESXi = %v, want ErrNotSupported", err)
		}
	})
}

// TestTemplateRefs checks the template URLs the driver refuses.
func TestTemplateRefs(t *testing.T) {
	s := newESX(t)
	h := s.connect(t)
	for _, tc := range []struct {
		name string
		ref  hypervisors.TemplateRef
		want error
	}{
		{"qcow2 disk", hypervisors.TemplateRef{ID: "t", URL: templateDisk, Format: "qcow2"}, hypervisors.ErrInvalid},
		{"not a vmdk", hypervisors.TemplateRef{ID: "t", URL: "[" + simDatastore + "] templates/tiny.iso"}, hypervisors.ErrInvalid},
		{"file URL", hypervisors.TemplateRef{ID: "t", URL: "file:///images/tiny.vmdk"}, hypervisors.ErrInvalid},
		{"missing disk", hypervisors.TemplateRef{ID: "t", URL: "[" + simDatastore + "] templates/none.vmdk"}, hypervisors.ErrNotFound},
		{"missing VM", hypervisors.TemplateRef{ID: "t", URL: vmTemplatePrefix + "none"}, hypervisors.ErrNotFound},
		{"missing VM path", hypervisors.TemplateRef{ID: "t", URL: vmTemplatePrefix + "/ha-datacenter/vm/none"}, hypervisors.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool(), Template: &tc.ref})
			expectErr(t, "CreateVolume", err, tc.want)
		})
	}
	t.Run("disk by datastore URL", func(t *testing.T) {
		ref := hypervisors.TemplateRef{ID: "t", URL: datastoreScheme + simDatastore + "/templates/tiny.vmdk", Format: "vmdk"}
		vol, err := h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool(), Template: &ref})
		must(t, "CreateVolume", err)
		if vol.SizeBytes != templateCapacity {
			t.Errorf("CreateVolume = %+v, want the template's %d bytes", vol, templateCapacity)
		}
	})
	t.Run("VM by inventory path", func(t *testing.T) {
		ref := hypervisors.TemplateRef{ID: "t", URL: vmTemplatePrefix + "/ha-datacenter/vm/" + templateVMName}
		vol, err := h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool(), Template: &ref})
		must(t, "CreateVolume", err)
		if vol.SizeBytes != templateCapacity {
			t.Errorf("CreateVolume = %+v, want the template's %d bytes", vol, templateCapacity)
		}
	})
	t.Run("storage pools", func(t *testing.T) {
		for _, pool := range []hypervisors.StoragePoolRef{
			{ID: "p", URL: ""}, {ID: "p", URL: "nfs://srv/export"}, {ID: "p", URL: "[" + simDatastore + "]"},
		} {
			_, err := h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: pool, SizeBytes: 1 << 20})
			expectErr(t, "CreateVolume on pool "+pool.URL, err, hypervisors.ErrInvalid)
		}
		_, err := h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: hypervisors.StoragePoolRef{ID: "p", URL: "elsewhere"}, SizeBytes: 1 << 20})
		expectErr(t, "CreateVolume on a datastore the host lacks", err, hypervisors.ErrNotFound)
		vol, err := h.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: hypervisors.StoragePoolRef{ID: "p", URL: simDatastore}, SizeBytes: 1})
		must(t, "CreateVolume on a pool named by the bare datastore name", err)
		if vol.SizeBytes != diskGrain {
			t.Errorf("a volume of 1 byte has %d bytes, want it rounded up to %d", vol.SizeBytes, diskGrain)
		}
	})
}
