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

// connect returns a connection to h, reusing the cached one while the
// host's URL and credentials are unchanged.
func (c *Cloud) connect(ctx context.Context, h *Host) (hypervisors.Host, error) {
	c.connMu.Lock()
	hc := c.conns[h.ID]
	c.connMu.Unlock()
	if hc != nil && hc.url == h.URL && hc.user == h.Username && hc.sealedSecret == h.SealedPassword {
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
	if old := c.conns[h.ID]; old != nil {
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
