package provider

import (
	"context"
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

func TestAccZone(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_zone.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(`resource "cloudcore_zone" "test" {
  name = "zone-a"
  dns  = ["192.0.2.53", "2001:db8::53"]
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("zone-a")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("dns"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("192.0.2.53"), knownvalue.StringExact("2001:db8::53")})),
				},
			},
			{
				// Rename, disable and change resolvers in place.
				Config: a.config(`resource "cloudcore_zone" "test" {
  name        = "zone-b"
  description = "second site"
  enabled     = false
  dns         = ["192.0.2.54"]
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("zone-b")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-b", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					z, err := c.Zones.GetByName(ctx, "zone-b")
					if err != nil {
						return err
					}
					return c.Zones.Delete(ctx, z.ID)
				}),
				Config: a.config(`resource "cloudcore_zone" "test" {
  name        = "zone-b"
  description = "second site"
  enabled     = false
  dns         = ["192.0.2.54"]
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccZoneDataSource(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(`resource "cloudcore_zone" "z" {
  name = "lookup-me"
  dns  = ["192.0.2.1"]
}
data "cloudcore_zone" "by_name" {
  name = cloudcore_zone.z.name
}
data "cloudcore_zone" "by_id" {
  id = cloudcore_zone.z.id
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs("data.cloudcore_zone.by_name", tfjsonpath.New("id"), "cloudcore_zone.z", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.cloudcore_zone.by_id", tfjsonpath.New("name"), knownvalue.StringExact("lookup-me")),
			},
		}},
	})
}

func TestZoneRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(`resource "cloudcore_zone" "bad" {
  name = " spaced "
  dns  = ["not-an-ip"]
}`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)not-an-ip.*is not an IP address|is not an IP address.*not-an-ip|must not start or end with spaces`),
		}},
	})
}
