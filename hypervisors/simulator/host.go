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
	_ hypervisors.Investigator  = (*host)(nil)
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

// InvestigatePeer reads the peer's state, as a host of a real cluster
// reads the heartbeats its peers write to shared storage: a peer powered
// off is dead, any other (reachable or not) is alive. The peer must be a
// simulated host of the same state directory.
func (h *host) InvestigatePeer(ctx context.Context, peer hypervisors.HostConfig) (hypervisors.Liveness, error) {
	c, err := parseURL(peer.URL)
	if err != nil {
		return hypervisors.LivenessUnknown, err
	}
	peerStore, err := openHostStore(h.store.stateDir, c.hostname)
	if err != nil {
		return hypervisors.LivenessUnknown, err
	}
	// This host answers first; the peer's state is read after, under the
	// peer's lock alone, so that two hosts investigating each other never
	// wait for one another.
	if err := h.do(ctx, OpInvestigatePeer, noEffect); err != nil {
		return hypervisors.LivenessUnknown, err
	}
	live := hypervisors.LivenessAlive
	err = peerStore.update(func(t hostTxn) error {
		st, err := t.state()
		if st.PoweredOff {
			live = hypervisors.LivenessDead
		}
		return err
	})
	if err != nil {
		return hypervisors.LivenessUnknown, err
	}
	return live, nil
}

// Close ends the connection: later calls fail with ErrInvalid. The host and
// its VMs live on.
func (h *host) Close() error {
	h.closed.Store(true)
	return nil
}

func noEffect(hostTxn) error { return nil }
