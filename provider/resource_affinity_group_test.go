package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

func TestAccAffinityGroup(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_affinity_group.test"
	updated := a.config(`resource "cloudcore_affinity_group" "test" {
  name        = "db-spread"
  type        = "host anti-affinity"
  description = "keep database replicas apart"
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(`resource "cloudcore_affinity_group" "test" {
  name = "web-spread"
  type = "host anti-affinity"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("type"), knownvalue.StringExact("host anti-affinity")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
				},
			},
			{
				// Rename and describe in place.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("db-spread")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("keep database replicas apart")),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "db-spread", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					groups, err := c.AffinityGroups.List(ctx)
					if err != nil {
						return err
					}
					for _, g := range groups {
						if g.Name == "db-spread" {
							return c.AffinityGroups.Delete(ctx, g.ID)
						}
					}
					return fmt.Errorf("no affinity group db-spread")
				}),
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAffinityGroupRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(`resource "cloudcore_affinity_group" "bad" {
  name = "bad"
  type = "rack anti-affinity"
}`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)type.*value must be one of.*"rack anti-affinity"`),
		}},
	})
}
