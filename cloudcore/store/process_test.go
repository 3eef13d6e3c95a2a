package store_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// childEnv holds the DSN a re-executed test binary works on (see TestMain).
const childEnv = "CLOUDCORE_STORE_TEST_CHILD_DSN"

// The world the child processes share: hosts with room for slots
// reservations of 1000 milli-CPUs and 512 MiB each.
const (
	childHosts = 4
	slots      = 50
)

func childHost(i int) store.HostCapacity {
	return store.HostCapacity{HostID: fmt.Sprintf("host-%d", i), ZoneID: "zone-1", ClusterID: "cluster-1",
		Allocatable: true, CPUTotal: slots * 1000, MemTotal: slots * 512}
}

// TestProcessesShareOneDatabase runs several processes (this test binary
// again) against one fresh database at the same time. Each opens it (so
// they race to migrate it), puts the same hosts, then reserves capacity on
// random hosts, recording an event per reservation, until every host is
// full. Together they must fill the hosts exactly, with no error but
// ErrNoCapacity in any process.
func TestProcessesShareOneDatabase(t *testing.T) {
	for _, db := range store.Databases {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			const procs = 4
			children := make([]*child, procs)
			for i := range children {
				children[i] = startChild(t, dsn)
			}
			// Every process has opened the database and put the hosts:
			// let them all reserve at once.
			for _, c := range children {
				c.await(t, "ready")
			}
			for _, c := range children {
				c.stdin.Close()
			}
			total := 0
			for i, c := range children {
				n, err := strconv.Atoi(strings.TrimPrefix(c.await(t, "reserved "), "reserved "))
				if err != nil {
					t.Fatal(err)
				}
				if err := c.cmd.Wait(); err != nil {
					t.Fatalf("process %d: %v\n%s", i, err, c.stderr)
				}
				t.Logf("process %d reserved %d", i, n)
				total += n
			}
			if total != childHosts*slots {
				t.Fatalf("the processes reserved %d slots, want %d", total, childHosts*slots)
			}

			s, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.View(t.Context(), func(tx store.Tx) error {
				for i := range childHosts {
					h, err := tx.GetHostCapacity(t.Context(), childHost(i).HostID)
					if err != nil {
						return err
					}
					if h.CPUUsed != h.CPUTotal || h.MemUsed != h.MemTotal {
						t.Errorf("%s: used %d/%d milli-CPUs and %d/%d MiB, want full", h.HostID, h.CPUUsed, h.CPUTotal, h.MemUsed, h.MemTotal)
					}
				}
				events, err := tx.ListEvents(t.Context(), store.EventFilter{Action: "reserve"})
				if len(events) != total {
					t.Errorf("%d events for %d reservations", len(events), total)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// child is a running copy of this test binary.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

func startChild(t *testing.T, dsn string) *child {
	c := &child{cmd: exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$"), stderr: new(bytes.Buffer)}
	c.cmd.Env = append(os.Environ(), childEnv+"="+dsn)
	c.cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReader(out)
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// await reads the child's next line, which must start with prefix.
func (c *child) await(t *testing.T, prefix string) string {
	t.Helper()
	line, err := c.stdout.ReadString('\n')
	line = strings.TrimSpace(line)
	if err != nil || !strings.HasPrefix(line, prefix) {
		t.Fatalf("child printed %q (%v), want %q...; its stderr:\n%s", line, err, prefix, c.stderr)
	}
	return line
}

// reserveChild is the work of one child process: it prints "ready" once it
// has opened the database and put the hosts, waits for its standard input
// to close, then reserves and prints "reserved N". It returns the exit code.
func reserveChild() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := reserveUntilFull(ctx, os.Getenv(childEnv)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func reserveUntilFull(ctx context.Context, dsn string) error {
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	err = s.Update(ctx, func(tx store.Tx) error {
		for i := range childHosts {
			if err := tx.PutHostCapacity(ctx, childHost(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		return err
	}
	full := map[int]bool{}
	reserved := 0
	for len(full) < childHosts {
		i := rand.IntN(childHosts)
		if full[i] {
			continue
		}
		err := s.Update(ctx, func(tx store.Tx) error {
			h := childHost(i)
			// Read before writing, as the engine does.
			if _, err := tx.GetHostCapacity(ctx, h.HostID); err != nil {
				return err
			}
			if err := tx.ReserveHost(ctx, h.HostID, 1000, 512); err != nil {
				return err
			}
			return tx.InsertEvent(ctx, store.Event{ID: fmt.Sprintf("%d-%d", os.Getpid(), reserved), Action: "reserve", ObjectID: h.HostID})
		})
		switch {
		case errors.Is(err, store.ErrNoCapacity):
			full[i] = true
		case err != nil:
			return err
		default:
			reserved++
		}
	}
	fmt.Printf("reserved %d\n", reserved)
	return nil
}
