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

func TestAccPod(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_pod.test"
	renamed := a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_pod" "test" {
  zone_id     = cloudcore_zone.z.id
  name        = "pod-b"
  description = "row 2"
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_pod" "test" {
  zone_id = cloudcore_zone.z.id
  name    = "pod-a"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("pod-a")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.CompareValuePairs(res, tfjsonpath.New("zone_id"), "cloudcore_zone.z", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				// Rename and describe in place.
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("pod-b")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("description"), knownvalue.StringExact("row 2")),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-a/pod-b", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				ResourceName: res, ImportState: true, ImportStateId: "zone-a/no-such-pod",
				ExpectError: regexp.MustCompile(`nothing matches "zone-a/no-such-pod"`),
			},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					id, err := podIDByName(ctx, c, "zone-a", "pod-b")
					if err != nil {
						return err
					}
					return c.Pods.Delete(ctx, id)
				}),
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
			{
				// Moving to another zone replaces the pod.
				Config: a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_zone" "other" {
  name = "zone-b"
}
resource "cloudcore_pod" "test" {
  zone_id     = cloudcore_zone.other.id
  name        = "pod-b"
  description = "row 2"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// podIDByName finds a pod through the library, as another process would.
func podIDByName(ctx context.Context, c *cloudcore.Cloud, zoneName, podName string) (string, error) {
	p, err := findPod(ctx, c, zoneName, podName)
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

func TestPodRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(`resource "cloudcore_pod" "bad" {
  zone_id = "zone-a"
  name    = "p1"
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`"zone-a" is not a UUID`),
			},
			{
				Config: a.config(`resource "cloudcore_pod" "bad" {
  zone_id = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"
  name    = " spaced "
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must not start or end with spaces`),
			},
		},
	})
}

func TestAccPodInMissingZone(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			// The engine's refusal lands on the attribute it names.
			Config: a.config(`resource "cloudcore_pod" "orphan" {
  zone_id = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"
  name    = "p1"
}`),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Pod.*with cloudcore_pod\.orphan.*zone_id = .*no zone with ID`),
		}},
	})
}
