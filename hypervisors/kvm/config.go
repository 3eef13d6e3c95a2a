package kvm

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Domain types Connect can pick or be told to use.
const (
	domainTypeAuto = "auto"
	domainTypeKVM  = "kvm"
	domainTypeQEMU = "qemu"
)

// What a graceful StopVM does when the guest is still running at the end
// of the stop timeout.
const (
	stopFallbackError   = "error"
	stopFallbackDestroy = "destroy"
)

// Defaults of the URL parameters.
const (
	defaultStopTimeout   = 60 * time.Second
	defaultDetachTimeout = 60 * time.Second
	defaultConsoleLogDir = "/var/log/libvirt/qemu"
	defaultVXLANPort     = 4789
)

// hostConfig is a host URL taken apart: the libvirt URI to open and the
// driver's own settings, which Connect removes from the query before libvirt
// sees it.
type hostConfig struct {
	uri           string // libvirt connection URI
	local         bool   // the URI names a QEMU host on this machine
	testDriver    bool   // the URI is libvirt's in-process test driver
	domainType    string // domainTypeAuto, domainTypeKVM or domainTypeQEMU
	stopTimeout   time.Duration
	stopFallback  string // stopFallbackError or stopFallbackDestroy
	detachTimeout time.Duration
	configDrive   bool
	consoleLogDir string
	segments      segmentation
}

// libvirtSchemes are the URI schemes Connect accepts: QEMU over every
// transport libvirt offers, and libvirt's in-process test driver.
var libvirtSchemes = map[string]bool{
	"qemu": true, "qemu+unix": true, "qemu+ssh": true, "qemu+libssh": true, "qemu+libssh2": true,
	"qemu+tcp": true, "qemu+tls": true, "qemu+ext": true, "test": true,
}

// parseURL splits a host URL into its hostConfig; malformed URLs and
// parameters fail with ErrInvalid.
func parseURL(raw string) (hostConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: %v", hypervisors.ErrInvalid, raw, err)
	}
	if !libvirtSchemes[u.Scheme] {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: the scheme must be qemu, qemu+ssh, qemu+tcp, qemu+tls (or another libvirt transport of qemu) or test", hypervisors.ErrInvalid, raw)
	}
	q := u.Query()
	c := hostConfig{
		local:         u.Host == "" && u.Scheme != "test",
		testDriver:    u.Scheme == "test",
		domainType:    domainTypeAuto,
		stopTimeout:   defaultStopTimeout,
		stopFallback:  stopFallbackError,
		detachTimeout: defaultDetachTimeout,
		configDrive:   true,
		consoleLogDir: defaultConsoleLogDir,
	}
	p := params{q: q}
	c.domainType = p.oneOf("domain_type", c.domainType, domainTypeAuto, domainTypeKVM, domainTypeQEMU)
	c.stopTimeout = p.duration("stop_timeout", c.stopTimeout)
	c.stopFallback = p.oneOf("stop_fallback", c.stopFallback, stopFallbackError, stopFallbackDestroy)
	c.detachTimeout = p.duration("nic_detach_timeout", c.detachTimeout)
	c.configDrive = p.bool("config_drive", c.configDrive)
	c.consoleLogDir = p.absPath("console_log_dir", c.consoleLogDir)
	c.segments = p.segmentation()
	if p.err != nil {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: %v", hypervisors.ErrInvalid, raw, p.err)
	}
	if c.segments.needsLocalHost() && !c.local {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: VLAN uplinks are set up with ip(8) on the machine itself, so they need a qemu URL without a host part", hypervisors.ErrInvalid, raw)
	}
	u.RawQuery = q.Encode()
	c.uri = u.String()
	return c, nil
}

// params reads the driver's parameters out of a query, deleting each one it
// reads; the first bad value is kept in err.
type params struct {
	q   url.Values
	err error
}

// take removes parameter name from the query and returns its value and
// whether it was there.
func (p *params) take(name string) (string, bool) {
	if !p.q.Has(name) {
		return "", false
	}
	v := p.q.Get(name)
	p.q.Del(name)
	return v, true
}

func (p *params) fail(name, v, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("parameter %s=%q: want %s", name, v, want)
	}
}

func (p *params) oneOf(name, def string, allowed ...string) string {
	v, ok := p.take(name)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, v, "one of "+strings.Join(allowed, ", "))
	return def
}

func (p *params) duration(name string, def time.Duration) time.Duration {
	v, ok := p.take(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, v, "a positive duration such as 30s")
		return def
	}
	return d
}

func (p *params) bool(name string, def bool) bool {
	v, ok := p.take(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "true or false")
		return def
	}
	return b
}

func (p *params) absPath(name, def string) string {
	v, ok := p.take(name)
	if !ok {
		return def
	}
	if !strings.HasPrefix(v, "/") {
		p.fail(name, v, "an absolute path")
		return def
	}
	return v
}

func (p *params) addr(name string) netip.Addr {
	v, ok := p.take(name)
	if !ok {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		p.fail(name, v, "an IP address")
	}
	return a
}

func (p *params) port(name string, def int) int {
	v, ok := p.take(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		p.fail(name, v, "a port number")
		return def
	}
	return n
}

// device reads a network device name (or, with a %d for the VLAN ID, a
// pattern of names).
func (p *params) device(name string) string {
	v, _ := p.take(name)
	if len(v) > 15 && !strings.Contains(v, "%d") || strings.ContainsAny(v, "/ ") {
		p.fail(name, v, "a network device name")
		return ""
	}
	return v
}
