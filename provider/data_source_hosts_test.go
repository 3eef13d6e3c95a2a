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

func TestAccHostsDataSource(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
}
resource "cloudcore_pod" "p" {
  zone_id = cloudcore_zone.z.id
  name    = "pod-a"
}
resource "cloudcore_cluster" "c1" {
  pod_id     = cloudcore_pod.p.id
  name       = "cluster-1"
  hypervisor = "simulator"
}
resource "cloudcore_cluster" "c2" {
  pod_id     = cloudcore_pod.p.id
  name       = "cluster-2"
  hypervisor = "simulator"
}
resource "cloudcore_host" "a" {
  cluster_id = cloudcore_cluster.c1.id
  name       = "hv-a"
  url        = "simulator://hv-a?cpus=8&memory_mib=16384"
}
resource "cloudcore_host" "b" {
  cluster_id  = cloudcore_cluster.c1.id
  name        = "hv-b"
  url         = "simulator://hv-b?cpus=16"
  maintenance = true
  depends_on  = [cloudcore_host.a] # hosts are listed in the order they were added
}
resource "cloudcore_host" "c" {
  cluster_id = cloudcore_cluster.c2.id
  name       = "hv-c"
  url        = "simulator://hv-c"
  depends_on = [cloudcore_host.b]
}
data "cloudcore_hosts" "cluster1" {
  cluster_id = cloudcore_cluster.c1.id
  depends_on = [cloudcore_host.a, cloudcore_host.b, cloudcore_host.c]
}
data "cloudcore_hosts" "up_in_zone" {
  zone_id    = cloudcore_zone.z.id
  state      = "Up"
  depends_on = [cloudcore_host.a, cloudcore_host.b, cloudcore_host.c]
}
data "cloudcore_hosts" "by_name" {
  name       = "hv-c"
  depends_on = [cloudcore_host.a, cloudcore_host.b, cloudcore_host.c]
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudcore_hosts.cluster1", tfjsonpath.New("hosts"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("hv-a"), "state": knownvalue.StringExact("Up"), "cpus": knownvalue.Int64Exact(8),
						"memory_mib": knownvalue.Int64Exact(16384), "hypervisor": knownvalue.StringExact("simulator"),
						"maintenance": knownvalue.Bool(false), "hostname": knownvalue.StringExact("hv-a"),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("hv-b"), "state": knownvalue.StringExact("Maintenance"), "cpus": knownvalue.Int64Exact(16),
					}),
				})),
				statecheck.CompareValuePairs("data.cloudcore_hosts.cluster1", tfjsonpath.New("ids").AtSliceIndex(0), "cloudcore_host.a", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.cloudcore_hosts.cluster1", tfjsonpath.New("hosts").AtSliceIndex(0).AtMapKey("cluster_id"), "cloudcore_cluster.c1", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.cloudcore_hosts.up_in_zone", tfjsonpath.New("hosts"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("hv-a")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("hv-c")}),
				})),
				statecheck.ExpectKnownValue("data.cloudcore_hosts.by_name", tfjsonpath.New("ids"), knownvalue.ListSizeExact(1)),
				statecheck.CompareValuePairs("data.cloudcore_hosts.by_name", tfjsonpath.New("ids").AtSliceIndex(0), "cloudcore_host.c", tfjsonpath.New("id"), compare.ValuesSame()),
			},
		}},
	})
}

func TestHostsDataSourceRejectsBadFilters(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config:      a.config(`data "cloudcore_hosts" "bad" { state = "Running" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)state\s+value\s+must\s+be\s+one\s+of`),
			},
			{
				Config:      a.config(`data "cloudcore_hosts" "bad" { cluster_id = "cluster-1" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`"cluster-1" is not a UUID`),
			},
		},
	})
}
