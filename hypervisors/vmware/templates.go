package vmware

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// vmTemplatePrefix starts the URLs of templates that are VMs or VM
// templates: vm:<inventory path> or vm:<name>.
const vmTemplatePrefix = "vm:"

// template is what a volume is made from: a disk, and the VM it belongs to
// when the template is a VM.
type template struct {
	disk     string // datastore path
	capacity int64  // bytes
	vm       *types.ManagedObjectReference
}

// fromTemplate makes the volume v at datastore path target from its
// template and grows it to v.SizeBytes, returning the volume's size. A VM
// template is cloned on a vCenter; on a standalone ESXi, and for a disk
// template, the disk is copied.
func (t *txn) fromTemplate(ctx context.Context, ds datastore, v hypervisors.VolumeSpec, target string) (int64, error) {
	src, err := t.h.template(ctx, *v.Template)
	if err != nil {
		return 0, err
	}
	if v.SizeBytes != 0 && v.SizeBytes < src.capacity {
		return 0, fmt.Errorf("%w: template %s has %d bytes, more than the %d asked for", hypervisors.ErrInvalid, v.Template.ID, src.capacity, v.SizeBytes)
	}
	if src.vm != nil && t.h.inv.vcenter {
		err = t.cloneDisk(ctx, ds, *src.vm, v.ID, target)
	} else {
		err = t.copyDisk(ctx, src.disk, target)
	}
	if err != nil {
		if isFault[*types.FileNotFound](err) || isFault[*types.ManagedObjectNotFound](err) {
			t.h.templates.Delete(v.Template.URL) // gone since it was resolved
		}
		return 0, err
	}
	size := src.capacity
	if want := roundDiskSize(v.SizeBytes); want > size {
		if err := t.extendDisk(ctx, target, want); err != nil {
			return 0, err
		}
		size = want
	}
	return size, nil
}

// template returns what resolveTemplate finds for ref, remembering it by
// URL: cloudcore's templates do not change once registered. A template
// that turns out to be gone is forgotten (see fromTemplate).
func (h *host) template(ctx context.Context, ref hypervisors.TemplateRef) (template, error) {
	if src, ok := h.templates.Load(ref.URL); ok {
		return src.(template), nil
	}
	src, err := h.resolveTemplate(ctx, ref)
	if err == nil {
		h.templates.Store(ref.URL, src)
	}
	return src, err
}

// resolveTemplate finds the disk of a template: "[<datastore>] <path>.vmdk"
// or, in URL form, "datastore://<datastore>/<path>.vmdk" (format vmdk or
// empty), or the first disk of the VM "vm:<inventory path or name>". A
// template that is not there fails with ErrNotFound.
func (h *host) resolveTemplate(ctx context.Context, ref hypervisors.TemplateRef) (template, error) {
	invalid := func(format string, args ...any) (template, error) {
		return template{}, fmt.Errorf("%w: template %s: "+format, append([]any{hypervisors.ErrInvalid, ref.ID}, args...)...)
	}
	ref.URL = datastorePathOf(ref.URL)
	switch rest, isVM := strings.CutPrefix(ref.URL, vmTemplatePrefix); {
	case isVM:
		vm, err := h.findVMByPathOrName(ctx, rest)
		if err != nil {
			return template{}, fmt.Errorf("template %s: %w", ref.ID, err)
		}
		var o mo.VirtualMachine
		if err := h.s.retrieveOne(ctx, vm, []string{"config.hardware.device"}, &o); err != nil {
			return template{}, err
		}
		disk, file := firstDisk(o.Config.Hardware.Device)
		if disk == nil {
			return invalid("VM %q has no disk", rest)
		}
		return template{disk: file, capacity: disk.CapacityInBytes, vm: &vm}, nil
	case strings.HasPrefix(ref.URL, "["):
		var dp object.DatastorePath
		if !dp.FromString(ref.URL) || path.Ext(dp.Path) != ".vmdk" {
			return invalid("URL %q is not a disk's datastore path ([<datastore>] <path>.vmdk)", ref.URL)
		}
		if ref.Format != "" && ref.Format != "vmdk" {
			return invalid("format %q: a disk template must be a vmdk", ref.Format)
		}
		capacity, found, err := h.diskCapacity(ctx, ref.URL)
		switch {
		case err != nil:
			return template{}, err
		case !found:
			return template{}, fmt.Errorf("%w: template %s: no disk %s", hypervisors.ErrNotFound, ref.ID, ref.URL)
		}
		return template{disk: ref.URL, capacity: capacity}, nil
	default:
		return invalid("URL %q is neither a disk ([<datastore>] <path>.vmdk) nor a VM (%s<inventory path or name>)", ref.URL, vmTemplatePrefix)
	}
}

// findVMByPathOrName finds a VM (or VM template) by inventory path, or by
// name in the host's datacenter; ErrNotFound when there is none.
func (h *host) findVMByPathOrName(ctx context.Context, name string) (types.ManagedObjectReference, error) {
	if strings.HasPrefix(name, "/") {
		ref, err := h.s.findByInventoryPath(ctx, name)
		switch {
		case err != nil:
			return types.ManagedObjectReference{}, err
		case ref == nil || ref.Type != "VirtualMachine":
			return types.ManagedObjectReference{}, fmt.Errorf("%w: no VM at inventory path %q", hypervisors.ErrNotFound, name)
		}
		return *ref, nil
	}
	var vms []mo.VirtualMachine
	if err := h.s.retrieveIn(ctx, h.inv.vmFolder, []string{"VirtualMachine"}, []string{"name"}, &vms); err != nil {
		return types.ManagedObjectReference{}, err
	}
	vms = slices.DeleteFunc(vms, func(vm mo.VirtualMachine) bool { return vm.Name != name })
	switch len(vms) {
	case 1:
		return vms[0].Self, nil
	case 0:
		return types.ManagedObjectReference{}, fmt.Errorf("%w: no VM named %q in datacenter %s", hypervisors.ErrNotFound, name, h.inv.dcPath)
	default:
		return types.ManagedObjectReference{}, fmt.Errorf("%w: %d VMs are named %q: give the inventory path", hypervisors.ErrInvalid, len(vms), name)
	}
}

// cloneDisk makes the disk at target by cloning VM template tmpl on
// vCenter: the clone goes to datastore ds, is unregistered, its disk moved
// to target and its folder deleted. A standalone ESXi cannot clone
// (CloneVM_Task is vCenter's): ErrNotSupported there.
func (t *txn) cloneDisk(ctx context.Context, ds datastore, tmpl types.ManagedObjectReference, volumeID, target string) error {
	h := t.h
	if !h.inv.vcenter {
		return fmt.Errorf("%w: cloning a template needs a vCenter; a standalone ESXi copies the template's disk", hypervisors.ErrNotSupported)
	}
	if _, found, err := h.diskCapacity(ctx, target); err != nil || found {
		return cmp.Or(err, fmt.Errorf("%w: volume %s exists", hypervisors.ErrConflict, volumeID))
	}
	name := cloneNamePrefix + volumeID
	var folder string // the clone's folder on ds, once known
	t.onFailure(func(ctx context.Context) error {
		if err := h.destroyClone(ctx, name); err != nil || folder == "" {
			return err
		}
		return h.deleteFile(ctx, folder)
	})
	spec := types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{
		Datastore: &ds.ref, Pool: &h.inv.pool, Host: &h.inv.host,
	}}
	res, err := t.task(ctx, func(ctx context.Context) (*object.Task, error) {
		return object.NewVirtualMachine(h.s.vim, tmpl).Clone(ctx, object.NewFolder(h.s.vim, h.inv.vmFolder), name, spec)
	})
	if err != nil {
		return err
	}
	clone := object.NewVirtualMachine(h.s.vim, res.(types.ManagedObjectReference))
	var o mo.VirtualMachine
	if err := h.s.retrieveOne(ctx, clone.Reference(), []string{"config.hardware.device", "config.files.vmPathName"}, &o); err != nil {
		return err
	}
	_, disk := firstDisk(o.Config.Hardware.Device)
	var vmx object.DatastorePath
	if disk == "" || !vmx.FromString(o.Config.Files.VmPathName) {
		return fmt.Errorf("the clone %s of the template has no disk", name)
	}
	folder = (&object.DatastorePath{Datastore: vmx.Datastore, Path: path.Dir(vmx.Path)}).String()
	if err := clone.Unregister(ctx); err != nil {
		return err
	}
	if err := t.moveDisk(ctx, disk, target); err != nil {
		return err
	}
	return h.deleteFile(ctx, folder)
}

// destroyClone destroys the VM named name in the VM folder with its files,
// if there is one.
func (h *host) destroyClone(ctx context.Context, name string) error {
	ref, err := h.s.findChild(ctx, h.inv.vmFolder, name)
	if err != nil || ref == nil {
		return err
	}
	_, err = h.runTask(ctx, object.NewVirtualMachine(h.s.vim, *ref).Destroy)
	if isFault[*types.ManagedObjectNotFound](err) {
		return nil
	}
	return err
}

// deleteFile deletes a file or folder at datastore path p; a missing one is
// not an error.
func (h *host) deleteFile(ctx context.Context, p string) error {
	_, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return object.NewFileManager(h.s.vim).DeleteDatastoreFile(ctx, p, h.dc())
	})
	if isFault[*types.FileNotFound](err) {
		return nil
	}
	return err
}

// firstDisk returns the first virtual disk among devices and its file, or nil.
func firstDisk(devices []types.BaseVirtualDevice) (*types.VirtualDisk, string) {
	for _, d := range devices {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			return disk, b.GetVirtualDeviceFileBackingInfo().FileName
		}
	}
	return nil, ""
}

// datastorePathOf turns a disk URL "datastore://<datastore>/<path>" into
// the datastore path "[<datastore>] <path>"; anything else is returned as
// it is.
func datastorePathOf(url string) string {
	rest, ok := strings.CutPrefix(url, datastoreScheme)
	if !ok {
		return url
	}
	ds, p, ok := strings.Cut(rest, "/")
	if !ok || ds == "" || p == "" {
		return url
	}
	return "[" + ds + "] " + p
}
