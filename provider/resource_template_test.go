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

func TestAccTemplate(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_template.test"
	updated := a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_template" "test" {
  zone_id    = cloudcore_zone.z.id
  name       = "ubuntu-lts"
  url        = "https://images.example/ubuntu-24.04.qcow2"
  format     = "qcow2"
  hypervisor = "kvm"
  size_gib   = 10
  os_type    = "ubuntu-24.04"
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_template" "test" {
  zone_id    = cloudcore_zone.z.id
  name       = "ubuntu"
  url        = "https://images.example/ubuntu-24.04.qcow2"
  format     = "qcow2"
  hypervisor = "kvm"
  size_gib   = 10
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("size_gib"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("os_type"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hypervisor"), knownvalue.StringExact("kvm")),
				},
			},
			{
				// Rename and set the OS type in place.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("ubuntu-lts")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("os_type"), knownvalue.StringExact("ubuntu-24.04")),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-a/ubuntu-lts", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					z, err := c.Zones.GetByName(ctx, "zone-a")
					if err != nil {
						return err
					}
					id, err := findTemplate(ctx, c, z.ID, "ubuntu-lts")
					if err != nil {
						return err
					}
					return c.Templates.Delete(ctx, id)
				}),
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
			{
				// Another image is another template; leaving out the
				// hypervisor makes it fit any cluster.
				Config: a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_template" "test" {
  zone_id  = cloudcore_zone.z.id
  name     = "ubuntu-lts"
  url      = "file:///srv/images/ubuntu-24.04.raw"
  format   = "raw"
  size_gib = 10
  os_type  = "ubuntu-24.04"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hypervisor"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestTemplateRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	step := func(attrs, want string) resource.TestStep {
		return resource.TestStep{
			Config: a.config(`resource "cloudcore_template" "bad" {
  zone_id = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"
  name    = "t1"
  %s
}`, attrs),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			step("url = \"https://images.example/t1.iso\"\nformat = \"iso\"", `(?s)format\s+value\s+must\s+be\s+one\s+of`),
			step("url = \"ftp://images.example/t1.qcow2\"\nformat = \"qcow2\"", `scheme "ftp" is not allowed here`),
			step("url = \"https://images.example/t1.qcow2\"\nformat = \"qcow2\"\nsize_gib = -1", `(?s)size_gib\s+value\s+must\s+be\s+between\s+0\s+and.*got:\s+-1`),
			step("url = \"https://images.example/t1.qcow2\"\nformat = \"qcow2\"\nhypervisor = \"hyperv\"", `(?s)hypervisor\s+value\s+must\s+be\s+one\s+of`),
		},
	})
}
