package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// hostParentsHCL declares zone "zone-a", pod "pod-a" and the simulator
// cluster "cluster-a" a host joins.
const hostParentsHCL = `resource "cloudcore_zone" "z" {
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

// sealedPasswords records the encrypted password of a host as the engine
// stores it, to tell whether an apply changed it.
type sealedPasswords struct {
	a    *accCloud
	seen []string
}

// record is a check that stores the host's sealed password; want says
// whether it must differ from the previous one ("changed") or be equal
// ("same"); "" checks only that one is stored.
func (s *sealedPasswords) record(hostName, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		c, err := cloudcore.Open(ctx, cloudcore.Config{Database: s.a.database})
		if err != nil {
			return err
		}
		defer c.Close()
		hosts, err := c.Hosts.List(ctx, cloudcore.HostFilter{Name: hostName})
		if err != nil {
			return err
		}
		if len(hosts) != 1 {
			return fmt.Errorf("want 1 host named %s, found %d", hostName, len(hosts))
		}
		sealed := hosts[0].SealedPassword
		if sealed == "" {
			return fmt.Errorf("host %s has no stored password", hostName)
		}
		if n := len(s.seen); n > 0 {
			switch prev := s.seen[n-1]; {
			case want == "changed" && sealed == prev:
				return fmt.Errorf("the stored password of host %s did not change", hostName)
			case want == "same" && sealed != prev:
				return fmt.Errorf("the stored password of host %s changed", hostName)
			}
		}
		s.seen = append(s.seen, sealed)
		return nil
	}
}

func TestAccHost(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sealed := &sealedPasswords{a: a}
	const res = "cloudcore_host.test"
	updated := a.config(hostParentsHCL + `resource "cloudcore_host" "test" {
  cluster_id  = cloudcore_cluster.c.id
  name        = "host-b"
  url         = "simulator://hv1?cpus=32&memory_mib=131072"
  username    = "admin"
  password    = "n3w-s3cret"
  maintenance = true
}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: a.config(hostParentsHCL + `resource "cloudcore_host" "test" {
  cluster_id = cloudcore_cluster.c.id
  name       = "host-a"
  url        = "simulator://hv1?cpus=16&memory_mib=65536"
  username   = "admin"
  password   = "s3cret"
}`),
				Check: sealed.record("host-a", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Up")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hostname"), knownvalue.StringExact("hv1")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hypervisor"), knownvalue.StringExact("simulator")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hypervisor_version"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cpus"), knownvalue.Int64Exact(16)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cpu_mhz"), knownvalue.Int64Exact(2400)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("memory_mib"), knownvalue.Int64Exact(65536)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("maintenance"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("password"), knownvalue.StringExact("s3cret")),
					statecheck.CompareValuePairs(res, tfjsonpath.New("zone_id"), "cloudcore_zone.z", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(res, tfjsonpath.New("pod_id"), "cloudcore_pod.p", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				// Rename, new URL, new password and maintenance, in place:
				// the engine connects with the new settings first.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(res, tfjsonpath.New("cpus")),
				}},
				Check: sealed.record("host-b", "changed"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("host-b")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("cpus"), knownvalue.Int64Exact(32)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("memory_mib"), knownvalue.Int64Exact(131072)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Maintenance")),
				},
			},
			{
				// Leaving maintenance does not reconnect: what the host
				// reported stays known in the plan.
				Config: a.config(hostParentsHCL + `resource "cloudcore_host" "test" {
  cluster_id = cloudcore_cluster.c.id
  name       = "host-b"
  url        = "simulator://hv1?cpus=32&memory_mib=131072"
  username   = "admin"
  password   = "n3w-s3cret"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("cpus"), knownvalue.Int64Exact(32)),
					plancheck.ExpectUnknownValue(res, tfjsonpath.New("state")),
				}},
				Check: sealed.record("host-b", "same"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Up")),
				},
			},
			{Config: updated},
			// cloudcore never returns a password, so an imported host has
			// none in its state until the next apply sets it again.
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "password"}},
			{ResourceName: res, ImportState: true, ImportStateId: "zone-a/pod-a/cluster-a/host-b", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "password"}},
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "password"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources["cloudcore_cluster.c"].Primary.ID + "/host-b", nil
				}},
			{
				// Deleted out of band: the plan re-creates it.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					hosts, err := c.Hosts.List(ctx, cloudcore.HostFilter{Name: "host-b"})
					if err != nil {
						return err
					}
					if len(hosts) != 1 {
						return fmt.Errorf("want 1 host named host-b, found %d", len(hosts))
					}
					return c.Hosts.Delete(ctx, hosts[0].ID)
				}),
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// Created straight into maintenance.
					statecheck.ExpectKnownValue(res, tfjsonpath.New("state"), knownvalue.StringExact("Maintenance")),
				},
			},
		},
	})
}

// hostOOBM is a check that host hostName's BMC, as the engine stores it,
// has address addr (none when ""), with a sealed password when it has one.
func (a *accCloud) hostOOBM(hostName, addr string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var err error
		a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
			hosts, lerr := c.Hosts.List(ctx, cloudcore.HostFilter{Name: hostName})
			if lerr != nil || len(hosts) != 1 {
				return fmt.Errorf("want 1 host named %s: %v", hostName, lerr)
			}
			switch o := hosts[0].OOBM; {
			case addr == "" && o != nil:
				err = fmt.Errorf("host %s has BMC %s, want none", hostName, o.Address)
			case addr != "" && (o == nil || o.Address != addr || o.SealedPassword == ""):
				err = fmt.Errorf("host %s has BMC %+v, want %s with a sealed password", hostName, o, addr)
			}
			return nil
		})()
		return err
	}
}

func TestAccHostOOBM(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const res = "cloudcore_host.test"
	config := func(oobm string) string {
		return a.config(hostParentsHCL+`resource "cloudcore_host" "test" {
  cluster_id = cloudcore_cluster.c.id
  name       = "host-a"
  url        = "simulator://hv1"
  %s
}`, oobm)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: config(`oobm = {
    address  = "10.0.0.5"
    username = "admin"
    password = "bmc-s3cret"
  }`),
				Check: a.hostOOBM("host-a", "10.0.0.5"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectSensitiveValue(res, tfjsonpath.New("oobm").AtMapKey("password")),
				},
			},
			{
				// A new BMC address, in place.
				Config: config(`oobm = {
    address  = "bmc1.example:6230"
    username = "admin"
    password = "bmc-s3cret"
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check:             a.hostOOBM("host-a", "bmc1.example:6230"),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(res, tfjsonpath.New("id"))},
			},
			// The BMC password is never read back.
			{ResourceName: res, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "oobm.password"}},
			{
				// Removing the attribute removes the BMC, in place.
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check:             a.hostOOBM("host-a", ""),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(res, tfjsonpath.New("id"))},
			},
		},
	})
}

func TestAccHostPasswordWriteOnly(t *testing.T) {
	a := newAccCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sealed := &sealedPasswords{a: a}
	const res = "cloudcore_host.test"
	config := func(password string, version int) string {
		return a.config(hostParentsHCL+`resource "cloudcore_host" "test" {
  cluster_id          = cloudcore_cluster.c.id
  name                = "host-a"
  url                 = "simulator://hv1"
  username            = "root"
  password_wo         = %q
  password_wo_version = %d
  oobm = {
    address             = "10.0.0.5"
    username            = "admin"
    password_wo         = %[1]q
    password_wo_version = %[2]d
  }
}`, password, version)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: config("first", 1),
				Check:  resource.ComposeTestCheckFunc(sealed.record("host-a", ""), a.hostOOBM("host-a", "10.0.0.5")),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("password"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("oobm").AtMapKey("password_wo"), knownvalue.Null()),
				},
			},
			{
				// A new value alone is invisible to Terraform.
				Config:   config("unseen", 1),
				PlanOnly: true,
			},
			{
				// A new version sends it, in place.
				Config: config("second", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: sealed.record("host-a", "changed"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(res, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("password_wo"), knownvalue.Null()),
				},
			},
			// password_wo is never in the state; its version is
			// configuration only, not something cloudcore records.
			{ResourceName: res, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "password_wo_version", "oobm.password_wo_version"}},
		},
	})
}

func TestHostRejectsBadInputAtPlanTime(t *testing.T) {
	a := newAccCloud(t)
	const someCluster = "6f1c1c6e-8a57-4f55-9b38-1d3f1f0e2a10"
	step := func(attrs, want string) resource.TestStep {
		return resource.TestStep{
			Config: a.config(`resource "cloudcore_host" "bad" {
  cluster_id = %q
  name       = "h1"
  %s
}`, someCluster, attrs),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			step(`url = "ftp://hv1"`, `scheme "ftp" is not allowed here`),
			step(`url = "hv1"`, `"hv1" is not a URL`),
			step("url = \"simulator://hv1\"\npassword = \"a\"\npassword_wo = \"b\"", `(?s)Invalid Attribute Combination.*password`),
			step("url = \"simulator://hv1\"\npassword_wo_version = 1", `(?s)Invalid Attribute Combination.*password_wo`),
			step("url = \"simulator://hv1\"\noobm = {\naddress = \"http://bmc1/\"\nusername = \"admin\"\n}", `(?s)oobm\.address: "http://bmc1/" is not a host name or IP address`),
			step("url = \"simulator://hv1\"\noobm = {\naddress = \"10.0.0.5:99999\"\nusername = \"admin\"\n}", `(?s)oobm\.address: port "99999" is not a port number`),
			step("url = \"simulator://hv1\"\noobm = {\naddress = \"10.0.0.5\"\n}", `(?s)Incorrect attribute value type|attribute "username" is required`),
		},
	})
}

func TestAccHostURLMustFitCluster(t *testing.T) {
	a := newAccCloud(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{Config: a.config(hostParentsHCL)},
			{
				// The cluster exists: a KVM URL for a simulator cluster is
				// refused when the plan is made.
				Config: a.config(hostParentsHCL + `resource "cloudcore_host" "bad" {
  cluster_id = cloudcore_cluster.c.id
  name       = "h1"
  url        = "qemu:///system"
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Host URL.*with cloudcore_host\.bad.*url\s+=.*scheme "qemu" does\s+not\s+fit\s+a\s+simulator\s+cluster`),
			},
			{
				// The cluster is new: its ID is known by the time the host
				// is planned again during the apply, and the URL is refused
				// then, before the host is added.
				Config: a.config(hostParentsHCL + `resource "cloudcore_cluster" "new" {
  pod_id     = cloudcore_pod.p.id
  name       = "cluster-new"
  hypervisor = "simulator"
}
resource "cloudcore_host" "bad" {
  cluster_id = cloudcore_cluster.new.id
  name       = "h1"
  url        = "qemu:///system"
}`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Host URL.*with cloudcore_host\.bad.*url\s+=.*scheme "qemu" does\s+not\s+fit\s+a\s+simulator\s+cluster`),
			},
		},
	})
}

// TestHostEngineRefusalNamesURL checks that when the engine itself refuses
// a host URL (the plan-time check could not run), the diagnostic is
// attached to the url attribute.
func TestHostEngineRefusalNamesURL(t *testing.T) {
	ctx := context.Background()
	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: newAccCloud(t).database})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	z, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone-a"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Pods.Create(ctx, cloudcore.PodSpec{Name: "pod-a", ZoneID: z.ID})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: "cluster-a", PodID: p.ID, Hypervisor: "simulator"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Hosts.Create(ctx, cloudcore.HostSpec{Name: "h1", ClusterID: cl.ID, URL: "qemu:///system"})
	if err == nil {
		t.Fatal("the engine accepted a KVM URL for a simulator host")
	}
	var diags diag.Diagnostics
	addError(&diags, "Unable to Create Host", err, path.Root("url"))
	if len(diags) != 1 {
		t.Fatalf("want 1 diagnostic, got %v", diags)
	}
	d, ok := diags[0].(diag.DiagnosticWithPath)
	if !ok || !d.Path().Equal(path.Root("url")) {
		t.Fatalf("diagnostic %v is not on url", diags[0])
	}
	if want := regexp.MustCompile(`scheme "qemu" does not fit a simulator cluster`); !want.MatchString(d.Detail()) {
		t.Errorf("detail %q does not say why", d.Detail())
	}
}
