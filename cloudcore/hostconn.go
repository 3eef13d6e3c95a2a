package cloudcore

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// hostConn is a cached driver connection and the settings it was made with.
type hostConn struct {
	host                    hypervisors.Host
	url, user, sealedSecret string
}

// fits reports whether the connection was made with h's URL and
// credentials.
func (hc *hostConn) fits(h *Host) bool {
	return hc != nil && hc.url == h.URL && hc.user == h.Username && hc.sealedSecret == h.SealedPassword
}

// connect returns a connection to h, reusing the cached one while the
// host's URL and credentials are unchanged. Calls racing to connect to a
// host share the connection the first of them caches; the others close
// theirs, never one that is in use. A cached connection with other
// settings is closed when a new one replaces it.
func (c *Cloud) connect(ctx context.Context, h *Host) (hypervisors.Host, error) {
	c.connMu.Lock()
	hc := c.conns[h.ID]
	c.connMu.Unlock()
	if hc.fits(h) {
		return hc.host, nil
	}
	d, cfg, err := c.driverOf(h)
	if err != nil {
		return nil, err
	}
	conn, err := d.Connect(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to host %s (%s): %w", h.Name, h.URL, err)
	}
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if old := c.conns[h.ID]; old.fits(h) {
		_ = conn.Close()
		return old.host, nil
	} else if old != nil {
		_ = old.host.Close()
	}
	c.conns[h.ID] = &hostConn{host: conn, url: h.URL, user: h.Username, sealedSecret: h.SealedPassword}
	return conn, nil
}

// driverOf returns h's driver and the configuration to reach h with, its
// password decrypted.
func (c *Cloud) driverOf(h *Host) (hypervisors.Driver, hypervisors.HostConfig, error) {
	d, err := hypervisors.Lookup(h.Hypervisor)
	if err != nil {
		return nil, hypervisors.HostConfig{}, fmt.Errorf("host %s: the %s driver is not linked into this program (import .../hypervisors/all): %w", h.Name, h.Hypervisor, err)
	}
	var password string
	if h.SealedPassword != "" {
		p, err := c.key.Open(h.SealedPassword, []byte(h.ID))
		if err != nil {
			return nil, hypervisors.HostConfig{}, fmt.Errorf("host %s: decrypting its password: %w", h.Name, err)
		}
		password = string(p)
	}
	return d, hypervisors.HostConfig{URL: h.URL, Username: h.Username, Password: password, StateDir: c.stateDir}, nil
}

// dropConn closes and forgets a cached connection.
func (c *Cloud) dropConn(hostID string) {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if hc := c.conns[hostID]; hc != nil {
		_ = hc.host.Close()
		delete(c.conns, hostID)
	}
}
