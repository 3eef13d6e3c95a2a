package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccTemplateDataSource(t *testing.T) {
	a := newAccCloud(t)
	const templates = `resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_template" "t" {
  zone_id  = cloudcore_zone.z.id
  name     = "debian"
  url      = "https://images.example/debian-12.qcow2"
  format   = "qcow2"
  size_gib = 4
  os_type  = "debian-12"
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		// The last step's configuration is valid: it is also the one the
		// test destroys with.
		Steps: []resource.TestStep{
			{
				// A name needs its zone.
				Config: a.config(templates + `data "cloudcore_template" "bad" {
  name = "debian"
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*zone_id`),
			},
			{
				Config: a.config(templates + `data "cloudcore_template" "missing" {
  zone_id = cloudcore_zone.z.id
  name    = "no-such-template"
}`),
				ExpectError: regexp.MustCompile(`has\s+no\s+template\s+named\s+"no-such-template"`),
			},
			{
				Config: a.config(templates + `data "cloudcore_template" "by_name" {
  zone_id = cloudcore_zone.z.id
  name    = cloudcore_template.t.name
}
data "cloudcore_template" "by_id" {
  id = cloudcore_template.t.id
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("data.cloudcore_template.by_name", tfjsonpath.New("id"), "cloudcore_template.t", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.cloudcore_template.by_id", tfjsonpath.New("zone_id"), "cloudcore_zone.z", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.cloudcore_template.by_id", tfjsonpath.New("name"), knownvalue.StringExact("debian")),
					statecheck.ExpectKnownValue("data.cloudcore_template.by_id", tfjsonpath.New("format"), knownvalue.StringExact("qcow2")),
					statecheck.ExpectKnownValue("data.cloudcore_template.by_id", tfjsonpath.New("size_gib"), knownvalue.Int64Exact(4)),
					statecheck.ExpectKnownValue("data.cloudcore_template.by_id", tfjsonpath.New("os_type"), knownvalue.StringExact("debian-12")),
					statecheck.ExpectKnownValue("data.cloudcore_template.by_id", tfjsonpath.New("hypervisor"), knownvalue.Null()),
				},
			},
		},
	})
}
