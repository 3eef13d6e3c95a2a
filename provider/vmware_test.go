package provider

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// esxSimulator is govmomi's simulated standalone ESXi, served over HTTPS
// one request at a time (the simulator is not safe for concurrent calls),
// with a 1 GiB template disk at [LocalDS_0] templates/tiny.vmdk.
type esxSimulator struct {
	url, thumbprint string
	user, password  string
}

func newESXSimulator(t *testing.T) esxSimulator {
	t.Helper()
	model := simulator.ESX()
	if err := model.Create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(model.Remove)
	model.Service.TLS = new(tls.Config)
	model.Service.Listen = &url.URL{User: url.UserPassword("cloudcore", "s3cret")}
	model.Service.NewServer().Close() // registers the simulator's handlers
	var mu sync.Mutex
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		model.Service.ServeMux.ServeHTTP(w, r)
	}))
	ts.StartTLS()
	t.Cleanup(ts.Close)
	s := esxSimulator{url: "https://" + ts.Listener.Addr().String() + "/sdk", thumbprint: soap.ThumbprintSHA256(ts.Certificate()),
		user: "cloudcore", password: "s3cret"}

	ctx := context.Background()
	u, _ := url.Parse(s.url)
	u.User = url.UserPassword(s.user, s.password)
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Logout(ctx) }()
	dc, err := find.NewFinder(c.Client).DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := object.NewFileManager(c.Client).MakeDirectory(ctx, "[LocalDS_0] templates", dc, true); err != nil {
		t.Fatal(err)
	}
	task, err := object.NewVirtualDiskManager(c.Client).CreateVirtualDisk(ctx, "[LocalDS_0] templates/tiny.vmdk", dc,
		&types.FileBackedVirtualDiskSpec{VirtualDiskSpec: types.VirtualDiskSpec{DiskType: string(types.VirtualDiskTypeThin),
			AdapterType: string(types.VirtualDiskAdapterTypeLsiLogic)}, CapacityKb: 1 << 20})
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAccVMware builds a VMware cluster on a simulated ESXi through
// Terraform: host, datastore pool, vmdk template, VLAN network, an
// instance, a snapshot and a revert; then resizes in place, imports, and
// replaces the instance after its VM is deleted behind cloudcore's back.
func TestAccVMware(t *testing.T) {
	a := newAccCloud(t)
	esx := newESXSimulator(t)
	const inst = "cloudcore_instance.vm"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	cc := clusterCloud{Zone: "vsphere", Hypervisor: "vmware", HostURL: esx.url + "?thumbprint=" + esx.thumbprint,
		Username: esx.user, Password: esx.password, PoolURL: "datastore://LocalDS_0",
		TemplateURL: "datastore://LocalDS_0/templates/tiny.vmdk", TemplateFormat: "vmdk", CIDR: "10.30.0.0/24", VLAN: 130, MemoryMiB: 512}
	cfg := func(cpus int, extra string) string { return a.clusterConfig(cc, cpus, extra) }
	snapshot := `resource "cloudcore_snapshot" "s" {
  name        = "base"
  instance_id = cloudcore_instance.vm.id
}`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg(1, snapshot),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ip_address"), knownvalue.StringExact("10.30.0.2")),
					statecheck.ExpectKnownValue("cloudcore_snapshot.s", tfjsonpath.New("state"), knownvalue.StringExact("Ready")),
				},
			},
			{
				// CPU resize in place (stop, reconfigure, start on ESXi).
				Config: cfg(2, snapshot),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("cpus"), knownvalue.Int64Exact(2)),
				},
			},
			{
				// Revert to the disk snapshot, taken with 1 CPU while running:
				// the instance returns to 1 CPU and stops.
				Config: cfg(1, snapshot+`
resource "cloudcore_snapshot_revert" "r" {
  snapshot_id = cloudcore_snapshot.s.id
}`) + "\n",
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cloudcore_snapshot_revert.r", tfjsonpath.New("instance_state"), knownvalue.StringExact("Stopped")),
				},
				ExpectNonEmptyPlan: true, // running = true starts it again on the next apply
			},
			{ResourceName: inst, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "running", "state"}},
			{
				// The VM deleted on the ESXi behind cloudcore's back: replaced.
				PreConfig: a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
					zone, err := c.Zones.GetByName(ctx, "vsphere")
					if err != nil {
						return err
					}
					i, err := c.Instances.GetByName(ctx, zone.ID, "vm1")
					if err != nil {
						return err
					}
					conn, err := c.Hosts.Connect(ctx, i.HostID)
					if err != nil {
						return err
					}
					return conn.DestroyVM(ctx, i.ID)
				}),
				Config: cfg(1, snapshot),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionReplace)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
			},
		},
	})
}
