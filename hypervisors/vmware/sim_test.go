package vmware

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// The tests run govmomi's vSphere simulator in-process, as a standalone
// ESXi (simulator.ESX) or a vCenter (simulator.VPX), over HTTPS with a
// self-signed certificate.
const (
	simUser     = "cloudcore"
	simPassword = "s3cret"
	// simDatastore is the datastore both models have.
	simDatastore = "LocalDS_0"
	// vpxHostPath is the inventory path of the vCenter host the tests use.
	vpxHostPath = "/DC0/host/DC0_C0/DC0_C0_H0"
	// templateDisk is the disk template the tests make, templateVMName the
	// VM template (a VM on the ESXi, a template on the vCenter), both of
	// templateCapacity bytes.
	templateDisk     = "[" + simDatastore + "] templates/tiny.vmdk"
	templateVMName   = "tiny-template"
	templateCapacity = int64(1) << 30
)

// sim is a running simulator.
type sim struct {
	model      *simulator.Model
	addr       string // host:port of its HTTPS server
	cert       *x509.Certificate
	thumbprint string // SHA-256 of cert
	vcenter    bool
	admin      *govmomi.Client
}

// newESX and newVPX start a simulated standalone ESXi and vCenter, with
// the templates made, that stop when tb ends. The simulator serves one call
// at a time (see serializer).
func newESX(tb testing.TB) *sim { return startSim(tb, simulator.ESX(), false) }
func newVPX(tb testing.TB) *sim { return startSim(tb, simulator.VPX(), true) }

func startSim(tb testing.TB, model *simulator.Model, vcenter bool) *sim {
	tb.Helper()
	if err := model.Create(); err != nil {
		tb.Fatalf("simulator: %v", err)
	}
	tb.Cleanup(model.Remove)
	model.Service.TLS = new(tls.Config)
	model.Service.Listen = &url.URL{User: url.UserPassword(simUser, simPassword)}
	model.Map().Handler = func(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
		if req, ok := m.Body.(*types.RemoveSnapshot_Task); ok {
			unsetRootCurrentSnapshot(ctx, req.This)
		}
		return nil, nil
	}
	// The simulator's own server registers its endpoints on its ServeMux;
	// the tests' server serves them one call at a time.
	model.Service.NewServer().Close()
	ts := httptest.NewUnstartedServer(newSerializer(model))
	ts.StartTLS()
	tb.Cleanup(ts.Close)
	s := &sim{model: model, addr: ts.Listener.Addr().String(), cert: ts.Certificate(), vcenter: vcenter}
	s.thumbprint = soap.ThumbprintSHA256(s.cert)

	ctx := context.Background()
	u := url.URL{Scheme: "https", Host: s.addr, Path: "/sdk", User: url.UserPassword(simUser, simPassword)}
	admin, err := govmomi.NewClient(ctx, &u, true)
	if err != nil {
		tb.Fatalf("simulator client: %v", err)
	}
	tb.Cleanup(func() { _ = admin.Logout(context.Background()) })
	s.admin = admin
	s.makeTemplates(tb)
	return s
}

// serializer serves the simulator's HTTP requests one at a time, each only
// once the tasks the one before started have ended. govmomi's simulator
// has data races between concurrent calls (its datastore file handler and
// FileManager read datastores without their locks while tasks change them,
// FindByName reads names while CreateVM sets them), which the race
// detector would report against the driver's tests: served one at a time,
// the simulator leaves the race detector to check the driver, whose own
// concurrency is unchanged.
type serializer struct {
	next  http.Handler
	mu    sync.Mutex
	tasks sync.WaitGroup // the simulator's running tasks
}

func newSerializer(model *simulator.Model) *serializer {
	z := &serializer{next: model.Service.ServeMux}
	model.Map().AddHandler(taskCounter{&z.tasks})
	return z
}

func (z *serializer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.next.ServeHTTP(w, r)
	if f, ok := w.(http.Flusher); ok {
		f.Flush() // the answer goes out while its tasks run, as from a real server
	}
	z.tasks.Wait()
}

// taskCounter counts the simulator's tasks that have not ended, as a
// handler of the changes of its inventory.
type taskCounter struct{ running *sync.WaitGroup }

func (taskCounter) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "TaskCounter", Value: "task-counter"}
}

func (c taskCounter) PutObject(_ *simulator.Context, obj mo.Reference) {
	if _, ok := obj.(*simulator.Task); ok {
		c.running.Add(1)
	}
}

func (c taskCounter) UpdateObject(_ *simulator.Context, obj mo.Reference, changes []types.PropertyChange) {
	if _, ok := obj.(*mo.Task); !ok {
		return
	}
	for _, ch := range changes {
		if state, ok := ch.Val.(types.TaskInfoState); ok && ch.Name == "info.state" &&
			(state == types.TaskInfoStateSuccess || state == types.TaskInfoStateError) {
			c.running.Done()
		}
	}
}

func (taskCounter) RemoveObject(*simulator.Context, types.ManagedObjectReference) {}

// failNextCreateVM makes the next CreateVM fail half-way: the driver loses
// the connection while it waits for the creation task, which goes on to
// make the VM.
func (s *sim) failNextCreateVM(*testing.T) {
	s.model.Service.AddFaultRule(&simulator.FaultInjectionRule{
		MethodName: "WaitForUpdatesEx", ObjectType: "*", ObjectName: "*",
		FaultType: simulator.FaultTypeNetworkFailure, Message: injectedFailure,
		Probability: 1, MaxCount: 1, Enabled: true,
	})
}

// injectedFailure is the message of the faults the tests inject.
const injectedFailure = "injected failure"

// unsetRootCurrentSnapshot works around the simulator's
// RemoveSnapshot_Task, which panics removing a VM's current snapshot when
// that is a root snapshot beside others (it sets the current snapshot to a
// nil reference): the snapshot stops being current first, as vSphere
// leaves a VM whose current snapshot had no parent.
func unsetRootCurrentSnapshot(ctx *simulator.Context, ref types.ManagedObjectReference) {
	snap, ok := ctx.Map.Get(ref).(*simulator.VirtualMachineSnapshot)
	if !ok {
		return
	}
	vm := ctx.Map.Get(snap.Vm).(*simulator.VirtualMachine)
	ctx.WithLock(vm, func() {
		info := vm.Snapshot
		if info != nil && info.CurrentSnapshot != nil && *info.CurrentSnapshot == ref &&
			slices.ContainsFunc(info.RootSnapshotList, func(t types.VirtualMachineSnapshotTree) bool { return t.Snapshot == ref }) {
			info.CurrentSnapshot = nil
		}
	})
}

// url is the host URL of the simulator's host, with query appended.
func (s *sim) url(query string) string {
	u := url.URL{Scheme: "https", Host: s.addr, Path: "/sdk"}
	q := url.Values{}
	if s.vcenter {
		q.Set("host", vpxHostPath)
	}
	u.RawQuery = q.Encode()
	if query != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query
	}
	return u.String()
}

// connect connects the driver to the simulator's host, pinning its
// certificate; the connection closes when tb ends.
func (s *sim) connect(tb testing.TB) *host {
	tb.Helper()
	h, err := s.dial(tb.Context(), s.url("thumbprint="+s.thumbprint))
	if err != nil {
		tb.Fatalf("Connect: %v", err)
	}
	tb.Cleanup(func() {
		if err := h.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return h.(*host)
}

// dial connects the driver to rawURL with the simulator's credentials.
func (s *sim) dial(ctx context.Context, rawURL string) (hypervisors.Host, error) {
	d, err := hypervisors.Lookup(Name)
	if err != nil {
		return nil, err
	}
	return d.Connect(ctx, hypervisors.HostConfig{URL: rawURL, Username: simUser, Password: simPassword})
}

// pool is the storage pool on the simulator's datastore.
func (s *sim) pool() hypervisors.StoragePoolRef {
	return hypervisors.StoragePoolRef{ID: "primary", URL: datastoreScheme + simDatastore}
}

// makeTemplates makes the disk template and the VM template.
func (s *sim) makeTemplates(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	c := s.admin.Client
	finder := s.finder(tb)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	must := func(what string, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("making the templates: %s: %v", what, err)
		}
	}
	must("MakeDirectory", object.NewFileManager(c).MakeDirectory(ctx, "["+simDatastore+"] templates", dc, true))
	task, err := object.NewVirtualDiskManager(c).CreateVirtualDisk(ctx, templateDisk, dc, &types.FileBackedVirtualDiskSpec{
		VirtualDiskSpec: thinDisk,
		CapacityKb:      templateCapacity >> 10,
	})
	must("CreateVirtualDisk", err)
	must("CreateVirtualDisk", task.Wait(ctx))

	hs, err := finder.HostSystem(ctx, s.hostPath())
	must("HostSystem", err)
	pool, err := hs.ResourcePool(ctx)
	must("ResourcePool", err)
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	must("CreateSCSIController", err)
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), types.ManagedObjectReference{}, "")
	disk.CapacityInKB = templateCapacity >> 10
	devices = append(devices, disk)
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	must("ConfigSpec", err)
	task, err = folders.VmFolder.CreateVM(ctx, types.VirtualMachineConfigSpec{
		Name:         templateVMName,
		GuestId:      guestID,
		Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + simDatastore + "]"},
		DeviceChange: changes,
	}, pool, hs)
	must("CreateVM", err)
	info, err := task.WaitForResult(ctx)
	must("CreateVM", err)
	if s.vcenter {
		must("MarkAsTemplate", object.NewVirtualMachine(c, info.Result.(types.ManagedObjectReference)).MarkAsTemplate(ctx))
	}
}

// finder finds objects in the simulator's datacenter.
func (s *sim) finder(tb testing.TB) *find.Finder {
	tb.Helper()
	f := find.NewFinder(s.admin.Client, true)
	dc, err := f.DefaultDatacenter(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return f.SetDatacenter(dc)
}

// hostPath is the inventory path of the host the driver uses.
func (s *sim) hostPath() string {
	if s.vcenter {
		return vpxHostPath
	}
	return "*"
}
