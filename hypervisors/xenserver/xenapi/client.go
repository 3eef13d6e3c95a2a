package xenapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// DefaultTimeout bounds one RPC request when Options.Timeout is zero.
	// Long operations run as tasks, so a single request is short.
	DefaultTimeout = 2 * time.Minute
	// DefaultOriginator is the originator the client logs in with when
	// Options.Originator is empty.
	DefaultOriginator = "cloudcore"
)

// Options tune a Client. The zero value verifies the server's certificate
// against the system's roots and bounds each request by DefaultTimeout.
type Options struct {
	// CAPEM holds PEM-encoded CA certificates that the server's certificate
	// must chain to, instead of the system's roots: for hosts whose
	// certificates a private CA signed, or a self-signed host certificate
	// trusted as its own CA.
	CAPEM []byte
	// Insecure skips verification of the server's certificate. It is off
	// by default and cannot be combined with CAPEM.
	Insecure bool
	// Timeout bounds each RPC request, on top of the call's context. Zero
	// means DefaultTimeout; a negative value means no bound but the
	// context. Uploads (ImportRawVDI) are bounded by their context only.
	Timeout time.Duration
	// Originator tells this client's sessions apart from other clients
	// logging in with the same username (session.login_with_password's
	// originator). Empty means DefaultOriginator.
	Originator string
}

// Client calls XenAPI on one pool. It is safe for concurrent use; all
// goroutines share one session.
//
// The class fields (Host, VM, VDI, ...) group the calls of each XenAPI
// class; they are set by New and must not be replaced.
type Client struct {
	Host        HostClass
	HostMetrics HostMetricsClass
	SR          SRClass
	VDI         VDIClass
	VM          VMClass
	VBD         VBDClass
	VIF         VIFClass
	Network     NetworkClass
	PIF         PIFClass
	VLAN        VLANClass
	Task        TaskClass

	username   string
	password   string
	originator string
	rpcHTTP    *http.Client // RPC requests, bounded by Options.Timeout
	bulkHTTP   *http.Client // uploads: no timeout, no redirects
	ids        atomic.Uint64

	loginMu sync.Mutex // one login or logout at a time

	mu      sync.Mutex // guards the fields below
	base    *url.URL   // the pool master's URL
	session SessionRef // "" when logged out
	logins  uint64     // how many logins succeeded; tells a stale SESSION_INVALID from a fresh one
}

// New returns a client for the pool whose master answers at baseURL
// ("https://host" or "https://host:port"; "http" works where the server
// allows it). It does not connect; Login does.
func New(baseURL, username, password string, opts Options) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := tlsConfig(opts)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 0
	}
	originator := opts.Originator
	if originator == "" {
		originator = DefaultOriginator
	}
	c := &Client{
		username:   username,
		password:   password,
		originator: originator,
		rpcHTTP:    &http.Client{Transport: transport, Timeout: timeout},
		bulkHTTP: &http.Client{
			Transport: transport,
			// A redirected upload would lose its body; report the
			// redirect as the answer instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		base: base,
	}
	c.Host = HostClass{c}
	c.HostMetrics = HostMetricsClass{c}
	c.SR = SRClass{c}
	c.VDI = VDIClass{c}
	c.VM = VMClass{c}
	c.VBD = VBDClass{c}
	c.VIF = VIFClass{c}
	c.Network = NetworkClass{c}
	c.PIF = PIFClass{c}
	c.VLAN = VLANClass{c}
	c.Task = TaskClass{c}
	return c, nil
}

// parseBaseURL checks that s is an http(s) URL naming a host, without
// query or fragment, and drops a trailing slash.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("xenapi: base URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("xenapi: base URL %q: the scheme must be https or http", s)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("xenapi: base URL %q: want scheme://host[:port] and nothing else but a path", s)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// tlsConfig is how the client checks the server's certificate: against the
// system's roots by default, against the CAs of opts.CAPEM when given, or
// not at all when opts.Insecure says so.
func tlsConfig(opts Options) (*tls.Config, error) {
	switch {
	case opts.Insecure && len(opts.CAPEM) > 0:
		return nil, errors.New("xenapi: Options.Insecure and Options.CAPEM exclude each other")
	case opts.Insecure:
		return &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}, nil //nolint:gosec // explicit opt-in
	case len(opts.CAPEM) > 0:
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(opts.CAPEM) {
			return nil, errors.New("xenapi: Options.CAPEM holds no PEM certificate")
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
	default:
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
}

// BaseURL returns the URL the client calls: the one New was given, or the
// pool master's after a login was redirected there.
func (c *Client) BaseURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.String()
}

func (c *Client) baseURL() *url.URL {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := *c.base
	return &u
}

// current returns the session and the login count it belongs to.
func (c *Client) current() (SessionRef, uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == "" {
		return "", c.logins, ErrNotLoggedIn
	}
	return c.session, c.logins, nil
}

// Call calls method with the session as its first parameter followed by
// args, and decodes the result into result (a pointer; nil discards it).
// When the server answers SESSION_INVALID, Call logs in again and repeats
// the call once: a call refused for its session did nothing. Errors are an
// *Error (XenAPI refused), a *TransportError (no XenAPI answer), or
// ErrNotLoggedIn.
func (c *Client) Call(ctx context.Context, method string, result any, args ...any) error {
	session, seen, err := c.current()
	if err != nil {
		return fmt.Errorf("xenapi: %s: %w", method, err)
	}
	err = c.rpc(ctx, c.baseURL(), method, result, withSession(session, args))
	if !IsCode(err, CodeSessionInvalid) {
		return err
	}
	if err := c.relogin(ctx, seen); err != nil {
		return fmt.Errorf("xenapi: %s: %w", method, err)
	}
	if session, _, err = c.current(); err != nil {
		return fmt.Errorf("xenapi: %s: %w", method, err)
	}
	return c.rpc(ctx, c.baseURL(), method, result, withSession(session, args))
}

func withSession(s SessionRef, args []any) []any {
	return append([]any{s}, args...)
}

// call is Call for a result of type T.
func call[T any](ctx context.Context, c *Client, method string, args ...any) (T, error) {
	var v T
	err := c.Call(ctx, method, &v, args...)
	return v, err
}
