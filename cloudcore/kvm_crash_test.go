package cloudcore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// TestKVMCrashMidDeployLeavesNothingBehind kills a process deploying onto
// the machine's real libvirtd + QEMU at random moments; after recovery no
// domain, volume, address or reservation is left that no instance owns.
func TestKVMCrashMidDeployLeavesNothingBehind(t *testing.T) {
	requireLibvirtd(t)
	dir := qemuReadableDir(t)
	tmpl := filepath.Join(dir, "blank.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", tmpl, "64M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, out)
	}
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, cfg: cloudcore.Config{Database: filepath.Join(t.TempDir(), "cloud.db")}}
	c := f.open()
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
	_ = c.Close()
	t.Cleanup(func() { // first registered, so it runs after the instances are gone
		c := must(cloudcore.Open(ctx, f.cfg))(t)
		defer c.Close()
		for _, inst := range must(c.Instances.List(ctx, cloudcore.InstanceFilter{}))(t) {
			_ = c.Instances.Destroy(ctx, inst.ID)
		}
		if err := c.Hosts.Delete(ctx, f.hosts[0].ID); err != nil {
			t.Errorf("deleting the host: %v", err)
		}
	})

	rng := rand.New(rand.NewPCG(3, 4))
	settled := 0
	for i := range 5 {
		// Churning (deploy, destroy, deploy, ...) is killed mid-deploy or
		// mid-destroy, as the moment falls.
		cmd := child(t, f, "churn", fmt.Sprintf("k%d", i), 1000)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rng.IntN(2500)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		var exit *exec.ExitError
		if err := cmd.Wait(); !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() {
			t.Fatalf("kill %d: the child was not killed: %v", i, err)
		}
		cfg := f.cfg
		cfg.SkipRecovery = true
		rc := must(cloudcore.Open(ctx, cfg))(t)
		rep := must(rc.Recover(ctx))(t)
		settled += rep.Completed + rep.RolledBack
		checkConsistent(t, f, rc)
		for _, inst := range must(rc.Instances.List(ctx, cloudcore.InstanceFilter{}))(t) {
			if err := rc.Instances.Destroy(ctx, inst.ID); err != nil {
				t.Fatalf("kill %d: destroying %s: %v", i, inst.Name, err)
			}
		}
		checkConsistent(t, f, rc)
		_ = rc.Close()
		t.Logf("kill %d: recovery %+v", i, rep)
	}
	if settled == 0 {
		t.Fatal("no kill interrupted a journalled operation; the test proves nothing")
	}
}
