package xenserver

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Defaults of the URL parameters.
const (
	defaultBaseTemplate = "Other install media"
	defaultMTU          = 1500
)

// hostConfig is a host URL taken apart.
type hostConfig struct {
	endpoint     string // scheme://host[:port] of the XenAPI server
	host         string // name_label, hostname, address or UUID of the pool member; "" for the URL's host
	urlHost      string // the URL's host name, to find the member by address
	caPEM        []byte
	insecure     bool
	baseTemplate string
	pifDevice    string // "" for the management interface's device
	mtu          int
	configDrive  bool
}

// parseURL splits a host URL into its hostConfig; a malformed URL or
// parameter fails with ErrInvalid naming it and the fix.
func parseURL(raw string) (hostConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: %v", hypervisors.ErrInvalid, raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: want https://<pool member>[:port] (http:// only for a server without TLS)", hypervisors.ErrInvalid, raw)
	}
	if u.Path != "" && u.Path != "/" {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: the path must be empty; the driver speaks to <host>/jsonrpc itself", hypervisors.ErrInvalid, raw)
	}
	q := u.Query()
	c := hostConfig{
		endpoint:     u.Scheme + "://" + u.Host,
		host:         q.Get("host"),
		urlHost:      u.Hostname(),
		baseTemplate: defaultBaseTemplate,
		pifDevice:    q.Get("pif"),
		mtu:          defaultMTU,
		configDrive:  true,
	}
	for name := range q {
		switch name {
		case "host", "pif":
		case "ca_file":
			if c.caPEM, err = os.ReadFile(q.Get(name)); err != nil {
				return hostConfig{}, fmt.Errorf("%w: host URL %q: ca_file: %v", hypervisors.ErrInvalid, raw, err)
			}
		case "insecure":
			if c.insecure, err = strconv.ParseBool(q.Get(name)); err != nil {
				return hostConfig{}, fmt.Errorf("%w: host URL %q: insecure=%q: want true or false", hypervisors.ErrInvalid, raw, q.Get(name))
			}
		case "config_drive":
			if c.configDrive, err = strconv.ParseBool(q.Get(name)); err != nil {
				return hostConfig{}, fmt.Errorf("%w: host URL %q: config_drive=%q: want true or false", hypervisors.ErrInvalid, raw, q.Get(name))
			}
		case "base_template":
			if c.baseTemplate = strings.TrimSpace(q.Get(name)); c.baseTemplate == "" {
				return hostConfig{}, fmt.Errorf("%w: host URL %q: base_template is empty; name a VM template of the pool", hypervisors.ErrInvalid, raw)
			}
		case "mtu":
			if c.mtu, err = strconv.Atoi(q.Get(name)); err != nil || c.mtu < 68 || c.mtu > 9216 {
				return hostConfig{}, fmt.Errorf("%w: host URL %q: mtu=%q: want a number from 68 to 9216", hypervisors.ErrInvalid, raw, q.Get(name))
			}
		default:
			return hostConfig{}, fmt.Errorf("%w: host URL %q: unknown parameter %q (known: host, pif, ca_file, insecure, config_drive, base_template, mtu)", hypervisors.ErrInvalid, raw, name)
		}
	}
	if c.insecure && c.caPEM != nil {
		return hostConfig{}, fmt.Errorf("%w: host URL %q: ca_file and insecure=true exclude each other; keep ca_file", hypervisors.ErrInvalid, raw)
	}
	return c, nil
}
