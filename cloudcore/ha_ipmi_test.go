//go:build linux

package cloudcore_test

import (
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/bmcsim"
)

// hostPower is the chassis power of simulated host hostname as a BMC sees
// it: ipmi_sim runs it on power-on, and it powers the host on; the
// SIGTERM of a power-off powers the host off (its VMs stop) before the
// process ends, so the BMC reads power off only once the host is off.
func hostPower(t *testing.T, stateDir, hostname string) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	ctl := must(simulator.Control(stateDir, hostname))(t)
	mustDo(t, "PowerOn", ctl.PowerOn())
	<-sig
	mustDo(t, "PowerOff", ctl.PowerOff())
	os.Exit(0)
}

// TestHAFencesAHungHostThroughItsBMC has a host hang (it stops answering
// while its VMs run, and no peer can tell whether it runs): the HA
// monitor powers it off through its BMC, a real ipmi_sim whose power-off
// stops the simulated host, and only then starts its HA instance
// elsewhere. When the BMC powers the host on again, the moved instance's
// old VM is swept off it.
func TestHAFencesAHungHostThroughItsBMC(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{}, fastHA)
	h1 := f.hosts[0]
	exe := must(os.Executable())(t)
	bmc := bmcsim.Start(t, []string{childEnv + "=power", childStateEnv + "=" + f.cfg.StateDir, childHostEnv + "=" + h1.Name},
		exe, "-test.run=^TestChildProcess$", "-test.count=1")
	h1 = must(f.c.Hosts.Update(f.ctx, h1.ID, cloudcore.HostUpdate{
		OOBM: &cloudcore.OOBMSpec{Address: bmc.Address, Username: bmcsim.Username, Password: bmcsim.Password}}))(t)
	spec := f.spec("ha")
	spec.HAEnabled, spec.HostID = true, h1.ID
	inst := f.deploy(spec)
	checkUntil(t, f, m, "host1 checked", func() bool { return f.host(h1.ID).HAState == cloudcore.HAAvailable })

	// The driver could not fence host1: only its BMC can.
	mustDo(t, "InjectFault", f.control(h1).InjectFault(simulator.Fault{Op: simulator.OpFenceHost, Nth: 1, Action: simulator.ActionFail}))
	for _, p := range f.hosts[1:] {
		mustDo(t, "InjectFault", f.control(p).InjectFault(simulator.Fault{Op: simulator.OpInvestigatePeer, Nth: 1, Action: simulator.ActionFail}))
	}
	mustDo(t, "SetReachable(false)", f.control(h1).SetReachable(false))
	r := checkUntil(t, f, m, "the HA instance running elsewhere", func() bool {
		got := f.instance(inst.ID)
		return got.State == cloudcore.Running && got.HostID != h1.ID && got.HostID != ""
	})
	if r.Fenced != 1 || r.FenceFailed != 0 {
		t.Errorf("passes fenced %d hosts and failed %d fences; want 1 fenced, none failed", r.Fenced, r.FenceFailed)
	}
	if got := f.host(h1.ID); got.State != cloudcore.HostDown || got.HAState != cloudcore.HAFenced {
		t.Errorf("host1 is %s/%s, want Down/Fenced", got.State, got.HAState)
	}
	expectActions(t, f, h1.ID, cloudcore.EventHASuspect, cloudcore.EventHAInvestigating, cloudcore.EventHAFencing, cloudcore.EventHAFenced)
	if bmc.PowerIsOn() {
		t.Error("host1's BMC reads power on after the fence")
	}

	// The host's management network is back, but the host is off: the BMC
	// stopped its VM. Powered on through the BMC, it returns without it.
	mustDo(t, "SetReachable(true)", f.control(h1).SetReachable(true))
	if n := runningCopies(t, f, inst.ID); n != 1 {
		t.Errorf("the instance runs on %d hosts, want 1", n)
	}
	bmc.PowerOn()
	checkUntil(t, f, m, "host1 up again", func() bool { return f.host(h1.ID).State == cloudcore.HostUp })
	if vms := listVMs(t, f, h1); len(vms) != 0 {
		t.Errorf("host1 has VMs %+v after it came back; want the moved instance's swept", vms)
	}
	if n := runningCopies(t, f, inst.ID); n != 1 {
		t.Errorf("the instance runs on %d hosts after host1 returned, want 1", n)
	}
	checkConsistent(t, f, f.c)
}
