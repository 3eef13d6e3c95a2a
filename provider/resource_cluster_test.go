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

// clusterParentsHCL declares the parents of a cluster: zone "zone-a" and its
// pod "pod-a".
const clusterParentsHCL = `resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_pod" "p" {
  zone_id = cloudcore_zone.z.id
  name    = "pod-a"
}
`

func TestAccCluster(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_cluster.test"
	updated := a.config(clusterParentsHCL + `resource "cloudcore_cluster" "test" {
  pod_id            = cloudcore_pod.p.id
  name              = "cluster-b"
  hypervisor        = "simulator"
  cpu_overcommit    = 2.5
  memory_overcommit = 1.5
  enabled           = false
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(clusterParentsHCL + `resource "cloudcore_cluster" "test" {
  pod_id     = cloudcore_pod.p.id
  name       = "cluster-a"
  hypervisor = "simulator"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cpu_overcommit"), knownvalue.Float64Exact(1)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("memory_overcommit"), knownvalue.Float64Exact(1)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.CompareValuePairs(res, tfjsonpath.New("zone_id"), "cloudcore_zone.z", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				// Rename, over-provision and disable in place.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("cluster-b")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cpu_overcommit"), knownvalue.Float64Exact(2.5)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("memory_overcommit"), knownvalue.Float64Exact(1.5)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-a/pod-a/cluster-b", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					cl, err := findCluster(ctx, c, "zone-a", "pod-a", "cluster-b")
					if err != nil {
						return err
					}
					return c.Clusters.Delete(ctx, cl.ID)
				}),
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
			{
				// Another hypervisor type cannot be had in place.
				Config: a.config(clusterParentsHCL + `resource "cloudcore_cluster" "test" {
  pod_id            = cloudcore_pod.p.id
  name              = "cluster-b"
  hypervisor        = "kvm"
  cpu_overcommit    = 2.5
  memory_overcommit = 1.5
  enabled           = false
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

func TestClusterRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	step := func(attrs, want string) resource.TestStep {
		return resource.TestStep{
			Config: a.config(`resource "cloudcore_cluster" "bad" {
  pod_id = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"
  name   = "c1"
  %s
}`, attrs),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			step(`hypervisor = "hyperv"`, `(?s)hypervisor\s+value\s+must\s+be\s+one\s+of`),
			step("hypervisor = \"simulator\"\ncpu_overcommit = 0.5", `cpu_overcommit\s+value\s+must\s+be\s+between\s+1\.0+\s+and\s+16\.0+,\s+got:\s+0\.50*`),
			step("hypervisor = \"simulator\"\nmemory_overcommit = 17", `memory_overcommit\s+value\s+must\s+be\s+between\s+1\.0+\s+and\s+16\.0+,\s+got:\s+17\.0*`),
		},
	})
}
