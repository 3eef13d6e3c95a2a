package simulator

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// host is a connection to one simulated host. Its state is on disk; the
// connection holds only the URL's settings and the URL's pending faults.
type host struct {
	cfg    config
	store  *hostStore
	closed atomic.Bool

	mu        sync.Mutex
	urlFaults []faultRecord // pending faults of the URL, counted per connection
}

var (
	_ hypervisors.Host          = (*host)(nil)
	_ hypervisors.Fencer        = (*host)(nil)
	_ hypervisors.NICHotplugger = (*host)(nil)
)

func (h *host) Info(ctx context.Context) (hypervisors.HostInfo, error) {
	if err := h.do(ctx, OpInfo, noEffect); err != nil {
		return hypervisors.HostInfo{}, err
	}
	return hypervisors.HostInfo{
		Hostname:   h.cfg.hostname,
		Hypervisor: Name,
		Version:    Version,
		CPUs:       h.cfg.cpus,
		CPUMHz:     h.cfg.cpuMHz,
		MemoryMiB:  h.cfg.memoryMiB,
	}, nil
}

func (h *host) Ping(ctx context.Context) error { return h.do(ctx, OpPing, noEffect) }

func (h *host) Capabilities() hypervisors.Capabilities {
	return hypervisors.Capabilities{
		MemorySnapshots: true,
		DiskSnapshots:   true,
		HotResize:       h.cfg.hotResize,
		Fencing:         true,
		LiveMigration:   false,
		NICHotplug:      true,
	}
}

// FenceHost powers the host off, stopping its VMs, as Controller.PowerOff
// does. Fencing reaches a host out of band, so it works while the host is
// unreachable or already off.
func (h *host) FenceHost(ctx context.Context) error {
	return h.do(ctx, OpFenceHost, hostTxn.powerOff)
}

// Close ends the connection: later calls fail with ErrInvalid. The host and
// its VMs live on.
func (h *host) Close() error {
	h.closed.Store(true)
	return nil
}

func noEffect(hostTxn) error { return nil }
