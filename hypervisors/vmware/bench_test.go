package vmware

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// deploysPerOp is how many VMs each iteration of BenchmarkDeploy deploys
// each way, so that even a single iteration gives a steady ratio.
const deploysPerOp = 10

// BenchmarkDeploy measures deploying a VM from the disk template on a
// simulated ESXi: CreateVolume + CreateVM + StartVM through the driver,
// and the same vSphere work done directly with govmomi (copy the disk,
// create the VM with it and a NIC, power it on), alternately on the one
// simulator. It reports both times per deployment and their ratio. The
// simulator serves one call at a time (see serializer), which keeps the
// timings steady: its tasks end before their waits begin.
func BenchmarkDeploy(b *testing.B) {
	s := newESX(b)
	h := s.connect(b)
	ctx := b.Context()
	n := hypervisors.NetworkSpec{ID: uuid.NewString(), Name: "bench"}
	if err := h.EnsureNetwork(ctx, n); err != nil {
		b.Fatal(err)
	}
	d := newDirect(b, s, n.ID)
	var viaDriver, viaGovmomi time.Duration
	deploys := 0
	for b.Loop() {
		for range deploysPerOp {
			start := time.Now()
			deployWithDriver(b, s, h, n.ID)
			viaDriver += time.Since(start)

			start = time.Now()
			d.deploy(b)
			viaGovmomi += time.Since(start)
			deploys++
		}
	}
	b.ReportMetric(float64(viaDriver.Nanoseconds())/float64(deploys), "driver-ns/deploy")
	b.ReportMetric(float64(viaGovmomi.Nanoseconds())/float64(deploys), "govmomi-ns/deploy")
	b.ReportMetric(float64(viaDriver)/float64(viaGovmomi), "driver/govmomi")
}

// deployWithDriver deploys one VM through the driver.
func deployWithDriver(b *testing.B, s *sim, h *host, networkID string) {
	ctx := b.Context()
	pool := s.pool()
	vol, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: pool, Template: &diskTemplate})
	if err != nil {
		b.Fatal(err)
	}
	spec := hypervisors.VMSpec{
		ID:        uuid.NewString(),
		Name:      "bench",
		Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
		Disks:     []hypervisors.Disk{{VolumeID: vol.ID, Pool: pool}},
		NICs:      []hypervisors.NIC{{NetworkID: networkID, MAC: "02:00:00:00:00:01"}},
	}
	if _, err := h.CreateVM(ctx, spec); err != nil {
		b.Fatal(err)
	}
	if err := h.StartVM(ctx, spec.ID); err != nil {
		b.Fatal(err)
	}
}

// direct deploys VMs with govmomi alone, as a program that knows the
// inventory would.
type direct struct {
	disks    *object.VirtualDiskManager
	dc       *object.Datacenter
	folder   *object.Folder
	pool     *object.ResourcePool
	host     *object.HostSystem
	network  types.ManagedObjectReference
	portName string
}

func newDirect(b *testing.B, s *sim, networkID string) *direct {
	ctx := context.Background()
	f := s.finder(b)
	dc, err := f.DefaultDatacenter(ctx)
	if err != nil {
		b.Fatal(err)
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		b.Fatal(err)
	}
	hs, err := f.DefaultHostSystem(ctx)
	if err != nil {
		b.Fatal(err)
	}
	pool, err := hs.ResourcePool(ctx)
	if err != nil {
		b.Fatal(err)
	}
	net, err := f.Network(ctx, portgroupName(networkID))
	if err != nil {
		b.Fatal(err)
	}
	return &direct{
		disks: object.NewVirtualDiskManager(s.admin.Client), dc: dc, folder: folders.VmFolder, pool: pool, host: hs,
		network: net.Reference(), portName: portgroupName(networkID),
	}
}

// deploy copies the template's disk, creates a VM with it and powers it on.
func (d *direct) deploy(b *testing.B) {
	ctx := b.Context()
	id := uuid.NewString()
	disk := volumePath(simDatastore, id)
	task, err := d.disks.CopyVirtualDisk(ctx, templateDisk, d.dc, disk, d.dc, nil, false)
	if err != nil {
		b.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		b.Fatal(err)
	}
	var devices object.VirtualDeviceList
	scsi, _ := devices.CreateSCSIController("pvscsi")
	devices = append(devices, scsi)
	devices = append(devices, devices.CreateDisk(scsi.(types.BaseVirtualController), types.ManagedObjectReference{}, disk))
	nic, _ := devices.CreateEthernetCard("vmxnet3", &types.VirtualEthernetCardNetworkBackingInfo{
		VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: d.portName}, Network: &d.network,
	})
	card := nic.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
	card.AddressType, card.MacAddress = string(types.VirtualEthernetCardMacTypeManual), "02:00:00:00:00:02"
	devices = append(devices, nic)
	var changes []types.BaseVirtualDeviceConfigSpec
	for _, dev := range devices {
		changes = append(changes, add(dev))
	}
	task, err = d.folder.CreateVM(ctx, types.VirtualMachineConfigSpec{
		Name: "direct-" + id, GuestId: guestID, NumCPUs: 1, MemoryMB: 256,
		Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + simDatastore + "]"},
		ExtraConfig:  []types.BaseOptionValue{&types.OptionValue{Key: keyID, Value: id}},
		DeviceChange: changes,
	}, d.pool, d.host)
	if err != nil {
		b.Fatal(err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		b.Fatal(err)
	}
	task, err = object.NewVirtualMachine(d.disks.Client(), info.Result.(types.ManagedObjectReference)).PowerOn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		b.Fatal(err)
	}
}
