package cloudcore_test

import (
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// databases are the stores the concurrency test runs on: the embedded
// SQLite default and a throwaway PostgreSQL server.
var databases = []struct {
	name string
	dsn  func(t *testing.T) string // "" for SQLite in the fixture's directory
}{
	{"sqlite", func(*testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return pgDSN(t) }},
}

// TestParallelDeploysNeverDuplicateIPsOrOvercommit asks for more instances
// than the hosts hold, from goroutines and from separate processes at once,
// all into one network, and checks that every address is unique, no host
// holds more than its capacity, and the reservations match the instances.
func TestParallelDeploysNeverDuplicateIPsOrOvercommit(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			// 4 hosts of 4 CPUs take 16 one-CPU instances; 2 processes and
			// 8 goroutines ask for 36.
			f := newFixture(t, fixtureOpts{hosts: 4, cpus: 4, memoryMiB: 65536, database: db.dsn(t)})
			var procs []*exec.Cmd
			for p := range 2 {
				cmd := child(t, f, "deploy", fmt.Sprintf("proc%d", p), 10)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				procs = append(procs, cmd)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 2 {
						_, err := f.c.Instances.Create(f.ctx, f.spec(fmt.Sprintf("g%d-%d", g, i)))
						if err != nil && !errors.Is(err, cloudcore.ErrNoCapacity) {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("deploy: %v", err)
			}
			for _, p := range procs {
				if err := p.Wait(); err != nil {
					t.Errorf("deploying process: %v", err)
				}
			}
			running := must(f.c.Instances.List(f.ctx, cloudcore.InstanceFilter{State: cloudcore.Running}))(t)
			if len(running) != 16 {
				t.Errorf("%d instances run; the hosts hold exactly 16", len(running))
			}
			checkConsistent(t, f, f.c)
		})
	}
}
