package xapitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// HostSpec describes one host of the pool.
type HostSpec struct {
	Name        string // name_label and hostname; default "host<N>"
	CPUs        int    // default 8
	SpeedMHz    int    // default 2400
	MemoryBytes int64  // default 32 GiB
}

// SRSpec describes one shared SR of the pool (type "ext").
type SRSpec struct {
	Name      string // default "Shared storage <N>"
	SizeBytes int64  // physical_size; default 1 TiB
}

// Options configures a Server. The zero value is a two-host pool with one SR
// and the user root/"password", served over plain HTTP.
type Options struct {
	Hosts []HostSpec // the first is the pool master
	SRs   []SRSpec
	// Username and Password are the only credentials login accepts
	// (default "root" and "password").
	Username, Password string
	// TLS serves HTTPS with httptest's certificate (see Server.Certificate).
	TLS bool
	// ListenAddr, if set, is where the master listens (e.g. 127.0.0.1:8181;
	// default a free port on 127.0.0.1). While the master is on 127.0.0.1,
	// host N listens on the same port at 127.0.0.N, as pool members share
	// their port; its address field is that IP.
	ListenAddr string
	// TaskDelay is how long every task waits before its operation runs, and
	// Delays the same per method ("VM.clone"), for calls and tasks alike.
	TaskDelay time.Duration
	Delays    map[string]time.Duration
	// MaxStoredBytes caps the VDI content kept in memory (default 64 MiB).
	MaxStoredBytes int64
	// ProductVersion is the hosts' software_version product_version
	// (default "8.4.0").
	ProductVersion string
}

// Server is a running XenAPI pool. Its methods are safe for concurrent use.
type Server struct {
	// URL is the pool master's base URL; JSON-RPC goes to URL+"/jsonrpc".
	URL string
	// SlaveURL is the base URL of the second host, a pool member that
	// answers session.login_with_password with HOST_IS_SLAVE; empty in a
	// one-host pool.
	SlaveURL string

	opts    Options
	methods map[string]*method

	mu        sync.Mutex
	st        *state
	failures  map[string][]*apiError
	delays    map[string]time.Duration
	down      map[string]bool // host ref -> not answering
	closing   bool
	listeners []*listener

	closed chan struct{}
	tasks  sync.WaitGroup
}

// listener serves one host's address.
type listener struct {
	s      *Server
	host   string // host ref
	master bool
	ts     *httptest.Server
}

// NewServer starts a pool described by opts. Close it when done.
func NewServer(opts Options) *Server {
	opts = withDefaults(opts)
	s := &Server{
		opts: opts, st: newState(), failures: map[string][]*apiError{},
		delays: map[string]time.Duration{}, down: map[string]bool{},
		closed: make(chan struct{}),
	}
	for k, d := range opts.Delays {
		s.SetDelay(k, d)
	}
	s.methods = s.buildMethods()
	s.populate()
	var cert tls.Certificate
	if opts.TLS {
		cert = poolCertificate(len(opts.Hosts))
	}
	port := ""
	for i, ref := range refsOf(s.st.hosts, nil) {
		l := &listener{s: s, host: ref, master: i == 0}
		l.ts = httptest.NewUnstartedServer(l)
		if ln := listen(opts.ListenAddr, i, port); ln != nil {
			_ = l.ts.Listener.Close()
			l.ts.Listener = ln
		}
		if opts.TLS {
			l.ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
			l.ts.StartTLS()
		} else {
			l.ts.Start()
		}
		if l.master {
			if a, ok := l.ts.Listener.Addr().(*net.TCPAddr); ok && a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
				port = strconv.Itoa(a.Port)
			}
		}
		s.listeners = append(s.listeners, l)
		u, _ := url.Parse(l.ts.URL)
		h := s.st.hosts[ref]
		h.address = u.Hostname()
		switch i {
		case 0:
			s.URL = l.ts.URL
		case 1:
			s.SlaveURL = l.ts.URL
		}
	}
	return s
}

// listen returns the listener of the i-th host, nil for httptest's own
// (a free port on 127.0.0.1): the master listens on listenAddr when set;
// when the master is on 127.0.0.1, the other hosts listen on the same port
// at 127.0.0.2, 127.0.0.3, ..., so that a client redirected by
// HOST_IS_SLAVE, which names the master by address only, reaches it on the
// port it knows, as with a real pool.
func listen(listenAddr string, i int, masterPort string) net.Listener {
	switch {
	case i == 0 && listenAddr != "":
		ln, err := net.Listen("tcp", listenAddr)
		if err != nil {
			panic(fmt.Sprintf("xapitest: listen on %s: %v", listenAddr, err))
		}
		return ln
	case i == 0 || masterPort == "" || i > 253:
		return nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(fmt.Sprintf("127.0.0.%d", i+1), masterPort))
	if err != nil {
		return nil // the port is taken there: a free one on 127.0.0.1 will do
	}
	return ln
}

// poolCertificate is a self-signed certificate for 127.0.0.1 to
// 127.0.0.<hosts>, ::1 and localhost, the addresses the hosts listen on.
func poolCertificate(hosts int) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("xapitest: generating a key: %v", err))
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"xapitest pool"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv6loopback},
	}
	for i := range max(hosts, 1) {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IPv4(127, 0, 0, byte(i+1)))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(fmt.Sprintf("xapitest: making the certificate: %v", err))
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func withDefaults(o Options) Options {
	if len(o.Hosts) == 0 {
		o.Hosts = []HostSpec{{}, {}}
	}
	hosts := make([]HostSpec, len(o.Hosts))
	for i, h := range o.Hosts {
		if h.Name == "" {
			h.Name = fmt.Sprintf("host%d", i+1)
		}
		if h.CPUs == 0 {
			h.CPUs = 8
		}
		if h.SpeedMHz == 0 {
			h.SpeedMHz = 2400
		}
		if h.MemoryBytes == 0 {
			h.MemoryBytes = 32 << 30
		}
		hosts[i] = h
	}
	o.Hosts = hosts
	if len(o.SRs) == 0 {
		o.SRs = []SRSpec{{}}
	}
	srs := make([]SRSpec, len(o.SRs))
	for i, r := range o.SRs {
		if r.Name == "" {
			r.Name = fmt.Sprintf("Shared storage %d", i+1)
		}
		if r.SizeBytes == 0 {
			r.SizeBytes = 1 << 40
		}
		srs[i] = r
	}
	o.SRs = srs
	if o.Username == "" {
		o.Username = "root"
	}
	if o.Password == "" {
		o.Password = "password"
	}
	if o.MaxStoredBytes == 0 {
		o.MaxStoredBytes = 64 << 20
	}
	if o.ProductVersion == "" {
		o.ProductVersion = "8.4.0"
	}
	return o
}

// Close stops every listener and waits for running tasks: those still
// waiting for their delay end without running their operation (and stay
// pending); one whose delay is over finishes.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	s.mu.Unlock()
	close(s.closed)
	s.tasks.Wait()
	for _, l := range s.listeners {
		l.ts.Close()
	}
}

// Certificate is the certificate the server presents with Options.TLS (nil
// otherwise).
func (s *Server) Certificate() *x509.Certificate {
	return s.listeners[0].ts.Certificate()
}

// CertPool is a pool holding Certificate, for a client's tls.Config.RootCAs.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	if c := s.Certificate(); c != nil {
		p.AddCert(c)
	}
	return p
}

// Client is an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.listeners[0].ts.Client() }

// MasterAddress is the master's address field: the parameter of
// HOST_IS_SLAVE (an IP address, without port, as from xapi).
func (s *Server) MasterAddress() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.hosts[s.st.master].address
}

// HostURL is the base URL at which the named host answers ("" if there is
// no such host).
func (s *Server) HostURL(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.listeners {
		if s.st.hosts[l.host].name == name {
			return l.ts.URL
		}
	}
	return ""
}

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.s.mu.Lock()
	down := l.s.down[l.host]
	l.s.mu.Unlock()
	if down {
		// A host that is down does not answer: drop the connection.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		http.Error(w, "host is down", http.StatusServiceUnavailable)
		return
	}
	switch r.URL.Path {
	case "/jsonrpc":
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		l.s.serveJSONRPC(w, r, l)
	case "/import_raw_vdi":
		if r.Method != http.MethodPut {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		l.s.serveImportRawVDI(w, r)
	default:
		http.NotFound(w, r)
	}
}
