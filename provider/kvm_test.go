package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// TestAccKVM applies an instance, a network and a memory snapshot on the
// machine's real libvirtd + QEMU, reverts to the snapshot from HCL, imports
// the instance, and re-creates it after it is destroyed out of band.
func TestAccKVM(t *testing.T) {
	a := newAccCloud(t)
	for _, tool := range []string{"virsh", "qemu-img"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "kvm", tool+" is not on the PATH")
		}
	}
	if out, err := exec.Command("virsh", "-c", "qemu:///system", "version").CombinedOutput(); err != nil {
		testenv.Missing(t, "kvm", "libvirtd does not answer on qemu:///system: "+strings.TrimSpace(string(out)))
	}
	testenv.LockSystemLibvirt(t)
	// QEMU runs as another user: the files it opens must be reachable.
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := filepath.Join(dir, "blank.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", tmpl, "64M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, out)
	}
	var poolID, networkID string
	t.Cleanup(func() {
		for _, args := range [][]string{{"pool-destroy"}, {"pool-undefine"}} {
			_ = exec.Command("virsh", "-c", "qemu:///system", args[0], "cloudcore-pool-"+poolID).Run()
		}
	})
	// Guests without an OS ignore ACPI: a graceful stop falls back to off.
	hostURL := "qemu:///system?stop_fallback=destroy&stop_timeout=2s"
	cc := clusterCloud{Zone: "kvm", Hypervisor: "kvm", HostURL: hostURL, PoolURL: "file://" + dir + "/pool",
		TemplateURL: "file://" + tmpl, TemplateFormat: "qcow2", CIDR: "198.18.20.0/24", MemoryMiB: 128}
	live := `resource "cloudcore_snapshot" "live" {
  name        = "live"
  instance_id = cloudcore_instance.vm.id
  memory      = true
}
`
	cfg := func(extra string) string { return a.clusterConfig(cc, 1, live+extra) }
	const inst = "cloudcore_instance.vm"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		// Whatever order Terraform destroys host and network in, the
		// network's bridge must not outlive them on the host.
		CheckDestroy: func(*terraform.State) error {
			out, err := exec.Command("virsh", "-c", "qemu:///system", "net-list", "--all", "--name").CombinedOutput()
			if err != nil {
				return fmt.Errorf("virsh net-list: %v: %s", err, out)
			}
			if strings.Contains(string(out), networkID) {
				return fmt.Errorf("libvirt network of %s is left after destroy", networkID)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				Check: func(s *terraform.State) error {
					poolID = s.RootModule().Resources["cloudcore_storage_pool.p"].Primary.ID
					networkID = s.RootModule().Resources["cloudcore_network.n"].Primary.ID
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ip_address"), knownvalue.StringExact("198.18.20.2")),
					statecheck.ExpectKnownValue("cloudcore_snapshot.live", tfjsonpath.New("state"), knownvalue.StringExact("Ready")),
				},
			},
			{
				// Revert to the memory snapshot: the domain runs again, as
				// running = true wants, so the plan afterwards is empty.
				Config: cfg(`resource "cloudcore_snapshot_revert" "r" {
  snapshot_id = cloudcore_snapshot.live.id
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("cloudcore_snapshot_revert.r", tfjsonpath.New("instance_state"), knownvalue.StringExact("Running")),
				},
			},
			{ResourceName: inst, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					z, err := c.Zones.GetByName(ctx, "kvm")
					if err != nil {
						return err
					}
					i, err := c.Instances.GetByName(ctx, z.ID, "vm1")
					if err != nil {
						return err
					}
					return c.Instances.Destroy(ctx, i.ID)
				}),
				Config: cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionCreate)}},
			},
		},
	})
}
