package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccInstanceDataSource(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(`resource "cloudcore_instance" "vm" {
  name        = "app-1"
  template_id = %q
  cpus        = 2
  memory_mib  = 1024
  network {
    network_id = %q
    ip_address = "10.5.0.77"
  }
}
data "cloudcore_instance" "by_name" {
  zone_id = cloudcore_instance.vm.zone_id
  name    = cloudcore_instance.vm.name
}
data "cloudcore_instance" "by_id" {
  id = cloudcore_instance.vm.id
}`, in.TemplateID, in.NetworkID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs("data.cloudcore_instance.by_name", tfjsonpath.New("id"), "cloudcore_instance.vm", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.cloudcore_instance.by_id", tfjsonpath.New("host_id"), "cloudcore_instance.vm", tfjsonpath.New("host_id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.cloudcore_instance.by_id", tfjsonpath.New("ip_addresses"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("10.5.0.77")})),
				statecheck.ExpectKnownValue("data.cloudcore_instance.by_name", tfjsonpath.New("state"), knownvalue.StringExact("Running")),
			},
		}},
	})
}
