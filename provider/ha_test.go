package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// effectiveHA is a check that the HA monitor applies want to cluster
// "zone-a/pod-a/cluster-a".
func (a *accCloud) effectiveHA(want cloudcore.HASettings) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var err error
		a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
			cl, ferr := findCluster(ctx, c, "zone-a", "pod-a", "cluster-a")
			if ferr != nil {
				return ferr
			}
			got, herr := c.Clusters.HASettings(ctx, cl.ID)
			if herr != nil {
				return herr
			}
			if got != want {
				err = fmt.Errorf("the cluster's effective HA settings are %+v, want %+v", got, want)
			}
			return nil
		})()
		return err
	}
}

func TestAccHASettings(t *testing.T) {
	a := newAccCloud(t)
	sameZone := statecheck.CompareValue(compare.ValuesSame())
	sameCluster := statecheck.CompareValue(compare.ValuesSame())
	config := func(zoneHA, clusterHA string) string {
		return a.config(`resource "cloudcore_zone" "z" {
  name = "zone-a"
  %s
}
resource "cloudcore_pod" "p" {
  zone_id = cloudcore_zone.z.id
  name    = "pod-a"
}
resource "cloudcore_cluster" "c" {
  pod_id     = cloudcore_pod.p.id
  name       = "cluster-a"
  hypervisor = "simulator"
  %s
}`, zoneHA, clusterHA)
	}
	d := cloudcore.DefaultHASettings
	zoneHA := `ha = {
    ping_interval          = "20s"
    investigation_attempts = 3
  }`
	// "90s" is kept as written, although cloudcore records 1m30s.
	clusterHA := `ha = {
    ping_interval      = "30s"
    ping_timeout       = "90s"
    restart_retries    = 2
    max_fence_fraction = 0.34
  }`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: config("", ""),
				Check:  a.effectiveHA(d),
				ConfigStateChecks: []statecheck.StateCheck{
					sameZone.AddStateValue("cloudcore_zone.z", tfjsonpath.New("id")),
					sameCluster.AddStateValue("cloudcore_cluster.c", tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("cloudcore_cluster.c", tfjsonpath.New("ha"), knownvalue.Null()),
				},
			},
			{
				// Settings on the zone and the cluster, in place; the
				// cluster's win, the zone's fill in, the defaults the rest.
				Config: config(zoneHA, clusterHA),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("cloudcore_zone.z", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("cloudcore_cluster.c", plancheck.ResourceActionUpdate),
				}},
				Check: a.effectiveHA(cloudcore.HASettings{PingInterval: 30 * time.Second, PingTimeout: 90 * time.Second,
					InvestigationAttempts: 3, FenceTimeout: d.FenceTimeout, RestartRetries: 2, MaxFenceFraction: 0.34}),
				ConfigStateChecks: []statecheck.StateCheck{
					sameZone.AddStateValue("cloudcore_zone.z", tfjsonpath.New("id")),
					sameCluster.AddStateValue("cloudcore_cluster.c", tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("cloudcore_cluster.c", tfjsonpath.New("ha").AtMapKey("ping_timeout"), knownvalue.StringExact("90s")),
					statecheck.ExpectKnownValue("cloudcore_cluster.c", tfjsonpath.New("ha").AtMapKey("fence_timeout"), knownvalue.Null()),
				},
			},
			// Import reads the settings back (durations in Go's spelling).
			{ResourceName: "cloudcore_zone.z", ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				ResourceName: "cloudcore_cluster.c", ImportState: true, ImportStateId: "zone-a/pod-a/cluster-a",
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if got := s[0].Attributes["ha.ping_timeout"]; got != "1m30s" {
						return fmt.Errorf("imported ha.ping_timeout = %q, want 1m30s", got)
					}
					if got := s[0].Attributes["ha.restart_retries"]; got != "2" {
						return fmt.Errorf("imported ha.restart_retries = %q, want 2", got)
					}
					return nil
				},
			},
			{
				// Removing the cluster's settings inherits the zone's again.
				Config: config(zoneHA, ""),
				Check: a.effectiveHA(cloudcore.HASettings{PingInterval: 20 * time.Second, PingTimeout: d.PingTimeout,
					InvestigationAttempts: 3, FenceTimeout: d.FenceTimeout, RestartRetries: d.RestartRetries, MaxFenceFraction: d.MaxFenceFraction}),
				ConfigStateChecks: []statecheck.StateCheck{
					sameCluster.AddStateValue("cloudcore_cluster.c", tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("cloudcore_cluster.c", tfjsonpath.New("ha"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestHASettingsRejectBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	step := func(ha, want string) resource.TestStep {
		return resource.TestStep{
			Config: a.config(`resource "cloudcore_cluster" "bad" {
  pod_id     = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"
  name       = "c1"
  hypervisor = "simulator"
  ha = {
    %s
  }
}`, ha),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			step(`ping_interval = "5 minutes"`, `(?s)ha\.ping_interval.*"5 minutes" is not a duration`),
			step(`fence_timeout = "10ms"`, `(?s)ha\.fence_timeout.*10ms is too short; use at least 1s`),
			step("ping_interval = \"60s\"\nping_timeout = \"30s\"", `(?s)Invalid HA Settings.*ha\.ping_timeout.*shorter than ping_interval`),
			step(`max_fence_fraction = 0`, `(?s)ha\.max_fence_fraction.*between 0\.01`),
			step(`restart_retries = 0`, `(?s)ha\.restart_retries.*between 1 and 1000`),
		},
	})
}

// haHostsHCL declares a simulator cluster with two hosts (8 CPUs each) and
// a quick HA monitor, a shared pool, a template, a network and an HA
// instance of 6 CPUs, which fits on either host but not beside another.
const haHostsHCL = `resource "cloudcore_zone" "z" {
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
  ha = {
    ping_interval   = "100ms"
    ping_timeout    = "200ms"
    restart_retries = 1
  }
}
resource "cloudcore_host" "h" {
  count      = 2
  cluster_id = cloudcore_cluster.c.id
  name       = "hv${count.index + 1}"
  url        = "simulator://hv${count.index + 1}?cpus=8&memory_mib=16384"
}
resource "cloudcore_storage_pool" "shared" {
  cluster_id   = cloudcore_cluster.c.id
  name         = "shared"
  url          = "file:///srv/shared"
  capacity_gib = 1024
}
resource "cloudcore_template" "t" {
  zone_id  = cloudcore_zone.z.id
  name     = "tiny"
  url      = "http://images.example/tiny.qcow2"
  format   = "qcow2"
  size_gib = 1
}
resource "cloudcore_network" "n" {
  zone_id = cloudcore_zone.z.id
  name    = "guests"
  cidr    = "10.5.0.0/24"
}
resource "cloudcore_instance" "web" {
  name        = "web"
  template_id = cloudcore_template.t.id
  cpus        = 6
  memory_mib  = 1024
  ha_enabled  = true
  network {
    network_id = cloudcore_network.n.id
  }
  depends_on = [cloudcore_host.h, cloudcore_storage_pool.shared]
}
`

// haPasses runs HA monitor passes on the test's store, one per 100 ms,
// until done holds (failing the test after 20 s).
func (a *accCloud) haPasses(what string, done func(ctx context.Context, c *cloudcore.Cloud) bool) func(ctx context.Context, c *cloudcore.Cloud) error {
	return func(ctx context.Context, c *cloudcore.Cloud) error {
		m := cloudcore.NewHAMonitor(c)
		for deadline := time.Now().Add(20 * time.Second); !done(ctx, c); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("the HA monitor did not get to %s in 20 s", what)
			}
			if _, err := m.Check(ctx); err != nil {
				a.t.Logf("HA pass: %v", err)
			}
		}
		return nil
	}
}

// hostOf returns the host an instance runs on.
func hostOf(ctx context.Context, c *cloudcore.Cloud, zoneID, instance string) *cloudcore.Host {
	i, err := c.Instances.GetByName(ctx, zoneID, instance)
	if err != nil || i.HostID == "" {
		return nil
	}
	h, err := c.Hosts.Get(ctx, i.HostID)
	if err != nil {
		return nil
	}
	return h
}

// TestAccHAFailoverInTerraform shows HA through the provider: after the
// HA monitor moved an instance off a failed host, the next plan is empty
// and the state shows the new host and the fenced one; when no host had
// room and the instance ended in Error, the plan starts it again, in
// place, rather than replacing it and its disk.
func TestAccHAFailoverInTerraform(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const web = "cloudcore_instance.web"
	config := a.config(haHostsHCL)
	var zoneID, failed string
	powerOffWebHost := func(ctx context.Context, c *cloudcore.Cloud) error {
		z, err := c.Zones.GetByName(ctx, "zone-a")
		if err != nil {
			return err
		}
		zoneID = z.ID
		h := hostOf(ctx, c, zoneID, "web")
		if h == nil {
			return fmt.Errorf("instance web runs on no host")
		}
		failed = h.Name
		return a.simulated(h.Name).PowerOff()
	}
	powerOn := func(host string) func(ctx context.Context, c *cloudcore.Cloud) error {
		return func(ctx context.Context, c *cloudcore.Cloud) error {
			if err := a.simulated(host).PowerOn(); err != nil {
				return err
			}
			return a.haPasses(host+" up", func(ctx context.Context, c *cloudcore.Cloud) bool {
				hs, err := c.Hosts.List(ctx, cloudcore.HostFilter{Name: host})
				return err == nil && len(hs) == 1 && hs[0].State == cloudcore.HostUp
			})(ctx, c)
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(web, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{
				// The instance's host fails; the monitor fences it and
				// restarts the instance on the other host. Terraform has
				// nothing to do, and the state shows what happened.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					if err := powerOffWebHost(ctx, c); err != nil {
						return err
					}
					return a.haPasses("web running elsewhere", func(ctx context.Context, c *cloudcore.Cloud) bool {
						h := hostOf(ctx, c, zoneID, "web")
						return h != nil && h.Name != failed
					})(ctx, c)
				}),
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					res := s.RootModule().Resources
					host := res[fmt.Sprintf("cloudcore_host.h.%c", failed[2]-1)] // hv1 is h.0
					if got := host.Primary.Attributes["ha_state"]; got != string(cloudcore.HAFenced) {
						return fmt.Errorf("the failed host's ha_state = %q, want Fenced", got)
					}
					if res[web].Primary.Attributes["host_id"] == host.Primary.ID {
						return fmt.Errorf("the instance's host_id is still the failed host")
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(web, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
			{
				// The failed host returns and fills up; then the
				// instance's new host fails too: no host has room, so
				// the restart ends in Error. Once a host returns, the
				// plan starts the instance again in place.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					if err := powerOn(failed)(ctx, c); err != nil {
						return err
					}
					hs, err := c.Hosts.List(ctx, cloudcore.HostFilter{Name: failed})
					if err != nil {
						return err
					}
					tmpl, err := c.Templates.List(ctx, zoneID, "tiny")
					if err != nil {
						return err
					}
					nets, err := c.Networks.List(ctx, zoneID)
					if err != nil {
						return err
					}
					if _, err := c.Instances.Create(ctx, cloudcore.InstanceSpec{Name: "filler", TemplateID: tmpl[0].ID, HostID: hs[0].ID,
						CPUs: 6, MemoryMiB: 1024, Networks: []cloudcore.NICRequest{{NetworkID: nets[0].ID}}}); err != nil {
						return err
					}
					if err := powerOffWebHost(ctx, c); err != nil {
						return err
					}
					if err := a.haPasses("web in Error", func(ctx context.Context, c *cloudcore.Cloud) bool {
						i, err := c.Instances.GetByName(ctx, zoneID, "web")
						return err == nil && i.State == cloudcore.Error
					})(ctx, c); err != nil {
						return err
					}
					return powerOn(failed)(ctx, c)
				}),
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(web, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(web, tfjsonpath.New("host_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(web, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("last_error"), knownvalue.StringExact("")),
				},
			},
			{
				// The filler is not Terraform's: remove it before the destroy.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					i, err := c.Instances.GetByName(ctx, zoneID, "filler")
					if err != nil {
						return err
					}
					return c.Instances.Destroy(ctx, i.ID)
				}),
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}
