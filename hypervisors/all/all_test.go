package all_test

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"
)

func TestEveryDriverIsRegistered(t *testing.T) {
	for _, name := range []string{"kvm", "simulator", "vmware", "xenserver"} {
		if _, err := hypervisors.Lookup(name); err != nil {
			t.Errorf("Lookup(%q): %v", name, err)
		}
	}
}
