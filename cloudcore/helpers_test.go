package cloudcore_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/pgtest"
)

func mustDrift(i *cloudcore.Instance, d cloudcore.Drift, err error) func(testing.TB) (*cloudcore.Instance, cloudcore.Drift) {
	return func(t testing.TB) (*cloudcore.Instance, cloudcore.Drift) {
		t.Helper()
		if err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		return i, d
	}
}

func assertUsed(t *testing.T, f *fixture, h *cloudcore.Host, cpu, mem int64) {
	t.Helper()
	capa := must(f.c.Hosts.Capacity(f.ctx, h.ID))(t)
	if capa.CPUUsed != cpu || capa.MemUsed != mem {
		t.Fatalf("host %s uses %d milli-CPUs and %d MiB; want %d and %d", h.Name, capa.CPUUsed, capa.MemUsed, cpu, mem)
	}
}

func listVMs(t *testing.T, f *fixture, h *cloudcore.Host) []hypervisors.VMStatus {
	t.Helper()
	conn := must(f.c.Hosts.Connect(f.ctx, h.ID))(t)
	return must(conn.ListVMs(f.ctx))(t)
}

func vmOnHost(t *testing.T, f *fixture, h *cloudcore.Host, id string) hypervisors.VMStatus {
	t.Helper()
	conn := must(f.c.Hosts.Connect(f.ctx, h.ID))(t)
	return must(conn.VMStatus(f.ctx, id))(t)
}

func assertNoVMs(t *testing.T, f *fixture) {
	t.Helper()
	for _, h := range f.hosts {
		if vms := listVMs(t, f, h); len(vms) != 0 {
			t.Fatalf("host %s still has VMs: %+v", h.Name, vms)
		}
	}
}

func assertFileLacks(t *testing.T, path, secret string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(secret)) {
		t.Fatalf("%s contains a plain-text secret", path)
	}
}

// pgDSN returns a fresh database on a throwaway PostgreSQL server, or ends
// the test as internal/testenv says when PostgreSQL is not installed.
func pgDSN(tb testing.TB) string { return pgtest.DSN(tb) }

// sessionCount counts the live-process records in the store.
func sessionCount(t *testing.T, f *fixture, c *cloudcore.Cloud) int {
	t.Helper()
	var n int
	err := c.Store().View(f.ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Count(f.ctx, "session", store.Filter{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
