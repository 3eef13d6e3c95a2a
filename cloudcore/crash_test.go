package cloudcore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// Environment of the child process the crash and concurrency tests start.
const (
	childEnv       = "CLOUDCORE_TEST_CHILD" // "deploy", "churn", "nic" or "power"
	childDBEnv     = "CLOUDCORE_TEST_DB"
	childStateEnv  = "CLOUDCORE_TEST_STATE"
	childPrefixEnv = "CLOUDCORE_TEST_PREFIX"
	childCountEnv  = "CLOUDCORE_TEST_COUNT"
	childKeyEnv    = "CLOUDCORE_TEST_KEY"
	childHostEnv   = "CLOUDCORE_TEST_HOST" // the simulated host of "power" mode
)

// TestChildProcess is not a test: it is the body of the separate processes
// the crash, concurrency and fencing tests run and kill. It deploys
// instances on network "guests": in "churn" mode it destroys each one
// again, in "nic" mode it attaches a NIC on network "extra" to each and
// detaches it again; in "power" mode it is the power of a simulated host
// (see hostPower).
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childEnv)
	switch mode {
	case "":
		t.Skip("runs only as a child of the crash, concurrency and fencing tests")
	case "power":
		hostPower(t, os.Getenv(childStateEnv), os.Getenv(childHostEnv))
	}
	ctx := context.Background()
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: os.Getenv(childDBEnv), StateDir: os.Getenv(childStateEnv), SecretKey: os.Getenv(childKeyEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	tmpl := must(c.Templates.List(ctx, "", "tiny"))(t)[0]
	nets := map[string]*cloudcore.Network{}
	for _, n := range must(c.Networks.List(ctx, tmpl.ZoneID))(t) {
		nets[n.Name] = n
	}
	net := nets["guests"]
	n, _ := strconv.Atoi(os.Getenv(childCountEnv))
	prefix := os.Getenv(childPrefixEnv)
	for i := range n {
		inst, err := c.Instances.Create(ctx, cloudcore.InstanceSpec{Name: fmt.Sprintf("%s-%d", prefix, i), TemplateID: tmpl.ID,
			CPUs: 1, MemoryMiB: 256, Networks: []cloudcore.NICRequest{{NetworkID: net.ID}}})
		switch {
		case errors.Is(err, cloudcore.ErrNoCapacity):
			continue // the concurrency test asks for more than fits
		case err != nil:
			fmt.Fprintln(os.Stderr, "deploy:", err)
			os.Exit(4)
		}
		switch mode {
		case "churn":
			if err := c.Instances.Destroy(ctx, inst.ID); err != nil {
				fmt.Fprintln(os.Stderr, "destroy:", err)
				os.Exit(5)
			}
		case "nic":
			inst, err = c.Instances.AttachNIC(ctx, inst.ID, cloudcore.NICRequest{NetworkID: nets["extra"].ID})
			if err == nil {
				_, err = c.Instances.DetachNIC(ctx, inst.ID, inst.NICs[1].MAC)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "NIC:", err)
				os.Exit(6)
			}
		}
	}
	_ = c.Close()
	os.Exit(0)
}

// child prepares a child process of this test binary.
func child(t *testing.T, f *fixture, mode, prefix string, count int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDBEnv+"="+f.cfg.Database, childStateEnv+"="+f.cfg.StateDir,
		childPrefixEnv+"="+prefix, childCountEnv+"="+strconv.Itoa(count), childKeyEnv+"="+f.cfg.SecretKey)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestCrashAtAnyPointLeaksNothing kills a separate process that deploys and
// destroys instances, or attaches and detaches their NICs, at many points: at exact hypervisor calls (before and
// after their effect, through the simulator's crash faults) and at random
// moments. After each kill, opening the cloud and a recovery pass must leave
// every record, reservation and hypervisor object consistent.
func TestCrashAtAnyPointLeaksNothing(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 3})
	must(f.c.Networks.Create(f.ctx, cloudcore.NetworkSpec{Name: "extra", ZoneID: f.zone.ID, CIDR: "10.9.0.0/24", VLAN: 109}))(t)
	_ = f.c.Close()

	type killPoint struct {
		mode  string
		fault *simulator.Fault // nil: a SIGKILL at a random moment
	}
	var points []killPoint
	for _, op := range []simulator.Op{simulator.OpEnsureNetwork, simulator.OpCreateVolume, simulator.OpCreateVM, simulator.OpStartVM} {
		for _, after := range []bool{false, true} {
			points = append(points, killPoint{"deploy", &simulator.Fault{Op: op, Nth: 2, Action: simulator.ActionCrash, After: after}})
		}
	}
	for _, op := range []simulator.Op{simulator.OpDestroyVM, simulator.OpDeleteVolume} {
		for _, after := range []bool{false, true} {
			points = append(points, killPoint{"churn", &simulator.Fault{Op: op, Nth: 1, Action: simulator.ActionCrash, After: after}})
		}
	}
	for _, op := range []simulator.Op{simulator.OpAttachNIC, simulator.OpDetachNIC} {
		for _, after := range []bool{false, true} {
			points = append(points, killPoint{"nic", &simulator.Fault{Op: op, Nth: 1, Action: simulator.ActionCrash, After: after}})
		}
	}
	for range 14 {
		points = append(points, killPoint{"churn", nil})
	}
	if len(points) < 20 {
		t.Fatalf("only %d kill points", len(points))
	}

	rng := rand.New(rand.NewPCG(1, 2))
	recovered, settled := 0, 0
	for i, p := range points {
		name := fmt.Sprintf("p%d", i)
		if p.fault != nil {
			for _, h := range f.hosts {
				if err := f.control(h).InjectFault(*p.fault); err != nil {
					t.Fatal(err)
				}
			}
		}
		count := 4
		if p.fault == nil {
			count = 100000 // busy until the kill lands
		}
		cmd := child(t, f, p.mode, name, count)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if p.fault == nil {
			time.Sleep(time.Duration(150+rng.IntN(300)) * time.Millisecond)
			_ = cmd.Process.Signal(syscall.SIGKILL)
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		killed := errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled()
		if !killed {
			t.Fatalf("kill point %d (%s, fault %+v): the child was not killed: %v", i, p.mode, p.fault, err)
		}
		for _, h := range f.hosts {
			if err := f.control(h).ClearFaults(); err != nil {
				t.Fatal(err)
			}
		}

		cfg := f.cfg
		cfg.SkipRecovery = true
		c, err := cloudcore.Open(f.ctx, cfg)
		if err != nil {
			t.Fatalf("kill point %d: reopening: %v", i, err)
		}
		rep, err := c.Recover(f.ctx)
		if err != nil {
			t.Fatalf("kill point %d: recovery: %v", i, err)
		}
		checkConsistent(t, f, c)
		// Instances whose deploy was rolled back are destroyed, as a user
		// would, so the cloud does not fill up with them.
		for _, inst := range must(c.Instances.List(f.ctx, cloudcore.InstanceFilter{State: cloudcore.Error}))(t) {
			if err := c.Instances.Destroy(f.ctx, inst.ID); err != nil {
				t.Fatalf("kill point %d: destroying %s: %v", i, inst.Name, err)
			}
			recovered++
		}
		checkConsistent(t, f, c)
		if n := sessionCount(t, f, c); n != 1 {
			t.Fatalf("kill point %d: %d sessions recorded; want only this process's", i, n)
		}
		_ = c.Close()
		settled += rep.Completed + rep.RolledBack
		t.Logf("kill point %d (%s, fault %+v): recovery %+v", i, p.mode, p.fault, rep)
	}
	if settled == 0 {
		t.Fatal("no kill point interrupted a journalled operation; the test proves nothing")
	}
	t.Logf("%d kills; recovery settled %d interrupted operations; %d rolled-back instances destroyed", len(points), settled, recovered)
}
