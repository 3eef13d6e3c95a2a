package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/pgtest"
)

// helperEnv makes the test binary run the command instead of the tests, so
// that tests can start real server processes.
const helperEnv = "CLOUDCORE_SERVE_HELPER"

// deployEnv makes the test binary deploy one instance (see deployHelper)
// instead of running the tests.
const deployEnv = "CLOUDCORE_DEPLOY_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stderr))
	}
	if os.Getenv(deployEnv) != "" {
		os.Exit(deployHelper(os.Getenv(deployEnv)))
	}
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// serverProc is a `cloudcore serve` process.
type serverProc struct {
	cmd  *exec.Cmd
	addr string
	log  *strings.Builder
}

// freeAddr returns a free 127.0.0.1 TCP address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts `cloudcore serve` on database with the simulator's
// hosts in stateDir, and flags; the test kills it at the end.
func startServer(t *testing.T, database, stateDir string, flags ...string) *serverProc {
	t.Helper()
	p := &serverProc{addr: freeAddr(t), log: &strings.Builder{}}
	p.cmd = exec.Command(os.Args[0], append([]string{"serve", "-database", database, "-state-dir", stateDir, "-listen", p.addr,
		"-lease-ttl", "3s", "-tick", "100ms", "-log-level", "debug"}, flags...)...)
	p.cmd.Env = append(os.Environ(), helperEnv+"=1", "CLOUDCORE_SECRET_KEY="+testKey)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.log.WriteString(sc.Text() + "\n")
		}
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		<-done
		if t.Failed() {
			t.Logf("log of the server on %s:\n%s", p.addr, p.log.String())
		}
	})
	return p
}

// health reads the server's /healthz; ok is false while it does not answer.
func (p *serverProc) health() (h health, ok bool) {
	resp, err := http.Get("http://" + p.addr + "/healthz")
	if err != nil {
		return h, false
	}
	defer resp.Body.Close()
	return h, resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&h) == nil
}

// waitFor polls cond every 100 ms for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestLeaderDiesAndTheOtherServerFinishesTheFailover runs two servers on
// one PostgreSQL store. The leader is killed in the middle of restarting an
// HA instance of a failed host; the other server takes the lease over,
// settles the interrupted restart and runs the instance elsewhere.
func TestLeaderDiesAndTheOtherServerFinishesTheFailover(t *testing.T) {
	ctx := context.Background()
	database := pgtest.DSN(t)
	stateDir := filepath.Join(t.TempDir(), "sim")
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: database, SecretKey: testKey, StateDir: stateDir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	inst, hosts := haCloud(t, c)

	servers := []*serverProc{startServer(t, database, stateDir), startServer(t, database, stateDir)}
	var leader, follower *serverProc
	waitFor(t, "one server to lead", func() bool {
		leads := 0
		for i, s := range servers {
			if h, ok := s.health(); ok && h.Leader {
				leads++
				leader, follower = s, servers[1-i]
			}
		}
		return leads == 1
	})

	// Creating the VM on the other hosts takes 2 s, so the leader is
	// killed while it restarts the instance.
	for _, h := range hosts[1:] {
		ctl, err := simulator.Control(stateDir, h.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := ctl.SetDelay(simulator.OpCreateVM, 2*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	failed, err := simulator.Control(stateDir, hosts[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := failed.PowerOff(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the leader to begin restarting the instance", func() bool {
		got, err := c.Instances.Get(ctx, inst.ID)
		return err == nil && got.Task == "instance.place"
	})
	if err := leader.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = leader.cmd.Wait() // reaped, as its service manager would
	waitFor(t, "the other server to lead", func() bool { h, ok := follower.health(); return ok && h.Leader })
	waitFor(t, "the instance to run on another host", func() bool {
		got, err := c.Instances.Get(ctx, inst.ID)
		return err == nil && got.State == cloudcore.Running && got.HostID != hosts[0].ID && got.HostID != "" && got.Task == ""
	})
	var pending []store.JournalEntry
	err = c.Store().View(ctx, func(tx store.Tx) error {
		pending, err = tx.ListJournal(ctx, "")
		return err
	})
	if err != nil || len(pending) != 0 {
		t.Errorf("journal after the failover = %v, %v; want it empty", pending, err)
	}
	if !strings.Contains(follower.log.String(), "recovered interrupted operations") {
		t.Error("the new leader did not log a recovery pass")
	}

	// The metrics of the new leader show the lease and the restart.
	metrics := get(t, "http://"+follower.addr+"/metrics")
	for _, want := range []string{"cloudcore_ha_leader 1", "cloudcore_ha_instances_restarted_total 1"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// SIGTERM stops the leader cleanly and gives the lease up.
	if err := follower.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := follower.cmd.Wait(); err != nil {
		t.Errorf("the server exited with %v after SIGTERM, want 0", err)
	}
	if !strings.Contains(follower.log.String(), `"msg":"stopped"`) {
		t.Error("the server did not log that it stopped")
	}
	if held, err := c.AcquireLease(ctx, haLease, "someone-else", time.Minute); err != nil || !held {
		t.Errorf("AcquireLease after the leader stopped = %v, %v; want the lease free", held, err)
	}
}

// deployHelper deploys instance "late" on the host named host of the
// store in $CLOUDCORE_DATABASE, as a provider run would.
func deployHelper(host string) int {
	ctx := context.Background()
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: os.Getenv("CLOUDCORE_DATABASE"), SecretKey: testKey,
		StateDir: os.Getenv("CLOUDCORE_STATE_DIR")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer c.Close()
	hosts, err := c.Hosts.List(ctx, cloudcore.HostFilter{Name: host})
	if err != nil || len(hosts) != 1 {
		fmt.Fprintln(os.Stderr, "host", host, err)
		return 2
	}
	tpl, err := c.Templates.List(ctx, hosts[0].ZoneID, "tiny")
	if err != nil || len(tpl) != 1 {
		fmt.Fprintln(os.Stderr, "template", err)
		return 2
	}
	nets, err := c.Networks.List(ctx, hosts[0].ZoneID)
	if err != nil || len(nets) != 1 {
		fmt.Fprintln(os.Stderr, "network", err)
		return 2
	}
	_, err = c.Instances.Create(ctx, cloudcore.InstanceSpec{Name: "late", TemplateID: tpl[0].ID, CPUs: 1, MemoryMiB: 512,
		Networks: []cloudcore.NICRequest{{NetworkID: nets[0].ID}}, HostID: hosts[0].ID})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestLeaderSettlesWhatDeadProcessesLeave kills a process in the middle of
// a deploy, right after its VM was created, while a server leads: the
// server rolls the deploy back on its own, without waiting for a restart
// or for another process to open the store.
func TestLeaderSettlesWhatDeadProcessesLeave(t *testing.T) {
	ctx := context.Background()
	database := pgtest.DSN(t)
	stateDir := filepath.Join(t.TempDir(), "sim")
	// This process looks without settling anything itself.
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: database, SecretKey: testKey, StateDir: stateDir, SkipRecovery: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, hosts := haCloud(t, c)
	server := startServer(t, database, stateDir, "-recover-interval", "200ms")
	waitFor(t, "the server to lead", func() bool { h, ok := server.health(); return ok && h.Leader })

	target, err := simulator.Control(stateDir, hosts[1].Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := target.InjectFault(simulator.Fault{Op: simulator.OpCreateVM, Nth: 1, Action: simulator.ActionCrash, After: true}); err != nil {
		t.Fatal(err)
	}
	deploy := exec.Command(os.Args[0])
	deploy.Env = append(os.Environ(), deployEnv+"="+hosts[1].Name, "CLOUDCORE_DATABASE="+database, "CLOUDCORE_STATE_DIR="+stateDir)
	out, err := deploy.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the deploy ended with %v (%s), want it killed in CreateVM", err, out)
	}

	waitFor(t, "the server to roll the deploy back", func() bool {
		var pending []store.JournalEntry
		err := c.Store().View(ctx, func(tx store.Tx) error {
			pending, err = tx.ListJournal(ctx, "")
			return err
		})
		return err == nil && len(pending) == 0
	})
	late, err := c.Instances.GetByName(ctx, hosts[1].ZoneID, "late")
	if err != nil {
		t.Fatal(err)
	}
	if late.State != cloudcore.Error || late.HostID != "" {
		t.Errorf("the interrupted instance is %s on %q, want Error without a host", late.State, late.HostID)
	}
	d, err := hypervisors.Lookup(simulator.Name)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := d.Connect(ctx, hypervisors.HostConfig{URL: "simulator://" + hosts[1].Name, StateDir: stateDir})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if vms, err := conn.ListVMs(ctx); err != nil || len(vms) != 0 {
		t.Errorf("VMs left on %s: %+v, %v; want none", hosts[1].Name, vms, err)
	}
	if !strings.Contains(server.log.String(), "settled interrupted operations") {
		t.Error("the server did not log the pass that settled the deploy")
	}
}

// haCloud builds a cluster of three simulated hosts with fast HA settings
// and one HA instance on the first host.
func haCloud(t *testing.T, c *cloudcore.Cloud) (*cloudcore.Instance, []*cloudcore.Host) {
	t.Helper()
	ctx := context.Background()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	zone, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1"})
	check(err)
	pod, err := c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod1", ZoneID: zone.ID})
	check(err)
	cl, err := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "cluster1", PodID: pod.ID, Hypervisor: "simulator",
		HA: cloudcore.HASettings{PingInterval: 200 * time.Millisecond, PingTimeout: 400 * time.Millisecond}})
	check(err)
	var hosts []*cloudcore.Host
	for i := 1; i <= 3; i++ {
		h, err := c.Hosts.Create(ctx, cloudcore.HostSpec{Name: fmt.Sprintf("host%d", i), ClusterID: cl.ID, URL: fmt.Sprintf("simulator://host%d", i)})
		check(err)
		hosts = append(hosts, h)
	}
	_, err = c.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: "primary", ZoneID: zone.ID, URL: "file:///srv/primary", CapacityBytes: 1 << 40})
	check(err)
	tpl, err := c.Templates.Create(ctx, cloudcore.TemplateSpec{Name: "tiny", ZoneID: zone.ID, URL: "http://images.example/tiny.qcow2", Format: "qcow2", SizeBytes: 1 << 30})
	check(err)
	net, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "guests", ZoneID: zone.ID, CIDR: "10.1.0.0/24"})
	check(err)
	inst, err := c.Instances.Create(ctx, cloudcore.InstanceSpec{Name: "ha1", TemplateID: tpl.ID, CPUs: 1, MemoryMiB: 512,
		Networks: []cloudcore.NICRequest{{NetworkID: net.ID}}, HAEnabled: true, HostID: hosts[0].ID})
	check(err)
	return inst, hosts
}

func get(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
