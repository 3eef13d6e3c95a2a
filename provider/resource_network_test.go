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

// networkZone is the zone every network test builds its networks in.
const networkZone = `resource "cloudcore_zone" "z" {
  name = "zone-a"
  dns  = ["192.0.2.53"]
}
`

func TestAccNetwork(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_network.test"
	updated := a.config(networkZone + `
resource "cloudcore_network" "test" {
  name            = "net-b"
  zone_id         = cloudcore_zone.z.id
  cidr            = "10.10.0.0/24"
  vlan            = 100
  dns             = ["198.51.100.53", "2001:db8::53"]
  reserved_ranges = ["10.10.0.200-10.10.0.250", "10.10.0.10"]
  description     = "web tier"
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				// An isolated network with the gateway and DNS left to the
				// engine, and an l2 segment beside it.
				Config: a.config(networkZone + `
resource "cloudcore_network" "test" {
  name            = "net-a"
  zone_id         = cloudcore_zone.z.id
  cidr            = "10.10.0.0/24"
  vlan            = 100
  reserved_ranges = ["10.10.0.200-10.10.0.250", "10.10.0.10"]
}

resource "cloudcore_network" "l2" {
  name    = "storage"
  zone_id = cloudcore_zone.z.id
  type    = "l2"
  vlan    = 200
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The default gateway is known at plan time.
					plancheck.ExpectKnownValue(res, tfjsonpath.New("gateway"), knownvalue.StringExact("10.10.0.1")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("type"), knownvalue.StringExact("isolated")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("gateway"), knownvalue.StringExact("10.10.0.1")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("vlan"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("dns"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("192.0.2.53")})),
					statecheck.ExpectKnownValue("cloudcore_network.l2", tfjsonpath.New("cidr"), knownvalue.Null()),
					statecheck.ExpectKnownValue("cloudcore_network.l2", tfjsonpath.New("gateway"), knownvalue.Null()),
				},
			},
			{
				// Rename, new resolvers and a description: all in place.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("net-b")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("web tier")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("dns"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("198.51.100.53"), knownvalue.StringExact("2001:db8::53")})),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-a/net-b", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					z, err := c.Zones.GetByName(ctx, "zone-a")
					if err != nil {
						return err
					}
					n, err := c.Networks.GetByName(ctx, z.ID, "net-b")
					if err != nil {
						return err
					}
					return c.Networks.Delete(ctx, n.ID)
				}),
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
			{
				// A new address plan replaces the network, and the default
				// gateway follows the new CIDR.
				Config: a.config(networkZone + `
resource "cloudcore_network" "test" {
  name    = "net-b"
  zone_id = cloudcore_zone.z.id
  cidr    = "10.11.0.0/24"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("gateway"), knownvalue.StringExact("10.11.0.1")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("vlan"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("reserved_ranges"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestAccNetworkDataSource(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(networkZone + `
resource "cloudcore_network" "n" {
  name    = "lookup-me"
  zone_id = cloudcore_zone.z.id
  type    = "shared"
  cidr    = "FD00:1::/64"
  gateway = "FD00:1::FE"
}
data "cloudcore_network" "by_name" {
  zone_id = cloudcore_zone.z.id
  name    = cloudcore_network.n.name
}
data "cloudcore_network" "by_id" {
  id = cloudcore_network.n.id
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				// The resource keeps the configuration's spelling of addresses
				// (no perpetual diff); the data source shows the canonical one.
				statecheck.ExpectKnownValue("cloudcore_network.n", tfjsonpath.New("cidr"), knownvalue.StringExact("FD00:1::/64")),
				statecheck.CompareValuePairs("data.cloudcore_network.by_name", tfjsonpath.New("id"), "cloudcore_network.n", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.cloudcore_network.by_id", tfjsonpath.New("name"), knownvalue.StringExact("lookup-me")),
				statecheck.ExpectKnownValue("data.cloudcore_network.by_id", tfjsonpath.New("type"), knownvalue.StringExact("shared")),
				statecheck.ExpectKnownValue("data.cloudcore_network.by_id", tfjsonpath.New("gateway"), knownvalue.StringExact("fd00:1::fe")),
				statecheck.ExpectKnownValue("data.cloudcore_network.by_name", tfjsonpath.New("cidr"), knownvalue.StringExact("fd00:1::/64")),
			},
		}},
	})
}

func TestNetworkRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	network := func(attrs string) string {
		return a.config(networkZone+`
resource "cloudcore_network" "bad" {
  name    = "bad"
  zone_id = cloudcore_zone.z.id
  %s
}`, attrs)
	}
	step := func(attrs, want string) resource.TestStep {
		return resource.TestStep{Config: network(attrs), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			step(`cidr = "10.0.0.0/33"`, `"10.0.0.0/33" is not in CIDR\s+notation`),
			step(`cidr = "10.0.0.1/24"`, `(?s)"10.0.0.1/24" has host bits set.*"10.0.0.0/24"`),
			step(`cidr = "10.0.0.0/24"
  gateway = "10.0.1.1"`, `(?s)gateway\s+= "10.0.1.1".*10.0.1.1 is outside the network 10.0.0.0/24`),
			step(`cidr = "10.0.0.0/24"
  vlan = 5000`, `(?s)vlan.*value must be between 0 and 4094, got: 5000`),
			step(`type = "l2"
  cidr = "10.0.0.0/24"`, `(?s)An l2 network has no IP addresses, so it takes\s+no\s+cidr`),
			step(`type = "isolated"`, `(?s)Missing Network CIDR`),
			step(`cidr = "10.0.0.0/24"
  reserved_ranges = ["10.0.9.1-10.0.9.9"]`, `(?s)reserved_ranges.*not inside the network 10.0.0.0/24`),
		},
	})
}

func TestAccNetworkClashesNameTheAttribute(t *testing.T) {
	a := newAccCloud(t)
	network := func(cidr string, vlan int) string {
		return a.config(networkZone+`
resource "cloudcore_network" "first" {
  name    = "first"
  zone_id = cloudcore_zone.z.id
  cidr    = "10.20.0.0/16"
  vlan    = 300
}

resource "cloudcore_network" "second" {
  name       = "second"
  zone_id    = cloudcore_zone.z.id
  cidr       = %q
  vlan       = %d
  depends_on = [cloudcore_network.first]
}`, cidr, vlan)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				// The diagnostic points at the cidr line of the second network.
				Config:      network("10.20.5.0/24", 0),
				ExpectError: regexp.MustCompile(`(?s)Unable to Create Network.*\d+:\s+cidr\s+= "10.20.5.0/24".*overlaps network first`),
			},
			{
				Config:      network("10.30.0.0/24", 300),
				ExpectError: regexp.MustCompile(`(?s)Unable to Create Network.*\d+:\s+vlan\s+= 300.*VLAN 300 is used by network first`),
			},
		},
	})
}
