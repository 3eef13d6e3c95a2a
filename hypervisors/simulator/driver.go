// Package simulator is the "simulator" hypervisor driver: hosts that exist
// only as files, for development, demos and tests of everything above the
// drivers. Import it for its side effect (or import hypervisors/all):
//
//	import _ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
//
// # Host URLs
//
//	simulator://<hostname>?cpus=16&cpu_mhz=2400&memory_mib=65536&hot_resize=true&delay=10ms&delay.CreateVM=50ms&fail.CreateVM=3
//
// Every parameter is optional:
//
//	cpus, cpu_mhz, memory_mib   capacity Info reports (default 16 CPUs at 2400 MHz, 64 GiB)
//	hot_resize                  true: ReconfigureVM works on running VMs (default false)
//	delay                       time every call waits before it reaches the host (default 0)
//	delay.<Op>                  the same for one operation, e.g. delay.CreateVM=50ms
//	fail.<Op>=N[:<error>]       the Nth call of <Op> on this connection fails, wrapping
//	                            ErrInjected and the named sentinel (unreachable, notfound,
//	                            conflict, invalid, nocapacity, notsupported; default unreachable)
//	crash.<Op>=N                the Nth call of <Op> on this connection kills the process
//	                            before its effect is written
//	crash_after.<Op>=N          the same, right after its effect is written
//
// <Op> is a method name of hypervisors.Host or FenceHost (see Ops). Connect
// rejects unknown parameters and bad values with an error wrapping
// hypervisors.ErrInvalid.
//
// # State
//
// Hosts keep their state in files under a state directory:
// HostConfig.StateDir, else the environment variable CLOUDCORE_SIMULATOR_DIR.
// The state survives restarts and is shared by every process that uses the
// same directory, such as the Terraform provider and the management server:
//
//	<state dir>/hosts/<hostname>/journal   the host's state, VMs (with snapshots) and networks
//	<state dir>/pools/<pool ID>/journal    the pool's volumes
//
// A journal is an append-only file of JSON lines, one per change, compacted
// when mostly superseded; every call holds an flock(2) on the journal's
// directory, so calls from any number of processes apply one at a time and
// a call costs a few system calls however many objects there are. Storage
// pools belong to the state directory rather than to a host, so a volume
// can be used from any host, as shared primary storage is. A host comes
// into being when it is first connected to.
//
// # Faults and out-of-band changes
//
// A Controller (see Control) changes a host from outside: faults that every
// process sees, delays, reachability, power, and VMs stopped or deleted
// behind cloudcore's back.
//
// # Behaviour
//
// The driver follows the contracts of package hypervisors. Capabilities:
// memory and disk snapshots, fencing (the host implements hypervisors.Fencer
// and FenceHost powers it off), NIC hot-plug in any power state (the host
// implements hypervisors.NICHotplugger), hot resize when the URL says so,
// no live migration. Every template is taken to be a 1 GiB image: volumes made
// from it are at least that large.
package simulator

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

const (
	// Name is the driver's name in the hypervisors registry and its URL scheme.
	Name = "simulator"
	// Version is the hypervisor version simulated hosts report.
	Version = "1.0.0"
	// EnvStateDir names the environment variable that gives the state
	// directory when HostConfig.StateDir is empty.
	EnvStateDir = "CLOUDCORE_SIMULATOR_DIR"
)

func init() { hypervisors.Register(driver{}) }

// driver is the simulator's hypervisors.Driver.
type driver struct{}

var (
	_ hypervisors.Driver = driver{}
	_ hypervisors.Fencer = driver{}
)

func (driver) Name() string { return Name }

// Connect parses cfg.URL, opens the host's state (creating it on first use)
// and fails with ErrUnreachable when the host is unreachable or powered off.
// Username and Password are ignored.
func (driver) Connect(ctx context.Context, cfg hypervisors.HostConfig) (hypervisors.Host, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.URL, err)
	}
	c, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	stateDir, err := resolveStateDir(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	store, err := openHostStore(stateDir, c.hostname)
	if err != nil {
		return nil, err
	}
	err = store.update(func(t hostTxn) error {
		st, err := t.state()
		if err != nil {
			return err
		}
		return t.answers(st)
	})
	if err != nil {
		return nil, err
	}
	return &host{cfg: c, store: store, urlFaults: c.faults}, nil
}

// FenceHost powers the host of cfg.URL off, stopping its VMs, as
// Controller.PowerOff does. Fencing reaches a host out of band, so it works
// while the host is unreachable or already off. Delays and faults of
// FenceHost (in cfg.URL or injected) apply.
func (driver) FenceHost(ctx context.Context, cfg hypervisors.HostConfig) error {
	c, err := parseURL(cfg.URL)
	if err != nil {
		return err
	}
	stateDir, err := resolveStateDir(cfg.StateDir)
	if err != nil {
		return err
	}
	store, err := openHostStore(stateDir, c.hostname)
	if err != nil {
		return err
	}
	h := &host{cfg: c, store: store, urlFaults: c.faults}
	return h.do(ctx, OpFenceHost, hostTxn.powerOff)
}
