package xenserver_test

import (
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xapitest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// templateSize is the size of the pool's template VDI.
const templateSize = 64 << 20

// pool is a XenAPI test server with a template VDI, and a connection to
// its first member through the driver.
type pool struct {
	srv      *xapitest.Server
	url      string // host URL of the first member, without host=
	caFile   string // the server's certificate, PEM
	host     hypervisors.Host
	sr       hypervisors.StoragePoolRef
	template hypervisors.TemplateRef
	api      *xenapi.Client // behind the driver's back
}

// newPool starts a two-member pool over TLS, verified with the server's
// certificate, and connects to member host1.
func newPool(t *testing.T, opts xapitest.Options) *pool {
	t.Helper()
	opts.TLS = true
	srv := xapitest.NewServer(opts)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &pool{srv: srv, url: srv.URL + "?" + url.Values{"ca_file": {ca}}.Encode(), caFile: ca}
	api, err := xenapi.New(srv.URL, "root", "password", xenapi.Options{CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})})
	mustDo(t, "xenapi.New", err)
	mustDo(t, "Login", api.Login(t.Context()))
	p.api = api
	p.sr = hypervisors.StoragePoolRef{ID: uuid.NewString(), URL: "sr:" + srv.SRName()}
	_, err = srv.AddVDI("tiny-template", templateSize, []byte("bootable"))
	mustDo(t, "AddVDI", err)
	p.template = hypervisors.TemplateRef{ID: uuid.NewString(), URL: "vdi:tiny-template", Format: "raw"}
	p.host = p.connect(t, "host1")
	return p
}

// connect connects to member name through the driver and closes the host
// when t ends.
func (p *pool) connect(t *testing.T, member string) hypervisors.Host {
	t.Helper()
	d, err := hypervisors.Lookup(xenserver.Name)
	mustDo(t, "Lookup", err)
	h, err := d.Connect(t.Context(), hypervisors.HostConfig{URL: p.url + "&host=" + member, Username: "root", Password: "password"})
	mustDo(t, "Connect", err)
	t.Cleanup(func() { mustDo(t, "Close", h.Close()) })
	return h
}

func mustDo(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
