package provider

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// quickstartConfig is examples/quickstart with this test's provider block
// instead of the example's own (the tests serve the provider in-process).
func quickstartConfig(t *testing.T, a *accCloud) string {
	t.Helper()
	src, err := os.ReadFile("../examples/quickstart/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	hcl := string(src)
	start := strings.Index(hcl, "terraform {")
	end := strings.Index(hcl[start:], "\n}\n") + start + 3
	hcl = hcl[:start] + hcl[end:]
	hcl = strings.Replace(hcl, `provider "cloudcore" {}`, "", 1)
	return a.config("%s", hcl)
}

// TestAccQuickstartConvergesAfterDrift applies the quickstart, then powers
// web-1 off and destroys db-1 behind Terraform's back: the plan reports
// both, and apply converges to an empty plan.
func TestAccQuickstartConvergesAfterDrift(t *testing.T) {
	a := newAccCloud(t)
	cfg := quickstartConfig(t, a)
	// The quickstart's instances, by their index in its list.
	index := map[string]string{"web-1": "0", "web-2": "1", "db-1": "2", "batch-1": "3"}
	vm := func(name string) string { return "cloudcore_instance.vm[" + index[name] + "]" }
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(vm("web-1"), tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(vm("batch-1"), tfjsonpath.New("state"), knownvalue.StringExact("Stopped")),
					statecheck.ExpectKnownOutputValue("snapshot", knownvalue.StringExact("db-1-baseline: Ready")),
				},
			},
			{
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					zone, err := c.Zones.GetByName(ctx, "quickstart")
					if err != nil {
						return err
					}
					web, err := c.Instances.GetByName(ctx, zone.ID, "web-1")
					if err != nil {
						return err
					}
					host, err := c.Hosts.Get(ctx, web.HostID)
					if err != nil {
						return err
					}
					if err := a.simulated(host.Name).StopVMOutOfBand(web.ID); err != nil {
						return err
					}
					db, err := c.Instances.GetByName(ctx, zone.ID, "db-1")
					if err != nil {
						return err
					}
					return c.Instances.Destroy(ctx, db.ID)
				}),
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vm("web-1"), plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(vm("db-1"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("cloudcore_snapshot.db_baseline", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(vm("web-2"), plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(vm("web-1"), tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(vm("db-1"), tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
		},
	})
}
