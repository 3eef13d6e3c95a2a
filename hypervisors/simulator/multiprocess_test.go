package simulator_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// TestProcessesShareAHost runs helper processes that create, start, stop
// and start VMs with their volumes on one host at the same time, while a
// fault injected through the Controller counts their CreateVMs on disk.
// Nothing may be lost: every volume and every VM but one is there, running,
// and exactly one CreateVM, the fault's Nth across all processes, failed.
// The helpers write enough to compact the host's journal under each other.
func TestProcessesShareAHost(t *testing.T) {
	const procs, perProc, nth = 3, 150, 200
	dir := t.TempDir()
	mustDo(t, "InjectFault", control(t, dir, "shared").InjectFault(simulator.Fault{
		Op: simulator.OpCreateVM, Nth: nth, Action: simulator.ActionFail, Err: hypervisors.ErrNoCapacity,
	}))
	helpers := make([]*helper, procs)
	for i := range helpers {
		helpers[i] = startHelper(t, roleCreate, dir, "simulator://shared",
			fmt.Sprintf("%s=%d", envCount, perProc), fmt.Sprintf("%s=%d", envPeers, procs), fmt.Sprintf("%s=p%d", envPrefix, i))
	}
	injected := 0
	for _, h := range helpers {
		if h.wait(t) {
			t.Fatal("a helper process was killed")
		}
		n, err := strconv.Atoi(strings.TrimSpace(h.stdout.String()))
		mustDo(t, "reading a helper's count of injected faults", err)
		injected += n
	}
	if injected != 1 {
		t.Errorf("%d CreateVMs failed by the fault, want exactly 1", injected)
	}

	h := connect(t, dir, "shared", "")
	vms, err := h.ListVMs(t.Context())
	mustDo(t, "ListVMs", err)
	if want := procs*perProc - 1; len(vms) != want {
		t.Errorf("ListVMs lists %d VMs, want %d", len(vms), want)
	}
	for _, vm := range vms {
		if vm.Power != hypervisors.PowerRunning {
			t.Errorf("VM %s is %s, want running", vm.ID, vm.Power)
		}
	}
	vols, err := h.ListVolumes(t.Context(), testPool)
	mustDo(t, "ListVolumes", err)
	if want := procs * perProc; len(vols) != want {
		t.Errorf("ListVolumes lists %d volumes, want %d", len(vols), want)
	}
}
