package simulator_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// connect connects to simulator://hostname?query with state in dir.
func connect(t testing.TB, dir, hostname, query string) hypervisors.Host {
	t.Helper()
	h, err := connectErr(t.Context(), dir, hostname, query)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func connectErr(ctx context.Context, dir, hostname, query string) (hypervisors.Host, error) {
	d, err := hypervisors.Lookup(simulator.Name)
	if err != nil {
		return nil, err
	}
	return d.Connect(ctx, hostConfig(dir, hostname, query))
}

// hostConfig configures simulated host hostname in dir with URL query query.
func hostConfig(dir, hostname, query string) hypervisors.HostConfig {
	url := "simulator://" + hostname
	if query != "" {
		url += "?" + query
	}
	return hypervisors.HostConfig{URL: url, StateDir: dir}
}

// fence fences the host of cfg through the driver.
func fence(ctx context.Context, cfg hypervisors.HostConfig) error {
	d, err := hypervisors.Lookup(simulator.Name)
	if err != nil {
		return err
	}
	return d.(hypervisors.Fencer).FenceHost(ctx, cfg)
}

// control returns the Controller of hostname in dir.
func control(t testing.TB, dir, hostname string) *simulator.Controller {
	t.Helper()
	c, err := simulator.Control(dir, hostname)
	if err != nil {
		t.Fatalf("Control: %v", err)
	}
	return c
}

var testPool = hypervisors.StoragePoolRef{ID: "pool1", URL: "file:///pool1"}

// fixture is a VM with everything it needs, on one host.
type fixture struct {
	volume   string
	network  hypervisors.NetworkSpec
	vm       hypervisors.VMSpec
	snapshot string // a disk-only snapshot of vm, when made by withSnapshot
}

// newFixture creates a volume, a network and a stopped VM using both.
func newFixture(t testing.TB, h hypervisors.Host) fixture {
	t.Helper()
	ctx := t.Context()
	fx := fixture{
		volume: uuid.NewString(),
		network: hypervisors.NetworkSpec{
			ID:   uuid.NewString(),
			CIDR: netip.MustParsePrefix("10.0.0.0/24"),
		},
	}
	if _, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: fx.volume, Pool: testPool, SizeBytes: 1 << 30}); err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	if err := h.EnsureNetwork(ctx, fx.network); err != nil {
		t.Fatalf("EnsureNetwork: %v", err)
	}
	fx.vm = vmOn(fx.volume, fx.network.ID)
	if _, err := h.CreateVM(ctx, fx.vm); err != nil {
		t.Fatalf("CreateVM: %v", err)
	}
	return fx
}

// vmOn describes a new VM with one disk on volume and one NIC on network.
func vmOn(volume, network string) hypervisors.VMSpec {
	return hypervisors.VMSpec{
		ID:        uuid.NewString(),
		Name:      "test",
		Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 512},
		Disks:     []hypervisors.Disk{{VolumeID: volume, Pool: testPool}},
		NICs:      []hypervisors.NIC{{NetworkID: network}},
	}
}

// withSnapshot starts the fixture's VM and takes a disk-only snapshot.
func (fx fixture) withSnapshot(t testing.TB, h hypervisors.Host) fixture {
	t.Helper()
	mustDo(t, "StartVM", h.StartVM(t.Context(), fx.vm.ID))
	fx.snapshot = uuid.NewString()
	if _, err := h.CreateSnapshot(t.Context(), fx.vm.ID, hypervisors.SnapshotSpec{ID: fx.snapshot}); err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	return fx
}

func mustDo(t testing.TB, call string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
}

// power returns the power state of VM id.
func power(t testing.TB, h hypervisors.Host, id string) hypervisors.PowerState {
	t.Helper()
	st, err := h.VMStatus(t.Context(), id)
	if err != nil {
		t.Fatalf("VMStatus %s: %v", id, err)
	}
	return st.Power
}

// everyCall returns one call of every operation of h, on the fixture's
// objects (which must include a snapshot), keyed by operation: FenceHost
// fences the host of cfg, InvestigatePeer asks h about it. Each call would
// succeed on a healthy host with hot resize, whatever calls ran before.
func everyCall(h hypervisors.Host, cfg hypervisors.HostConfig, fx fixture) map[simulator.Op]func(context.Context) error {
	vm := fx.vm.ID
	return map[simulator.Op]func(context.Context) error{
		simulator.OpInfo:          func(ctx context.Context) error { _, err := h.Info(ctx); return err },
		simulator.OpPing:          h.Ping,
		simulator.OpEnsureNetwork: func(ctx context.Context) error { return h.EnsureNetwork(ctx, fx.network) },
		simulator.OpRemoveNetwork: func(ctx context.Context) error { return h.RemoveNetwork(ctx, uuid.NewString()) },
		simulator.OpCreateVolume: func(ctx context.Context) error {
			_, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: testPool, SizeBytes: 1 << 20})
			return err
		},
		simulator.OpResizeVolume: func(ctx context.Context) error { return h.ResizeVolume(ctx, testPool, fx.volume, 2<<30) },
		simulator.OpDeleteVolume: func(ctx context.Context) error { return h.DeleteVolume(ctx, testPool, uuid.NewString()) },
		simulator.OpListVolumes:  func(ctx context.Context) error { _, err := h.ListVolumes(ctx, testPool); return err },
		simulator.OpCreateVM: func(ctx context.Context) error {
			_, err := h.CreateVM(ctx, vmOn(fx.volume, fx.network.ID))
			return err
		},
		simulator.OpStartVM:       func(ctx context.Context) error { return h.StartVM(ctx, vm) },
		simulator.OpStopVM:        func(ctx context.Context) error { return h.StopVM(ctx, uuid.NewString(), false) },
		simulator.OpRebootVM:      func(ctx context.Context) error { return h.RebootVM(ctx, vm) },
		simulator.OpReconfigureVM: func(ctx context.Context) error { return h.ReconfigureVM(ctx, vm, fx.vm.Resources) },
		simulator.OpDestroyVM:     func(ctx context.Context) error { return h.DestroyVM(ctx, uuid.NewString()) },
		simulator.OpVMStatus:      func(ctx context.Context) error { _, err := h.VMStatus(ctx, vm); return err },
		simulator.OpListVMs:       func(ctx context.Context) error { _, err := h.ListVMs(ctx); return err },
		simulator.OpCreateSnapshot: func(ctx context.Context) error {
			_, err := h.CreateSnapshot(ctx, vm, hypervisors.SnapshotSpec{ID: uuid.NewString()})
			return err
		},
		simulator.OpListSnapshots:  func(ctx context.Context) error { _, err := h.ListSnapshots(ctx, vm); return err },
		simulator.OpRevertSnapshot: func(ctx context.Context) error { return h.RevertSnapshot(ctx, vm, fx.snapshot) },
		simulator.OpDeleteSnapshot: func(ctx context.Context) error { return h.DeleteSnapshot(ctx, vm, uuid.NewString()) },
		simulator.OpFenceHost:      func(ctx context.Context) error { return fence(ctx, cfg) },
		simulator.OpInvestigatePeer: func(ctx context.Context) error {
			_, err := h.(hypervisors.Investigator).InvestigatePeer(ctx, cfg)
			return err
		},
		simulator.OpAttachNIC: func(ctx context.Context) error {
			return h.(hypervisors.NICHotplugger).AttachNIC(ctx, vm, hypervisors.NIC{NetworkID: fx.network.ID, MAC: randomMAC()})
		},
		simulator.OpDetachNIC: func(ctx context.Context) error {
			return h.(hypervisors.NICHotplugger).DetachNIC(ctx, vm, randomMAC())
		},
	}
}

func TestEveryCallCoversEveryOp(t *testing.T) {
	dir := t.TempDir()
	calls := everyCall(connect(t, dir, "h1", ""), hostConfig(dir, "h1", ""), fixture{})
	for _, op := range simulator.Ops {
		if calls[op] == nil {
			t.Errorf("everyCall has no call of %s", op)
		}
	}
	if len(calls) != len(simulator.Ops) {
		t.Errorf("everyCall has %d calls for %d operations", len(calls), len(simulator.Ops))
	}
}

// randomMAC returns a fresh locally administered MAC address.
func randomMAC() string {
	id := uuid.New()
	return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", id[0], id[1], id[2], id[3], id[4])
}
