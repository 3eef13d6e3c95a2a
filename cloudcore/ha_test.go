package cloudcore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// fastHA checks hosts every 100 ms and suspects them after 200 ms.
var fastHA = cloudcore.HASettings{PingInterval: 100 * time.Millisecond, PingTimeout: 200 * time.Millisecond, RestartRetries: 3}

// haFixture is a fixture whose cluster uses settings s, with a monitor.
func haFixture(t *testing.T, o fixtureOpts, s cloudcore.HASettings) (*fixture, *cloudcore.HAMonitor) {
	t.Helper()
	f := newFixture(t, o)
	f.cluster = must(f.c.Clusters.Update(f.ctx, f.cluster.ID, cloudcore.ClusterUpdate{HA: &s}))(t)
	return f, cloudcore.NewHAMonitor(f.c)
}

// checkUntil runs passes of m (a pass per ping interval of fastHA) until
// done holds, failing the test when it does not within 15 s. It returns
// the sum of the passes' reports.
func checkUntil(t *testing.T, f *fixture, m *cloudcore.HAMonitor, what string, done func() bool) cloudcore.HAReport {
	t.Helper()
	var sum cloudcore.HAReport
	for deadline := time.Now().Add(15 * time.Second); ; {
		r, err := m.Check(f.ctx)
		if err != nil {
			t.Logf("HA pass: %v", err)
		}
		sum.Add(r)
		if done() {
			return sum
		}
		if time.Now().After(deadline) {
			t.Fatalf("the HA monitor did not get to %s; passes so far: %+v", what, sum)
		}
		time.Sleep(fastHA.PingInterval)
	}
}

func (f *fixture) host(id string) *cloudcore.Host {
	f.t.Helper()
	return must(f.c.Hosts.Get(f.ctx, id))(f.t)
}

func (f *fixture) instance(id string) *cloudcore.Instance {
	f.t.Helper()
	return must(f.c.Instances.Get(f.ctx, id))(f.t)
}

// actions lists the actions of the events of object id, oldest first.
func actions(t *testing.T, f *fixture, id string) []string {
	t.Helper()
	var out []string
	for _, e := range must(f.c.Events.List(f.ctx, cloudcore.EventFilter{ObjectID: id}))(t) {
		out = append(out, e.Action)
	}
	return out
}

// expectActions fails unless want appear, in order, among object id's events.
func expectActions(t *testing.T, f *fixture, id string, want ...string) {
	t.Helper()
	got := actions(t, f, id)
	rest := got
	for _, w := range want {
		i := slices.Index(rest, w)
		if i < 0 {
			t.Errorf("events of %s are %v; want %v among them in that order", id, got, want)
			return
		}
		rest = rest[i+1:]
	}
}

// runningCopies counts the hosts that answer and run a VM of instance id.
func runningCopies(t *testing.T, f *fixture, id string) int {
	t.Helper()
	d, err := hypervisors.Lookup(simulator.Name)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range f.hosts {
		conn, err := d.Connect(f.ctx, hypervisors.HostConfig{URL: "simulator://" + h.Name, StateDir: f.cfg.StateDir})
		if errors.Is(err, hypervisors.ErrUnreachable) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if st, err := conn.VMStatus(f.ctx, id); err == nil && st.Power == hypervisors.PowerRunning {
			n++
		}
		_ = conn.Close()
	}
	return n
}

func TestHAFailoverRestartsHAInstancesElsewhere(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{}, fastHA)
	h1 := f.hosts[0]
	var ha, plain []*cloudcore.Instance
	for _, name := range []string{"ha1", "ha2", "ha3"} {
		spec := f.spec(name)
		spec.HAEnabled, spec.HostID = true, h1.ID
		ha = append(ha, f.deploy(spec))
	}
	spec := f.spec("plain")
	spec.HostID = h1.ID
	plain = append(plain, f.deploy(spec))
	elsewhere := f.spec("elsewhere")
	elsewhere.HAEnabled, elsewhere.HostID = true, f.hosts[1].ID
	other := f.deploy(elsewhere)

	checkUntil(t, f, m, "all hosts checked", func() bool { return f.host(h1.ID).HAState == cloudcore.HAAvailable })
	mustDo(t, "PowerOff", f.control(h1).PowerOff())
	r := checkUntil(t, f, m, "the HA instances running elsewhere", func() bool {
		for _, i := range ha {
			if got := f.instance(i.ID); got.State != cloudcore.Running || got.HostID == h1.ID || got.HostID == "" {
				return false
			}
		}
		return true
	})
	if r.Fenced != 1 || r.Restarted != len(ha) {
		t.Errorf("passes fenced %d hosts and restarted %d instances; want 1 and %d", r.Fenced, r.Restarted, len(ha))
	}
	got := f.host(h1.ID)
	if got.State != cloudcore.HostDown || got.HAState != cloudcore.HAFenced {
		t.Errorf("host1 is %s/%s, want Down/Fenced", got.State, got.HAState)
	}
	expectActions(t, f, h1.ID, cloudcore.EventHASuspect, cloudcore.EventHAInvestigating, cloudcore.EventHAFencing, cloudcore.EventHAFenced)
	for _, i := range ha {
		expectActions(t, f, i.ID, cloudcore.EventHARestarting, cloudcore.EventHARestarted)
		if n := runningCopies(t, f, i.ID); n != 1 {
			t.Errorf("instance %s runs on %d hosts, want 1", i.Name, n)
		}
	}
	for _, i := range plain {
		got := f.instance(i.ID)
		if got.State != cloudcore.Stopped || got.HostID != h1.ID {
			t.Errorf("non-HA instance is %s on %s, want Stopped on host1", got.State, got.HostID)
		}
		expectActions(t, f, i.ID, cloudcore.EventHAStopped)
	}
	if got := f.instance(other.ID); got.State != cloudcore.Running || got.HostID != f.hosts[1].ID {
		t.Errorf("the HA instance of a healthy host is %s on %s, want it left running on host2", got.State, got.HostID)
	}
	// Only the non-HA instance still holds host1's capacity.
	assertUsed(t, f, h1, 1000, 512)

	// The fenced host comes back: it is Up again, and the VMs of the
	// instances that moved are swept off it.
	mustDo(t, "PowerOn", f.control(h1).PowerOn())
	checkUntil(t, f, m, "host1 up again", func() bool { return f.host(h1.ID).State == cloudcore.HostUp })
	vms := listVMs(t, f, h1)
	if len(vms) != 1 || vms[0].ID != plain[0].ID {
		t.Errorf("host1 has VMs %+v after it came back; want only the non-HA instance's", vms)
	}
	expectActions(t, f, h1.ID, cloudcore.EventHAFenced, cloudcore.EventHARecovered)
	must(f.c.Instances.Start(f.ctx, plain[0].ID))(t)
	checkConsistent(t, f, f.c)
}

func TestHANeverFencesAHostAPeerSeesRunning(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{}, fastHA)
	h1 := f.hosts[0]
	spec := f.spec("ha")
	spec.HAEnabled, spec.HostID = true, h1.ID
	inst := f.deploy(spec)

	mustDo(t, "SetReachable(false)", f.control(h1).SetReachable(false))
	r := checkUntil(t, f, m, "host1 Degraded", func() bool { return f.host(h1.ID).HAState == cloudcore.HADegraded })
	for range 3 { // and it stays so
		checkUntil(t, f, m, "another pass", func() bool { return true })
	}
	if r.Fenced != 0 {
		t.Errorf("passes fenced %d hosts, want none", r.Fenced)
	}
	expectActions(t, f, h1.ID, cloudcore.EventHASuspect, cloudcore.EventHAInvestigating, cloudcore.EventHAAlert)
	if got := f.instance(inst.ID); got.State != cloudcore.Running || got.HostID != h1.ID {
		t.Errorf("instance is %s on %s, want it left Running on host1", got.State, got.HostID)
	}
	if n := runningCopies(t, f, inst.ID); n != 0 {
		t.Errorf("instance runs on %d other hosts, want none (no double start)", n)
	}
	mustDo(t, "SetReachable(true)", f.control(h1).SetReachable(true))
	checkUntil(t, f, m, "host1 Available", func() bool { return f.host(h1.ID).HAState == cloudcore.HAAvailable })
	if vm := vmOnHost(t, f, h1, inst.ID); vm.Power != hypervisors.PowerRunning {
		t.Errorf("the VM is %s on host1 after it answered again, want running", vm.Power)
	}
}

func TestHAKeepsInstancesWhenFencingFails(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{}, fastHA)
	h1 := f.hosts[0]
	spec := f.spec("ha")
	spec.HAEnabled, spec.HostID = true, h1.ID
	inst := f.deploy(spec)

	ctl := f.control(h1)
	// Cut off, no peer can tell (the other hosts cannot investigate), and
	// fencing fails: nothing may move.
	for _, h := range f.hosts[1:] {
		mustDo(t, "InjectFault", f.control(h).InjectFault(simulator.Fault{Op: simulator.OpInvestigatePeer, Nth: 1, Action: simulator.ActionFail}))
		mustDo(t, "InjectFault", f.control(h).InjectFault(simulator.Fault{Op: simulator.OpInvestigatePeer, Nth: 2, Action: simulator.ActionFail}))
	}
	mustDo(t, "InjectFault", ctl.InjectFault(simulator.Fault{Op: simulator.OpFenceHost, Nth: 1, Action: simulator.ActionFail}))
	mustDo(t, "SetReachable(false)", ctl.SetReachable(false))
	r := checkUntil(t, f, m, "host1 FenceFailed", func() bool { return f.host(h1.ID).HAState == cloudcore.HAFenceFailed })
	if r.Fenced != 0 || r.Restarted != 0 {
		t.Errorf("passes fenced %d hosts and restarted %d instances, want none", r.Fenced, r.Restarted)
	}
	if got := f.instance(inst.ID); got.State != cloudcore.Running || got.HostID != h1.ID {
		t.Errorf("instance is %s on %s, want it left Running on host1", got.State, got.HostID)
	}
	if n := runningCopies(t, f, inst.ID); n != 0 {
		t.Errorf("instance runs on %d other hosts, want none (no double start)", n)
	}
	alerts := must(f.c.Events.List(f.ctx, cloudcore.EventFilter{ObjectID: h1.ID, Action: cloudcore.EventHAAlert}))(t)
	if len(alerts) == 0 || !strings.Contains(alerts[len(alerts)-1].Detail, "fencing failed") {
		t.Errorf("alerts of host1 = %+v, want one that says fencing failed", alerts)
	}

	// The next fence succeeds: only then does the instance move.
	checkUntil(t, f, m, "the instance running elsewhere", func() bool {
		got := f.instance(inst.ID)
		return got.State == cloudcore.Running && got.HostID != h1.ID && got.HostID != ""
	})
	if n := runningCopies(t, f, inst.ID); n != 1 {
		t.Errorf("instance runs on %d hosts after the fence, want 1", n)
	}
}

func TestHAMassFailureGuard(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{hosts: 3}, fastHA)
	var insts []*cloudcore.Instance
	for i, h := range f.hosts[:2] {
		spec := f.spec("ha" + string(rune('1'+i)))
		spec.HAEnabled, spec.HostID = true, h.ID
		insts = append(insts, f.deploy(spec))
		mustDo(t, "PowerOff", f.control(h).PowerOff())
	}
	r := checkUntil(t, f, m, "both hosts held Suspect", func() bool {
		for _, h := range f.hosts[:2] {
			if got := f.host(h.ID); got.HAState != cloudcore.HASuspect || !strings.Contains(got.HADetail, "max_fence_fraction") {
				return false
			}
		}
		return true
	})
	for range 3 {
		r.Add(checkUntil(t, f, m, "another pass", func() bool { return true }))
	}
	if r.Fenced != 0 || r.Held == 0 {
		t.Errorf("passes fenced %d and held %d hosts; want none fenced, some held", r.Fenced, r.Held)
	}
	for _, h := range f.hosts[:2] {
		expectActions(t, f, h.ID, cloudcore.EventHAAlert)
	}
	for _, i := range insts {
		if got := f.instance(i.ID); got.State != cloudcore.Running || got.HostID != i.HostID {
			t.Errorf("instance %s is %s on %s, want it left Running where it was", i.Name, got.State, got.HostID)
		}
	}
}

func TestHARestartRetriesEndInError(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{hosts: 2, cpus: 2}, fastHA)
	h1, h2 := f.hosts[0], f.hosts[1]
	spec := f.spec("ha")
	spec.HAEnabled, spec.HostID, spec.CPUs = true, h1.ID, 2
	inst := f.deploy(spec)
	filler := f.spec("filler")
	filler.HostID, filler.CPUs = h2.ID, 2
	f.deploy(filler)

	mustDo(t, "PowerOff", f.control(h1).PowerOff())
	checkUntil(t, f, m, "the instance in Error", func() bool { return f.instance(inst.ID).State == cloudcore.Error })
	got := f.instance(inst.ID)
	if got.HostID != "" || got.HAPending || got.HAAttempts != fastHA.RestartRetries || !strings.Contains(got.LastError, "3 restart attempts") {
		t.Errorf("instance = host %q, pending %v, %d attempts, error %q; want no host, not pending, 3 attempts and why",
			got.HostID, got.HAPending, got.HAAttempts, got.LastError)
	}
	expectActions(t, f, inst.ID, cloudcore.EventHARestarting, cloudcore.EventHARestarting, cloudcore.EventHAFailed)
	assertUsed(t, f, h1, 0, 0)

	// Capacity returns: a plain Start places the instance again.
	mustDo(t, "PowerOn", f.control(h1).PowerOn())
	checkUntil(t, f, m, "host1 up", func() bool { return f.host(h1.ID).State == cloudcore.HostUp })
	started := must(f.c.Instances.Start(f.ctx, inst.ID))(t)
	if started.State != cloudcore.Running || started.HostID != h1.ID {
		t.Errorf("Start = %s on %s, want Running on host1 (the only host with room)", started.State, started.HostID)
	}
	checkConsistent(t, f, f.c)
}

func TestHARestartsAnHAInstanceThatStoppedOutOfBand(t *testing.T) {
	f, m := haFixture(t, fixtureOpts{hosts: 1}, fastHA)
	h := f.hosts[0]
	haSpec := f.spec("ha")
	haSpec.HAEnabled = true
	ha := f.deploy(haSpec)
	plain := f.deploy(f.spec("plain"))
	for _, i := range []*cloudcore.Instance{ha, plain} {
		mustDo(t, "StopVMOutOfBand", f.control(h).StopVMOutOfBand(i.ID))
	}
	checkUntil(t, f, m, "the HA instance restarted", func() bool {
		got := f.instance(ha.ID)
		return got.State == cloudcore.Running && !got.HAPending
	})
	if vm := vmOnHost(t, f, h, ha.ID); vm.Power != hypervisors.PowerRunning {
		t.Errorf("the HA instance's VM is %s, want running", vm.Power)
	}
	if vm := vmOnHost(t, f, h, plain.ID); vm.Power != hypervisors.PowerStopped {
		t.Errorf("the non-HA instance's VM is %s, want it left stopped", vm.Power)
	}
	expectActions(t, f, ha.ID, cloudcore.EventHARestarting, cloudcore.EventHARestarted)
}

func TestHASettingsInheritAndValidate(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	got := must(f.c.Clusters.HASettings(f.ctx, f.cluster.ID))(t)
	if got != cloudcore.DefaultHASettings {
		t.Errorf("settings of a cluster that sets none = %+v, want the defaults %+v", got, cloudcore.DefaultHASettings)
	}
	zoneHA := cloudcore.HASettings{PingInterval: 10 * time.Second, RestartRetries: 2}
	must(f.c.Zones.Update(f.ctx, f.zone.ID, cloudcore.ZoneUpdate{HA: &zoneHA}))(t)
	must(f.c.Clusters.Update(f.ctx, f.cluster.ID, cloudcore.ClusterUpdate{HA: &cloudcore.HASettings{RestartRetries: 7}}))(t)
	got = must(f.c.Clusters.HASettings(f.ctx, f.cluster.ID))(t)
	want := cloudcore.DefaultHASettings
	want.PingInterval, want.RestartRetries = 10*time.Second, 7
	if got != want {
		t.Errorf("inherited settings = %+v, want %+v", got, want)
	}

	for _, tc := range []struct {
		name  string
		s     cloudcore.HASettings
		field string
	}{
		{"ping interval too short", cloudcore.HASettings{PingInterval: time.Millisecond}, "ha.ping_interval"},
		{"timeout below interval", cloudcore.HASettings{PingInterval: time.Minute, PingTimeout: time.Second}, "ha.ping_timeout"},
		{"negative retries", cloudcore.HASettings{RestartRetries: -1}, "ha.restart_retries"},
		{"negative attempts", cloudcore.HASettings{InvestigationAttempts: -2}, "ha.investigation_attempts"},
		{"fraction above one", cloudcore.HASettings{MaxFenceFraction: 1.5}, "ha.max_fence_fraction"},
		{"fence timeout too short", cloudcore.HASettings{FenceTimeout: time.Millisecond}, "ha.fence_timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.Clusters.Update(f.ctx, f.cluster.ID, cloudcore.ClusterUpdate{HA: &tc.s})
			var fe *cloudcore.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, cloudcore.ErrInvalid) {
				t.Fatalf("Update = %v, want an invalid-field error naming %s", err, tc.field)
			}
			if got := must(f.c.Clusters.HASettings(f.ctx, f.cluster.ID))(t); got != want {
				t.Errorf("settings after a refused update = %+v, want them unchanged", got)
			}
		})
	}
}

// mustDo fails the test when a step that must work fails.
func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestHostOOBMIsValidatedAndSealed(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	const secret = "bmc-s3cret-passphrase"
	for _, tc := range []struct {
		name  string
		oobm  cloudcore.OOBMSpec
		field string
	}{
		{"address with a path", cloudcore.OOBMSpec{Address: "http://bmc1/", Username: "admin"}, "oobm.address"},
		{"port out of range", cloudcore.OOBMSpec{Address: "10.0.0.5:70000", Username: "admin"}, "oobm.address"},
		{"no address", cloudcore.OOBMSpec{Username: "admin"}, "oobm.address"},
		{"no user", cloudcore.OOBMSpec{Address: "10.0.0.5"}, "oobm.username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.Hosts.Create(f.ctx, cloudcore.HostSpec{Name: "bmc-host", ClusterID: f.cluster.ID,
				URL: "simulator://bmc-host", OOBM: &tc.oobm})
			var fe *cloudcore.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, cloudcore.ErrInvalid) {
				t.Fatalf("Create = %v, want an invalid-field error naming %s", err, tc.field)
			}
			if hosts := must(f.c.Hosts.List(f.ctx, cloudcore.HostFilter{Name: "bmc-host"}))(t); len(hosts) != 0 {
				t.Errorf("a refused host was stored: %+v", hosts[0])
			}
		})
	}
	h := must(f.c.Hosts.Create(f.ctx, cloudcore.HostSpec{Name: "bmc-host", ClusterID: f.cluster.ID, URL: "simulator://bmc-host",
		OOBM: &cloudcore.OOBMSpec{Address: "10.0.0.5:623", Username: "admin", Password: secret}}))(t)
	got := f.host(h.ID)
	if got.OOBM == nil || got.OOBM.Address != "10.0.0.5:623" || got.OOBM.Username != "admin" || got.OOBM.SealedPassword == "" ||
		strings.Contains(got.OOBM.SealedPassword, secret) {
		t.Errorf("stored OOBM = %+v, want the address, the user and a sealed password", got.OOBM)
	}
	assertFileLacks(t, f.cfg.Database, secret)
	assertFileLacks(t, f.cfg.Database+"-wal", secret)

	// An empty address removes it.
	must(f.c.Hosts.Update(f.ctx, h.ID, cloudcore.HostUpdate{OOBM: &cloudcore.OOBMSpec{}}))(t)
	if got := f.host(h.ID); got.OOBM != nil {
		t.Errorf("OOBM after removing it = %+v, want none", got.OOBM)
	}
}
