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
	f := newKVMFixture(t, tmpl, dir)
	c := f.c
	_ = c.Close()
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
