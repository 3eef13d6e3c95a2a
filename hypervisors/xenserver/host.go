package xenserver

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// host is a session with a pool, for one of its members.
type host struct {
	cfg hostConfig
	c   *xenapi.Client
	ref xenapi.HostRef // the member
	// nicMu serialises the choice of VIF device numbers (see AttachNIC).
	nicMu sync.Mutex
}

var (
	_ hypervisors.Host          = (*host)(nil)
	_ hypervisors.NICHotplugger = (*host)(nil)
)

// Info reports the member's name, CPUs, memory and product version.
func (h *host) Info(ctx context.Context) (hypervisors.HostInfo, error) {
	rec, err := h.c.Host.GetRecord(ctx, h.ref)
	if err != nil {
		return hypervisors.HostInfo{}, wrap("Info", err)
	}
	metrics, err := h.c.HostMetrics.GetRecord(ctx, rec.Metrics)
	if err != nil {
		return hypervisors.HostInfo{}, wrap("Info: reading the host's metrics", err)
	}
	name := rec.Hostname
	if name == "" {
		name = rec.NameLabel
	}
	brand := rec.SoftwareVersion["product_brand"]
	if brand == "" {
		brand = "XenServer"
	}
	return hypervisors.HostInfo{
		Hostname:   name,
		Hypervisor: Name,
		Version:    strings.TrimSpace(fmt.Sprintf("%s %s (xapi %s)", brand, rec.SoftwareVersion["product_version"], rec.SoftwareVersion["xapi"])),
		CPUs:       rec.CPUCount(),
		CPUMHz:     int(rec.CPUSpeedMHz()),
		MemoryMiB:  int64(metrics.MemoryTotal) >> 20,
	}, nil
}

// Ping reads the member's metrics: ErrUnreachable when the pool does not
// answer or reports the member not live.
func (h *host) Ping(ctx context.Context) error {
	rec, err := h.c.Host.GetRecord(ctx, h.ref)
	if err != nil {
		return wrap("Ping", err)
	}
	metrics, err := h.c.HostMetrics.GetRecord(ctx, rec.Metrics)
	if err != nil {
		return wrap("Ping", err)
	}
	if !metrics.Live {
		return fmt.Errorf("%w: Ping: the pool reports host %s not live", hypervisors.ErrUnreachable, rec.NameLabel)
	}
	return nil
}

// Capabilities: snapshots with and without memory, NIC hot-plug.
func (h *host) Capabilities() hypervisors.Capabilities {
	return hypervisors.Capabilities{MemorySnapshots: true, DiskSnapshots: true, NICHotplug: true}
}

// closeTimeout bounds the logout of Close, which a pool that stopped
// answering would otherwise hold up.
const closeTimeout = 10 * time.Second

// Close logs out.
func (h *host) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return wrap("closing the session", h.c.Logout(ctx))
}
