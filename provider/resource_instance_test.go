package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

const instanceHCL = `resource "cloudcore_instance" "web" {
  name        = %q
  template_id = %q
  cpus        = %d
  memory_mib  = %d
  ha_enabled  = %t
  running     = %t
  network {
    network_id = %q
    ip_address = "10.5.0.20"
  }
}`

func TestAccInstance(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(2)
	const res = "cloudcore_instance.web"
	cfg := func(name string, cpus, mem int, ha, running bool) string {
		return a.config(instanceHCL, name, in.TemplateID, cpus, mem, ha, running, in.NetworkID)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	onHost := func(fn func(ctx context.Context, c *cloudcore.Cloud, i *cloudcore.Instance) error) func() {
		return a.instanceByName(in.ZoneID, "web-2", fn)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg("web-1", 1, 512, false, true),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ip_address"), knownvalue.StringExact("10.5.0.20")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("mac_address"), knownvalue.StringRegexp(regexp.MustCompile(`^02(:[0-9a-f]{2}){5}$`))),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("root_disk_gib"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("host_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
				},
			},
			{
				// Resize, rename and HA flag: in place, same ID.
				Config: cfg("web-2", 2, 1024, true, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cpus"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{
				Config: cfg("web-2", 2, 1024, true, false),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Stopped")),
				},
			},
			{
				Config: cfg("web-2", 2, 1024, true, true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{
				// Powered off out of band while running = true: the plan
				// starts it again, in place.
				PreConfig: onHost(func(ctx context.Context, c *cloudcore.Cloud, i *cloudcore.Instance) error {
					h, err := c.Hosts.Get(ctx, i.HostID)
					if err != nil {
						return err
					}
					return a.simulated(h.Name).StopVMOutOfBand(i.ID)
				}),
				Config: cfg("web-2", 2, 1024, true, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: res, ImportState: true, ImportStateId: in.ZoneID + "/web-2", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Its VM deleted on the host behind cloudcore's back: the
				// instance is in Error and is replaced.
				PreConfig: onHost(func(ctx context.Context, c *cloudcore.Cloud, i *cloudcore.Instance) error {
					h, err := c.Hosts.Get(ctx, i.HostID)
					if err != nil {
						return err
					}
					return a.simulated(h.Name).DeleteVMOutOfBand(i.ID)
				}),
				Config: cfg("web-2", 2, 1024, true, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionReplace)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{
				// Destroyed out of band through the library: re-created.
				PreConfig: onHost(func(ctx context.Context, c *cloudcore.Cloud, i *cloudcore.Instance) error {
					return c.Instances.Destroy(ctx, i.ID)
				}),
				Config: cfg("web-2", 2, 1024, true, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate)}},
			},
		},
	})
}

func TestInstanceRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	tests := []struct{ name, hcl, want string }{
		{"negative CPUs", `cpus = -1
  memory_mib = 512`, `cpus`},
		{"too little memory", `cpus = 1
  memory_mib = 16`, `memory_mib`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories,
				Steps: []resource.TestStep{{
					Config: a.config(`resource "cloudcore_instance" "bad" {
  name        = "bad"
  template_id = "00000000-0000-0000-0000-000000000000"
  %s
  network {
    network_id = "00000000-0000-0000-0000-000000000000"
  }
}`, tt.hcl),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
		})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{{
			Config: a.config(`resource "cloudcore_instance" "bad" {
  name        = "web_1"
  template_id = "00000000-0000-0000-0000-000000000000"
  cpus        = 1
  memory_mib  = 512
  network {
    network_id = "00000000-0000-0000-0000-000000000000"
    ip_address = "10.5.0.300"
  }
}`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)(must be a host name.*is not an IP address|is not an IP address.*must be a host name)`),
		}},
	})
}

// TestInstanceAddressOutsideItsNetworkIsRefusedAtPlanTime: a fixed address
// that the (existing) network cannot give fails the plan, on the attribute.
func TestInstanceAddressOutsideItsNetworkIsRefusedAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(1)
	for _, ip := range []string{"10.9.9.9", "10.5.0.1"} { // outside 10.5.0.0/24; its gateway
		t.Run(ip, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories,
				Steps: []resource.TestStep{{
					Config: a.config(`resource "cloudcore_instance" "vm" {
  name        = "fixed"
  template_id = %q
  cpus        = 1
  memory_mib  = 256
  network {
    network_id = %q
    ip_address = %q
  }
}`, in.TemplateID, in.NetworkID, ip),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Invalid Instance Address.*` + regexp.QuoteMeta(ip)),
				}},
			})
		})
	}
}

// TestAccInstanceFailedDeployStaysManaged: when the deploy fails after the
// engine recorded the instance, its ID is saved (tainted), so nothing is
// left unmanaged, and the next apply replaces it.
func TestAccInstanceFailedDeployStaysManaged(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(1)
	cfg := a.config(`resource "cloudcore_instance" "vm" {
  name        = "flaky"
  template_id = %q
  cpus        = 1
  memory_mib  = 256
  network {
    network_id = %q
  }
}`, in.TemplateID, in.NetworkID)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					err := a.simulated(in.HostNames[0]).InjectFault(simulator.Fault{Op: simulator.OpStartVM, Nth: 1, Action: simulator.ActionFail})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Unable to Create Instance`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("cloudcore_instance.vm", plancheck.ResourceActionReplace)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cloudcore_instance.vm", tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
		},
	})
}

// TestFillAfterAFailedDeploy: an instance whose deploy failed has no NICs
// any more; the model keeps the configured networks with null addresses,
// since Terraform refuses a value still unknown after apply.
func TestFillAfterAFailedDeploy(t *testing.T) {
	planned := instanceModel{Network: []instanceNICModel{{NetworkID: types.StringValue("n1"),
		IPAddress: types.StringUnknown(), MACAddress: types.StringUnknown()}}}
	planned.fill(&cloudcore.Instance{State: cloudcore.Error, LastError: "no room"})
	want := []instanceNICModel{{NetworkID: types.StringValue("n1"), IPAddress: types.StringNull(), MACAddress: types.StringNull()}}
	if !reflect.DeepEqual(planned.Network, want) {
		t.Errorf("network after a failed deploy = %+v, want %+v", planned.Network, want)
	}
}

// TestNICsInPlace: which changes of the network blocks are made in place,
// and what the plan then says of each NIC.
func TestNICsInPlace(t *testing.T) {
	nic := func(network, ip, mac string) instanceNICModel {
		str := func(s string) types.String {
			switch s {
			case "":
				return types.StringNull()
			case "?":
				return types.StringUnknown()
			}
			return types.StringValue(s)
		}
		return instanceNICModel{NetworkID: str(network), IPAddress: str(ip), MACAddress: str(mac)}
	}
	a, b := nic("A", "10.0.0.2", "02:00:00:00:00:0a"), nic("B", "10.1.0.2", "02:00:00:00:00:0b")
	for _, tc := range []struct {
		name    string
		old     []instanceNICModel
		cfg     []instanceNICModel
		planned []instanceNICModel // nil: replace
	}{
		{"unchanged", []instanceNICModel{a, b}, []instanceNICModel{nic("A", "", ""), nic("B", "", "")}, []instanceNICModel{a, b}},
		{"one added last", []instanceNICModel{a}, []instanceNICModel{nic("A", "", ""), nic("B", "", "")}, []instanceNICModel{a, nic("B", "?", "?")}},
		{"added with its address", []instanceNICModel{a}, []instanceNICModel{nic("A", "", ""), nic("B", "10.1.0.9", "")}, []instanceNICModel{a, nic("B", "10.1.0.9", "?")}},
		{"added on a network not created yet", []instanceNICModel{a}, []instanceNICModel{nic("A", "", ""), nic("?", "", "")}, []instanceNICModel{a, nic("?", "?", "?")}},
		{"first removed", []instanceNICModel{a, b}, []instanceNICModel{nic("B", "", "")}, []instanceNICModel{b}},
		{"one swapped for another", []instanceNICModel{a}, []instanceNICModel{nic("B", "", "")}, []instanceNICModel{nic("B", "?", "?")}},
		{"kept with its own address", []instanceNICModel{a}, []instanceNICModel{nic("A", "10.0.0.2", "02:00:00:00:00:0a")}, []instanceNICModel{a}},
		{"reordered", []instanceNICModel{a, b}, []instanceNICModel{nic("B", "", ""), nic("A", "", "")}, nil},
		{"added before another", []instanceNICModel{b}, []instanceNICModel{nic("A", "", ""), nic("B", "", "")}, nil},
		{"kept with a new address", []instanceNICModel{a}, []instanceNICModel{nic("A", "10.0.0.3", "")}, nil},
		{"kept with a new MAC", []instanceNICModel{a}, []instanceNICModel{nic("A", "", "02:00:00:00:00:0c")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			planned, ok := nicsInPlace(tc.old, tc.cfg)
			if ok != (tc.planned != nil) || fmt.Sprint(planned) != fmt.Sprint(tc.planned) {
				t.Errorf("nicsInPlace = %v, %v; want %v (nil: replace)", planned, ok, tc.planned)
			}
		})
	}
}

// TestAccInstanceNICsInPlace adds a NIC to a running instance, removes its
// first one, and then asks for a NIC before the remaining one: the first
// two changes are updates of the same instance whose remaining NIC keeps
// its address, the last re-creates it.
func TestAccInstanceNICsInPlace(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(1)
	var extra string
	a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
		n, err := c.Networks.Create(ctx, cloudcore.NetworkSpec{Name: "backend", ZoneID: in.ZoneID, CIDR: "10.6.0.0/24"})
		if err == nil {
			extra = n.ID
		}
		return err
	})()
	const res = "cloudcore_instance.vm"
	cfg := func(networks ...string) string {
		var blocks strings.Builder
		for _, n := range networks {
			fmt.Fprintf(&blocks, "  network {\n    network_id = %q\n  }\n", n)
		}
		return a.config(`resource "cloudcore_instance" "vm" {
  name        = "vm"
  template_id = %q
  cpus        = 1
  memory_mib  = 256
%s}`, in.TemplateID, blocks.String())
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	backendIP := statecheck.CompareValue(compare.ValuesSame())
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)}}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config:            cfg(in.NetworkID),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(res, tfjsonpath.New("id"))},
			},
			{
				Config:           cfg(in.NetworkID, extra),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("network").AtSliceIndex(1).AtMapKey("ip_address"),
						knownvalue.StringRegexp(regexp.MustCompile(`^10\.6\.0\.\d+$`))),
					backendIP.AddStateValue(res, tfjsonpath.New("network").AtSliceIndex(1).AtMapKey("ip_address")),
				},
			},
			{
				Config:           cfg(extra),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("network"), knownvalue.ListSizeExact(1)),
					backendIP.AddStateValue(res, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ip_address")),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				Config: cfg(in.NetworkID, extra),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionReplace)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("network"), knownvalue.ListSizeExact(2)),
				},
			},
		},
	})
}
