package hypervisors_test

import (
	"errors"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

func TestChecks(t *testing.T) {
	const id = "0b4e6f64-5d4c-4d9a-9a6c-3c8a3f0f6b11"
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		t.Errorf("CheckID(%q): %v", id, err)
	}
	for _, bad := range []string{"", "vm1", "0B4E6F64-5D4C-4D9A-9A6C-3C8A3F0F6B11", "{" + id + "}", "../" + id} {
		if err := hypervisors.CheckID("VM ID", bad); !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("CheckID(%q): %v, want ErrInvalid", bad, err)
		}
	}
	for mac, ok := range map[string]bool{"02:00:00:00:00:0a": true, "02-00-00-00-00-0A": true, "02:00:00:00:00": false, "": false} {
		if err := hypervisors.CheckMAC(mac); (err == nil) != ok || err != nil && !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("CheckMAC(%q): %v, want ok=%v", mac, err, ok)
		}
	}
	for r, ok := range map[hypervisors.Resources]bool{{CPUs: 1, MemoryMiB: 1}: true, {CPUs: 0, MemoryMiB: 512}: false, {CPUs: 2}: false} {
		if err := hypervisors.CheckResources(r); (err == nil) != ok || err != nil && !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("CheckResources(%+v): %v, want ok=%v", r, err, ok)
		}
	}
}
