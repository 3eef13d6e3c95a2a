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

// storagePoolParentsHCL declares zone "zone-a" with a pod and a simulator
// cluster "cluster-a".
const storagePoolParentsHCL = `resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_pod" "p" {
  zone_id = cloudcore_zone.z.id
  name    = "pod-a"
}
resource "cloudcore_cluster" "c" {
  pod_id     = cloudcore_pod.p.id
  name       = "cluster-a"
  hypervisor = "simulator"
}
`

func TestAccStoragePool(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameClusterPoolID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_storage_pool.test"
	const clusterPool = "cloudcore_storage_pool.local"
	updated := a.config(storagePoolParentsHCL + `resource "cloudcore_storage_pool" "test" {
  zone_id      = cloudcore_zone.z.id
  name         = "shared-b"
  url          = "nfs://filer.example/export/primary"
  capacity_gib = 2048
  enabled      = false
}
resource "cloudcore_storage_pool" "local" {
  cluster_id   = cloudcore_cluster.c.id
  name         = "local"
  url          = "file:///var/lib/cloudcore/local"
  capacity_gib = 200
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(storagePoolParentsHCL + `resource "cloudcore_storage_pool" "test" {
  zone_id      = cloudcore_zone.z.id
  name         = "shared-a"
  url          = "nfs://filer.example/export/primary"
  capacity_gib = 1024
}
resource "cloudcore_storage_pool" "local" {
  cluster_id   = cloudcore_cluster.c.id
  name         = "local"
  url          = "file:///var/lib/cloudcore/local"
  capacity_gib = 100
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					sameClusterPoolID.AddStateValue(clusterPool, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cluster_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("capacity_gib"), knownvalue.Int64Exact(1024)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					// A cluster-wide pool is in its cluster's zone.
					statecheck.CompareValuePairs(clusterPool, tfjsonpath.New("zone_id"), "cloudcore_zone.z", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				// Rename, grow and disable in place; the cluster-wide pool
				// grows in place, its computed zone_id does not force a
				// replacement.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(clusterPool, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					sameClusterPoolID.AddStateValue(clusterPool, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("shared-b")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("capacity_gib"), knownvalue.Int64Exact(2048)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(clusterPool, tfjsonpath.New("capacity_gib"), knownvalue.Int64Exact(200)),
				},
			},
			{
				// Shrinking an unused pool is allowed.
				Config: a.config(storagePoolParentsHCL + `resource "cloudcore_storage_pool" "test" {
  zone_id      = cloudcore_zone.z.id
  name         = "shared-b"
  url          = "nfs://filer.example/export/primary"
  capacity_gib = 512
  enabled      = false
}
resource "cloudcore_storage_pool" "local" {
  cluster_id   = cloudcore_cluster.c.id
  name         = "local"
  url          = "file:///var/lib/cloudcore/local"
  capacity_gib = 200
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("capacity_gib"), knownvalue.Int64Exact(512)),
				},
			},
			{Config: updated},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-a/shared-b", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: clusterPool, ImportState: true, ImportStateId: "zone-a/local", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					z, err := c.Zones.GetByName(ctx, "zone-a")
					if err != nil {
						return err
					}
					pools, err := c.StoragePools.List(ctx, z.ID)
					if err != nil {
						return err
					}
					for _, p := range pools {
						if p.Name == "shared-b" {
							return c.StoragePools.Delete(ctx, p.ID)
						}
					}
					return cloudcore.ErrNotFound
				}),
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(clusterPool, plancheck.ResourceActionNoop),
				}},
			},
			{
				// Another URL is another pool.
				Config: a.config(storagePoolParentsHCL + `resource "cloudcore_storage_pool" "test" {
  zone_id      = cloudcore_zone.z.id
  name         = "shared-b"
  url          = "nfs://filer2.example/export/primary"
  capacity_gib = 2048
  enabled      = false
}
resource "cloudcore_storage_pool" "local" {
  cluster_id   = cloudcore_cluster.c.id
  name         = "local"
  url          = "file:///var/lib/cloudcore/local"
  capacity_gib = 200
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

func TestStoragePoolRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	step := func(attrs, want string) resource.TestStep {
		return resource.TestStep{
			Config: a.config(`resource "cloudcore_storage_pool" "bad" {
  name = "p1"
  %s
}`, attrs),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	const zone = `zone_id = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"` + "\n"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			step(zone+"url = \"file:///srv/p1\"\ncapacity_gib = -5", `(?s)capacity_gib\s+value\s+must\s+be\s+between\s+1\s+and.*got:\s+-5`),
			step(zone+"url = \"file:///srv/p1\"\ncapacity_gib = 0", `(?s)capacity_gib\s+value\s+must\s+be\s+between\s+1\s+and.*got:\s+0`),
			step(zone+"url = \"ftp://srv/p1\"\ncapacity_gib = 10", `scheme "ftp" is not allowed here`),
			step("url = \"file:///srv/p1\"\ncapacity_gib = 10", `(?s)At\s+least\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured:\s+\[zone_id,cluster_id\]`),
			step("cluster_id = \"c1\"\nurl = \"file:///srv/p1\"\ncapacity_gib = 10", `"c1" is not a UUID`),
		},
	})
}

func TestAccStoragePoolZoneMustBeClusters(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			// The engine's refusal lands on zone_id.
			Config: a.config(storagePoolParentsHCL + `resource "cloudcore_zone" "other" {
  name = "zone-b"
}
resource "cloudcore_storage_pool" "bad" {
  zone_id      = cloudcore_zone.other.id
  cluster_id   = cloudcore_cluster.c.id
  name         = "local"
  url          = "file:///var/lib/cloudcore/local"
  capacity_gib = 100
}`),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Storage Pool.*with cloudcore_storage_pool\.bad.*zone_id\s+=.*leave zone_id empty or make them agree`),
		}},
	})
}
