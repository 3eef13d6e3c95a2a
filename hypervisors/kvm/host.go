package kvm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// host is a connection to one libvirt host.
type host struct {
	cfg      hostConfig
	s        *session
	platform guestPlatform
	// poolMu serialises the definition of storage pools, so that calls
	// racing to use a new pool define it once.
	poolMu sync.Mutex
	// templateMu serialises template downloads (see cachedTemplate).
	templateMu sync.Mutex
	// dhcpMu serialises the changes of DHCP reservations (see reserve).
	dhcpMu sync.Mutex
	// stepHook, when set, runs after each step of CreateVM and AttachNIC
	// and fails the call with its error; tests use it to break a call
	// half-way.
	stepHook func(step string) error
}

var _ hypervisors.Host = (*host)(nil)

// do runs fn with the host's libvirt connection (see session.use).
func (h *host) do(ctx context.Context, op string, fn func(*libvirt.Connect) error) error {
	return h.s.use(ctx, op, fn)
}

// Info reports the node's hostname, CPUs, memory and the versions of QEMU
// and libvirt.
func (h *host) Info(ctx context.Context) (hypervisors.HostInfo, error) {
	var info hypervisors.HostInfo
	err := h.do(ctx, "Info", func(c *libvirt.Connect) error {
		node, err := c.GetNodeInfo()
		if err != nil {
			return wrap("reading the node's info", err)
		}
		name, err := c.GetHostname()
		if err != nil {
			return wrap("reading the hostname", err)
		}
		hv, err := c.GetVersion()
		if err != nil {
			return wrap("reading the hypervisor version", err)
		}
		typ, err := c.GetType()
		if err != nil {
			return wrap("reading the hypervisor type", err)
		}
		lib, err := c.GetLibVersion()
		if err != nil {
			return wrap("reading the libvirt version", err)
		}
		info = hypervisors.HostInfo{
			Hostname:   name,
			Hypervisor: Name,
			Version:    fmt.Sprintf("%s %s (libvirt %s, %s domains)", typ, version(hv), version(lib), h.platform.domainType),
			CPUs:       int(node.Cpus),
			CPUMHz:     int(node.MHz),
			MemoryMiB:  int64(node.Memory / 1024),
		}
		return nil
	})
	return info, err
}

// version formats a libvirt version number (major*1000000 +
// minor*1000 + micro).
func version(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}

// Ping asks libvirtd for its version: ErrUnreachable when it does not
// answer, even after reopening the connection once.
func (h *host) Ping(ctx context.Context) error {
	ping := func(c *libvirt.Connect) error {
		_, err := c.GetLibVersion()
		return wrap("ping", err)
	}
	err := h.do(ctx, "Ping", ping)
	if errors.Is(err, hypervisors.ErrUnreachable) {
		err = h.do(ctx, "Ping", ping)
	}
	return err
}

// Capabilities: internal qcow2 snapshots with and without memory and NIC
// hot-plug (except on libvirt's test driver, which cannot attach devices);
// no hot resize, fencing or live migration.
func (h *host) Capabilities() hypervisors.Capabilities {
	return hypervisors.Capabilities{MemorySnapshots: true, DiskSnapshots: true, NICHotplug: !h.cfg.testDriver}
}

// Close closes the libvirt connection.
func (h *host) Close() error { return h.s.close() }
