package cloudcore_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// qemuPID reads the PID of the QEMU process of instance id from libvirt's
// run directory; 0 when the domain does not run.
func qemuPID(t *testing.T, id string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/run/libvirt/qemu", "cloudcore-"+id+".pid"))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestKVMHARestartsAnInstanceWhoseQEMUWasKilled kills the QEMU process of
// an HA instance on the machine's libvirtd behind cloudcore's back: the HA
// monitor notices the VM stopped and starts it again on its host.
func TestKVMHARestartsAnInstanceWhoseQEMUWasKilled(t *testing.T) {
	requireLibvirtd(t)
	dir := qemuReadableDir(t)
	tmpl := filepath.Join(dir, "blank.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", tmpl, "64M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, out)
	}
	f := newKVMFixture(t, tmpl, dir)
	s := cloudcore.HASettings{PingInterval: 200 * time.Millisecond, PingTimeout: time.Second}
	must(f.c.Clusters.Update(f.ctx, f.cluster.ID, cloudcore.ClusterUpdate{HA: &s}))(t)
	spec := f.spec("ha")
	spec.CPUs, spec.MemoryMiB, spec.HAEnabled = 1, 64, true
	inst := f.deploy(spec)
	m := cloudcore.NewHAMonitor(f.c)

	old := qemuPID(t, inst.ID)
	if old == 0 {
		t.Fatal("the instance's QEMU process is not running after the deploy")
	}
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatalf("killing QEMU: %v", err)
	}
	checkUntil(t, f, m, "the instance restarted", func() bool {
		got := f.instance(inst.ID)
		pid := qemuPID(t, inst.ID)
		return got.State == cloudcore.Running && !got.HAPending && pid != 0 && pid != old
	})
	if err := syscall.Kill(qemuPID(t, inst.ID), 0); err != nil {
		t.Errorf("the new QEMU process does not run: %v", err)
	}
	expectActions(t, f, inst.ID, cloudcore.EventHARestarting, cloudcore.EventHARestarted)
}
