package cloudcore_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// TestKVMGuestGetsTheAddressCloudcoreAllocated deploys a real tiny Linux
// guest (a Debian cloud kernel and a busybox initramfs, built from Debian
// packages by hypervisors/kvm/testdata/build-guest.sh) through the engine
// onto libvirtd + QEMU, and reads on its serial console that DHCP gave it
// exactly the address IPAM allocated.
func TestKVMGuestGetsTheAddressCloudcoreAllocated(t *testing.T) {
	requireLibvirtd(t)
	dir := qemuReadableDir(t)
	img := tinyGuest(t, dir)
	logDir := filepath.Join(dir, "log")
	if err := os.Mkdir(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: filepath.Join(t.TempDir(), "cloud.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() }) // last: cleanups run in reverse

	zone := must(c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "kvm-zone"}))(t)
	pod := must(c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod", ZoneID: zone.ID}))(t)
	cl := must(c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "kvm", PodID: pod.ID, Hypervisor: "kvm"}))(t)
	host := must(c.Hosts.Create(ctx, cloudcore.HostSpec{Name: "local", ClusterID: cl.ID,
		URL: "qemu:///system?stop_timeout=30s&console_log_dir=" + logDir}))(t)
	t.Cleanup(func() { _ = c.Hosts.Delete(ctx, host.ID) })
	pool := must(c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "local", ClusterID: cl.ID,
		URL: "file://" + filepath.Join(dir, "pool"), CapacityBytes: 10 << 30}))(t)
	t.Cleanup(func() { undefinePool(t, pool.ID) })
	size := must(os.Stat(img))(t).Size()
	tmpl := must(c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "tiny-linux", ZoneID: zone.ID, URL: "file://" + img,
		Format: "raw", Hypervisor: "kvm", SizeBytes: size}))(t)
	net := must(c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: zone.ID, CIDR: "198.18.9.0/24",
		ReservedRanges: []string{"198.18.9.2-198.18.9.40"}}))(t)
	t.Cleanup(func() {
		if err := c.Networks.Delete(ctx, net.ID); err != nil {
			t.Errorf("deleting the network: %v", err)
		}
	})

	inst := must(c.Instances.Create(ctx, cloudcore.InstanceSpec{Name: "tiny", TemplateID: tmpl.ID, CPUs: 1, MemoryMiB: 256,
		Networks: []cloudcore.NICRequest{{NetworkID: net.ID}}}))(t)
	t.Cleanup(func() {
		if err := c.Instances.Destroy(ctx, inst.ID); err != nil {
			t.Errorf("destroying the instance: %v", err)
		}
	})
	ip := inst.NICs[0].IP.String()
	if ip != "198.18.9.41" {
		t.Fatalf("IPAM gave %s; want the first address after the reserved range, 198.18.9.41", ip)
	}

	console := filepath.Join(logDir, "cloudcore-"+inst.ID+".serial.log")
	want := []string{"cloudcore-guest: instance-id " + inst.ID, "cloudcore-guest: address " + ip}
	var seen string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		b, _ := os.ReadFile(console)
		if seen = string(b); strings.Contains(seen, want[0]) && strings.Contains(seen, want[1]) {
			break
		}
	}
	for _, w := range want {
		if !strings.Contains(seen, w) {
			t.Errorf("the guest's serial console never showed %q; it shows:\n%s", w, seen)
		}
	}
	got := must(c.Instances.Stop(ctx, inst.ID, false))(t)
	if got.State != cloudcore.Stopped {
		t.Errorf("after a graceful stop: %s", got.State)
	}
}

// requireLibvirtd ends the test as internal/testenv says when libvirtd
// and QEMU's tools are not there, and otherwise holds the machine's lock on
// qemu:///system for the rest of the test.
func requireLibvirtd(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"virsh", "qemu-img"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "kvm", tool+" is not on the PATH")
		}
	}
	if out, err := exec.Command("virsh", "-c", "qemu:///system", "version").CombinedOutput(); err != nil {
		testenv.Missing(t, "kvm", "libvirtd does not answer on qemu:///system: "+strings.TrimSpace(string(out)))
	}
	testenv.LockSystemLibvirt(t)
}

// tinyGuest builds the bootable guest image once per machine (cached in the
// user's cache directory, under a lock shared with the KVM driver's tests)
// and copies it where QEMU can read it.
func tinyGuest(t *testing.T, dir string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	built := filepath.Join(cache, "cloudcore", "kvm-guest")
	if err := os.MkdirAll(filepath.Dir(built), 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../hypervisors/kvm/testdata/build-guest.sh")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("flock", built+".lock", script, built).CombinedOutput()
	if err != nil {
		testenv.Missing(t, "guest-build", "build-guest.sh failed: "+strings.TrimSpace(string(out)))
	}
	img, err := os.ReadFile(filepath.Join(built, "guest.img"))
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "guest.img")
	if err := os.WriteFile(copied, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return copied
}

// qemuReadableDir is a temporary directory QEMU, which runs as another
// user, can reach.
func qemuReadableDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// undefinePool removes the libvirt pool the driver made for a storage pool;
// the engine forgets pools but leaves their storage to the operator.
func undefinePool(t *testing.T, poolID string) {
	name := "cloudcore-pool-" + poolID
	for _, args := range [][]string{{"pool-destroy", name}, {"pool-undefine", name}} {
		out, err := exec.Command("virsh", append([]string{"-c", "qemu:///system"}, args...)...).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "not found") {
			t.Errorf("virsh %v: %v\n%s", args, err, out)
		}
	}
}

// newKVMFixture is a cloud on the machine's libvirtd: one KVM host
// (qemu:///system), a cluster pool in dir, template tmpl and a network.
// Its cleanup destroys every instance and forgets the host, taking the
// network and pool off libvirt.
func newKVMFixture(t *testing.T, tmpl, dir string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, cfg: cloudcore.Config{Database: filepath.Join(t.TempDir(), "cloud.db")}}
	c := f.open()
	f.c = c
	f.zone = must(c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "kvm"}))(t)
	f.pod = must(c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod", ZoneID: f.zone.ID}))(t)
	f.cluster = must(c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "kvm", PodID: f.pod.ID, Hypervisor: "kvm"}))(t)
	f.hosts = append(f.hosts, must(c.Hosts.Create(ctx, cloudcore.HostSpec{Name: "local", ClusterID: f.cluster.ID,
		URL: "qemu:///system?stop_fallback=destroy&stop_timeout=1s"}))(t))
	f.pool = must(c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "local", ClusterID: f.cluster.ID,
		URL: "file://" + filepath.Join(dir, "pool"), CapacityBytes: 100 << 30}))(t)
	t.Cleanup(func() { undefinePool(t, f.pool.ID) })
	f.template = must(c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "tiny", ZoneID: f.zone.ID, URL: "file://" + tmpl,
		Format: "qcow2", Hypervisor: "kvm", SizeBytes: 64 << 20}))(t)
	f.net = must(c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: f.zone.ID, CIDR: "198.18.30.0/24"}))(t)
	t.Cleanup(func() { // registered last, so it runs before the pool goes
		c := must(cloudcore.Open(ctx, f.cfg))(t)
		defer c.Close()
		for _, inst := range must(c.Instances.List(ctx, cloudcore.InstanceFilter{}))(t) {
			_ = c.Instances.Destroy(ctx, inst.ID)
		}
		if err := c.Hosts.Delete(ctx, f.hosts[0].ID); err != nil {
			t.Errorf("deleting the host: %v", err)
		}
	})
	return f
}
