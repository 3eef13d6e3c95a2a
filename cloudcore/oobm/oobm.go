// Package oobm reaches hosts out of band, through their baseboard management
// controllers (BMCs) over IPMI v2.0 LAN (RMCP+, "lanplus"): it reads a
// host's chassis power state and powers it off. The HA monitor fences hosts
// this way before it restarts their instances elsewhere.
package oobm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	ipmi "github.com/bougou/go-ipmi/pkg/client"
	"github.com/bougou/go-ipmi/pkg/command/chassis"
	"github.com/bougou/go-ipmi/pkg/types"
)

// DefaultPort is IPMI's RMCP port.
const DefaultPort = 623

// Config locates a BMC and holds its credentials.
type Config struct {
	// Address is the BMC's host name or IP address, optionally with a
	// port ("bmc1.example:623"); the port defaults to DefaultPort.
	Address  string
	Username string
	Password string
}

// cipherSuite is the RMCP+ cipher suite sessions use: 3 (RAKP-HMAC-SHA1
// authentication, HMAC-SHA1-96 integrity, AES-CBC-128 confidentiality),
// which IPMI v2.0 BMCs support widely. It is pinned rather than negotiated
// because probing suites one by one leaves half-open sessions on BMCs that
// do not answer an unsupported suite, until their session table is full.
const cipherSuite = types.CipherSuiteID3

// ErrPowerStillOn is returned by PowerOff when the chassis still reports
// power on when ctx ends.
var ErrPowerStillOn = errors.New("the chassis still reports power on")

// pollEvery is how often PowerOff reads the power state after asking for
// power down.
const pollEvery = 100 * time.Millisecond

// ParseAddress splits a BMC address ("host" or "host:port") into its host
// and port, defaulting the port to DefaultPort.
func ParseAddress(addr string) (string, int, error) {
	bad := fmt.Errorf("%q is not a host name or IP address; give the BMC's address, e.g. 10.0.0.5 or bmc1.example:623", addr)
	if strings.ContainsAny(addr, "/ ") {
		return "", 0, bad
	}
	host, port := addr, DefaultPort
	if h, p, err := net.SplitHostPort(addr); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, fmt.Errorf("port %q is not a port number; write host:623 or leave the port out", p)
		}
		host, port = h, n
	}
	if host == "" {
		return "", 0, bad
	}
	return host, port, nil
}

// session opens an IPMI v2.0 session with the BMC and runs fn in it.
func session(ctx context.Context, cfg Config, fn func(c *ipmi.Client) error) error {
	host, port, err := ParseAddress(cfg.Address)
	if err != nil {
		return err
	}
	c, err := ipmi.NewClient(host, port, cfg.Username, cfg.Password)
	if err != nil {
		return fmt.Errorf("BMC %s: %w", cfg.Address, err)
	}
	c.WithInterface(ipmi.InterfaceLanplus)
	c.WithCipherSuiteID(cipherSuite)
	if err := c.Connect(ctx); err != nil {
		return fmt.Errorf("opening an IPMI session with BMC %s (check the host's oobm address, username and password): %w", cfg.Address, err)
	}
	defer func() { _ = c.Close(context.WithoutCancel(ctx)) }()
	if err := fn(c); err != nil {
		return fmt.Errorf("BMC %s: %w", cfg.Address, err)
	}
	return nil
}

// PowerIsOn reports the chassis power state.
func PowerIsOn(ctx context.Context, cfg Config) (bool, error) {
	var on bool
	err := session(ctx, cfg, func(c *ipmi.Client) error {
		st, err := c.GetChassisStatus(ctx)
		if err != nil {
			return fmt.Errorf("reading the chassis status: %w", err)
		}
		on = st.PowerIsOn
		return nil
	})
	return on, err
}

// PowerOff powers the chassis down (a hard power off, not an ACPI
// shutdown) and returns once the BMC reports power off. It succeeds at
// once when the power is off already; it fails with ErrPowerStillOn when
// ctx ends before the BMC reports power off.
func PowerOff(ctx context.Context, cfg Config) error {
	return session(ctx, cfg, func(c *ipmi.Client) error {
		asked := false
		for {
			st, err := c.GetChassisStatus(ctx)
			if err != nil {
				return fmt.Errorf("reading the chassis status: %w", err)
			}
			if !st.PowerIsOn {
				return nil
			}
			if !asked {
				if _, err := c.ChassisControl(ctx, chassis.ChassisControlPowerDown); err != nil {
					return fmt.Errorf("powering the chassis down: %w", err)
				}
				asked = true
				continue
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w after power down was asked for: %w", ErrPowerStillOn, ctx.Err())
			case <-time.After(pollEvery):
			}
		}
	})
}
