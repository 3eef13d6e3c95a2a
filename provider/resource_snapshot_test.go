package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// TestAccSnapshotAndRevert snapshots a running instance with memory and a
// stopped one without, reverts to each from HCL, and shows that the plans
// after the reverts are empty when `running` follows the snapshot.
func TestAccSnapshotAndRevert(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(1)
	cfg := func(running bool, extra string) string {
		return a.config(`resource "cloudcore_instance" "db" {
  name        = "db-1"
  template_id = %q
  cpus        = 1
  memory_mib  = 512
  running     = %t
  network {
    network_id = %q
  }
}

resource "cloudcore_snapshot" "live" {
  name        = "live"
  instance_id = cloudcore_instance.db.id
  memory      = true
}
%s`, in.TemplateID, running, in.NetworkID, extra)
	}
	const snap = "cloudcore_snapshot.live"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	revertTo := func(running bool, trigger string) string {
		return cfg(running, fmt.Sprintf(`
resource "cloudcore_snapshot_revert" "r" {
  snapshot_id = cloudcore_snapshot.live.id
  triggers    = { at = %q }
}`, trigger))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg(true, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(snap, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(snap, tfjsonpath.New("state"), knownvalue.StringExact("Ready")),
					statecheck.ExpectKnownValue(snap, tfjsonpath.New("instance_state"), knownvalue.StringExact("Running")),
				},
			},
			{
				// Rename in place.
				Config: a.config(`resource "cloudcore_instance" "db" {
  name        = "db-1"
  template_id = %q
  cpus        = 1
  memory_mib  = 512
  network {
    network_id = %q
  }
}

resource "cloudcore_snapshot" "live" {
  name        = "live-renamed"
  instance_id = cloudcore_instance.db.id
  memory      = true
}`, in.TemplateID, in.NetworkID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snap, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(snap, tfjsonpath.New("id"))},
			},
			{Config: cfg(false, "")}, // stop the instance (the snapshot's name goes back to "live" in place)
			{
				// Revert to the memory snapshot: the instance runs again,
				// which matches running = true, so the plan afterwards is empty.
				Config: revertTo(true, "first"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cloudcore_snapshot_revert.r", tfjsonpath.New("instance_state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue("cloudcore_instance.db", tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{
				// Nothing changed: no second revert, no diff.
				Config:           revertTo(true, "first"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A new trigger reverts again.
				Config: revertTo(true, "second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("cloudcore_snapshot_revert.r", plancheck.ResourceActionReplace)}},
			},
			{ResourceName: snap, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				ResourceName: snap, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources["cloudcore_instance.db"].Primary.ID + "/live", nil
				},
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig: a.instanceByName(in.ZoneID, "db-1", func(ctx context.Context, c *cloudcore.Cloud, i *cloudcore.Instance) error {
					snaps, err := c.Snapshots.List(ctx, i.ID)
					if err != nil {
						return err
					}
					return c.Snapshots.Delete(ctx, snaps[0].ID)
				}),
				Config: revertTo(true, "second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snap, plancheck.ResourceActionCreate)}},
			},
		},
	})
}
