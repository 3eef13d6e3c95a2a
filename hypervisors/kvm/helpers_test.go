package kvm_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// systemURI is the libvirtd the system tier runs against.
const systemURI = "qemu:///system"

// requireLibrary ends the test when libvirt's shared library cannot load.
func requireLibrary(t testing.TB) {
	t.Helper()
	if err := kvm.Available(); err != nil {
		testenv.Missing(t, "libvirt", err.Error())
	}
}

// connect connects to uri with the driver's parameters query and closes
// the host when t ends.
func connect(t testing.TB, uri string, query url.Values) hypervisors.Host {
	t.Helper()
	requireLibrary(t)
	d, err := hypervisors.Lookup(kvm.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(query) > 0 {
		uri += "?" + query.Encode()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := d.Connect(ctx, hypervisors.HostConfig{URL: uri})
	if errors.Is(err, hypervisors.ErrUnreachable) {
		testenv.Missing(t, "libvirtd", "connecting to "+uri+": "+err.Error())
	}
	if err != nil {
		t.Fatalf("Connect %s: %v", uri, err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

// system is a fixture on the real libvirtd: a host, a storage pool in a
// temporary directory and a blank qcow2 template, all removed when the test
// ends.
type system struct {
	host     hypervisors.Host
	pool     hypervisors.StoragePoolRef
	template hypervisors.TemplateRef
	logDir   string
}

// newSystem connects to the real libvirtd with query added to the URL
// (console logs go to a temporary directory) and makes the pool and the
// template.
func newSystem(t testing.TB, query url.Values) *system {
	t.Helper()
	requireLibrary(t)
	for _, tool := range []string{"qemu-img", "virsh"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "kvm", tool+" is not on the PATH")
		}
	}
	testenv.LockSystemLibvirt(t)
	dir := sharedTempDir(t)
	if query == nil {
		query = url.Values{}
	}
	s := &system{logDir: filepath.Join(dir, "log")}
	if err := os.Mkdir(s.logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	query.Set("console_log_dir", s.logDir)
	s.host = connect(t, systemURI, query)
	s.pool = hypervisors.StoragePoolRef{ID: uuid.NewString(), URL: "file://" + filepath.Join(dir, "pool")}
	t.Cleanup(func() { removePool(t, s.pool.ID) })
	tpl := filepath.Join(dir, "template.qcow2")
	run(t, "qemu-img", "create", "-q", "-f", "qcow2", tpl, "64M")
	s.template = hypervisors.TemplateRef{ID: uuid.NewString(), URL: "file://" + tpl, Format: "qcow2"}
	return s
}

// sharedTempDir makes a temporary directory that QEMU, which runs as
// another user, can reach: the test's temporary directories are private
// to root.
func sharedTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// run runs a command and ends the test when it fails.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// libvirtConn opens a libvirt connection to the real libvirtd for checks
// behind the driver's back, closed when the test ends.
func libvirtConn(t testing.TB) *libvirt.Connect {
	t.Helper()
	c, err := libvirt.NewConnect(systemURI)
	if err != nil {
		t.Fatalf("connecting to %s: %v", systemURI, err)
	}
	t.Cleanup(func() { _, _ = c.Close() })
	return c
}

// removePool stops and undefines the libvirt pool of pool ID id (its
// directory goes with the test's temporary directory).
func removePool(t testing.TB, id string) {
	t.Helper()
	c := libvirtConn(t)
	p, err := c.LookupStoragePoolByName("cloudcore-pool-" + id)
	if errors.Is(err, libvirt.ERR_NO_STORAGE_POOL) {
		return
	}
	if err != nil {
		t.Errorf("looking up pool %s: %v", id, err)
		return
	}
	defer func() { _ = p.Free() }()
	if err := p.Destroy(); err != nil {
		t.Errorf("stopping pool %s: %v", id, err)
	}
	if err := p.Undefine(); err != nil {
		t.Errorf("undefining pool %s: %v", id, err)
	}
}
