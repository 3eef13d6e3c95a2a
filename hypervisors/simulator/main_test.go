package simulator_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// The tests re-run their own binary as helper processes that use a
// simulated host from outside the test process. The environment tells the
// binary which role to play.
const (
	envRole   = "SIMULATOR_TEST_ROLE" // roleDeploy or roleCreate
	envDir    = "SIMULATOR_TEST_DIR"
	envURL    = "SIMULATOR_TEST_URL"
	envVM     = "SIMULATOR_TEST_VM"
	envCount  = "SIMULATOR_TEST_COUNT"
	envPeers  = "SIMULATOR_TEST_PEERS"
	envPrefix = "SIMULATOR_TEST_PREFIX"

	// roleDeploy creates VM $SIMULATOR_TEST_VM on the host of
	// $SIMULATOR_TEST_URL and starts it.
	roleDeploy = "deploy"
	// roleCreate waits for $SIMULATOR_TEST_PEERS helpers to be ready, then
	// creates $SIMULATOR_TEST_COUNT volumes and VMs on the host of
	// $SIMULATOR_TEST_URL, starting, stopping and starting each VM, and
	// prints how many CreateVMs failed by an injected fault.
	roleCreate = "create"
)

func TestMain(m *testing.M) {
	role := os.Getenv(envRole)
	if role == "" {
		os.Exit(m.Run())
	}
	if err := runHelper(role); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func runHelper(role string) error {
	ctx := context.Background()
	d, err := hypervisors.Lookup(simulator.Name)
	if err != nil {
		return err
	}
	h, err := d.Connect(ctx, hypervisors.HostConfig{URL: os.Getenv(envURL), StateDir: os.Getenv(envDir)})
	if err != nil {
		return err
	}
	switch role {
	case roleDeploy:
		id := os.Getenv(envVM)
		if _, err := h.CreateVM(ctx, hypervisors.VMSpec{ID: id, Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256}}); err != nil {
			return err
		}
		return h.StartVM(ctx, id)
	case roleCreate:
		return createMany(ctx, h)
	}
	return fmt.Errorf("unknown role %q", role)
}

func createMany(ctx context.Context, h hypervisors.Host) error {
	count, err := strconv.Atoi(os.Getenv(envCount))
	if err != nil {
		return err
	}
	peers, err := strconv.Atoi(os.Getenv(envPeers))
	if err != nil {
		return err
	}
	if err := awaitPeers(filepath.Join(os.Getenv(envDir), "ready"), peers); err != nil {
		return err
	}
	network := hypervisors.NetworkSpec{ID: "shared-net"}
	if err := h.EnsureNetwork(ctx, network); err != nil {
		return err
	}
	prefix := os.Getenv(envPrefix)
	injected := 0
	for i := range count {
		id := fmt.Sprintf("%s-%04d", prefix, i)
		if _, err := h.CreateVolume(ctx, hypervisors.VolumeSpec{ID: id, Pool: testPool, SizeBytes: 1 << 30}); err != nil {
			return err
		}
		_, err := h.CreateVM(ctx, hypervisors.VMSpec{
			ID:        id,
			Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
			Disks:     []hypervisors.Disk{{VolumeID: id, Pool: testPool}},
			NICs:      []hypervisors.NIC{{NetworkID: network.ID}},
		})
		switch {
		case errors.Is(err, simulator.ErrInjected):
			injected++
			continue
		case err != nil:
			return err
		}
		for _, step := range []func(context.Context, string) error{
			h.StartVM,
			func(ctx context.Context, id string) error { return h.StopVM(ctx, id, false) },
			h.StartVM,
		} {
			if err := step(ctx, id); err != nil {
				return err
			}
		}
	}
	fmt.Println(injected)
	return nil
}

// awaitPeers marks this process ready in dir and waits until n processes are.
func awaitPeers(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600); err != nil {
		return err
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) >= n {
			return nil
		}
	}
	return fmt.Errorf("fewer than %d peers became ready", n)
}

// helper is a helper process of the test binary.
type helper struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// startHelper starts a helper process playing role with the host of url
// whose state is in dir; env adds settings.
func startHelper(t *testing.T, role, dir, url string, env ...string) *helper {
	t.Helper()
	h := &helper{cmd: exec.Command(os.Args[0])}
	h.cmd.Env = append(os.Environ(), append([]string{envRole + "=" + role, envDir + "=" + dir, envURL + "=" + url}, env...)...)
	h.cmd.Stdout, h.cmd.Stderr = &h.stdout, &h.stderr
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("starting helper process: %v", err)
	}
	return h
}

// wait waits for the helper and reports whether SIGKILL ended it; any other
// failure ends the test.
func (h *helper) wait(t *testing.T) (killed bool) {
	t.Helper()
	err := h.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	if err != nil {
		t.Fatalf("helper process: %v\nstderr:\n%s", err, h.stderr.String())
	}
	return false
}
