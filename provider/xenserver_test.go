package provider

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xapitest"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// xenPool is a XenAPI test server over TLS with a 64 MiB template disk,
// tiny-template, and a XenAPI client to change it behind cloudcore's back.
type xenPool struct {
	srv     *xapitest.Server
	hostURL string // of member host1, verified with the server's certificate
	api     *xenapi.Client
}

func newXenPool(t *testing.T) xenPool {
	t.Helper()
	srv := xapitest.NewServer(xapitest.Options{TLS: true})
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	caFile := filepath.Join(t.TempDir(), "pool-ca.pem")
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddVDI("tiny-template", 64<<20, []byte("bootable")); err != nil {
		t.Fatal(err)
	}
	api, err := xenapi.New(srv.URL, "root", "password", xenapi.Options{CAPEM: ca})
	if err == nil {
		err = api.Login(t.Context())
	}
	if err != nil {
		t.Fatal(err)
	}
	return xenPool{srv: srv, hostURL: srv.URL + "?" + url.Values{"host": {"host1"}, "ca_file": {caFile}}.Encode(), api: api}
}

// vm returns the VM of the instance in state resource inst.
func (p xenPool) vm(s *terraform.State, inst string) (xenapi.VMRef, xenapi.VMRecord, error) {
	r, ok := s.RootModule().Resources[inst]
	if !ok {
		return "", xenapi.VMRecord{}, fmt.Errorf("no %s in the state", inst)
	}
	ctx := context.Background()
	refs, err := p.api.VM.GetByNameLabel(ctx, "cloudcore-"+r.Primary.ID)
	if err != nil || len(refs) != 1 {
		return "", xenapi.VMRecord{}, fmt.Errorf("the pool's VMs named cloudcore-%s: %v, %v; want one", r.Primary.ID, refs, err)
	}
	rec, err := p.api.VM.GetRecord(ctx, refs[0])
	return refs[0], rec, err
}

// expectVM checks, through XenAPI, that the instance's VM is in power
// state power with cpus vCPUs, and keeps its name in *name.
func (p xenPool) expectVM(inst, power string, cpus int, name *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		_, rec, err := p.vm(s, inst)
		if err != nil {
			return err
		}
		*name = rec.NameLabel
		if rec.PowerState != power || int(rec.VCPUsAtStartup) != cpus {
			return fmt.Errorf("the pool reports the VM %s with %d vCPUs, want %s with %d", rec.PowerState, rec.VCPUsAtStartup, power, cpus)
		}
		return nil
	}
}

// TestAccXenServer builds a XenServer cluster on the XenAPI test server
// through Terraform: a pool member, its SR, a template VDI, a VLAN network,
// an instance and a snapshot with memory; resizes the instance in place,
// reverts it to the snapshot, imports it, and then meets drift: a VM
// halted behind cloudcore's back is started again, and one destroyed is
// replaced.
func TestAccXenServer(t *testing.T) {
	a := newAccCloud(t)
	pool := newXenPool(t)
	const inst = "cloudcore_instance.vm"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var vmName string // the pool's name of the instance's VM
	cc := clusterCloud{Zone: "xen", Hypervisor: "xenserver", HostURL: pool.hostURL, Username: "root", Password: "password",
		PoolURL: "sr:" + pool.srv.SRName(), TemplateURL: "vdi:tiny-template", TemplateFormat: "raw", CIDR: "10.40.0.0/24", VLAN: 140, MemoryMiB: 512}
	cfg := func(cpus int, extra string) string { return a.clusterConfig(cc, cpus, extra) }
	snapshot := `resource "cloudcore_snapshot" "s" {
  name        = "base"
  instance_id = cloudcore_instance.vm.id
  memory      = true
}`
	revert := snapshot + `
resource "cloudcore_snapshot_revert" "r" {
  snapshot_id = cloudcore_snapshot.s.id
}`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg(1, snapshot),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("ip_address"), knownvalue.StringExact("10.40.0.2")),
					statecheck.ExpectKnownValue("cloudcore_snapshot.s", tfjsonpath.New("state"), knownvalue.StringExact("Ready")),
				},
				Check: pool.expectVM(inst, xenapi.PowerRunning, 1, &vmName),
			},
			{
				// CPU resize in place: stop, reconfigure, start.
				Config: cfg(2, snapshot),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("cpus"), knownvalue.Int64Exact(2)),
				},
				Check: pool.expectVM(inst, xenapi.PowerRunning, 2, &vmName),
			},
			{
				// Revert to the checkpoint taken running with 1 CPU: the VM
				// runs again with 1 CPU, which the configuration asks too.
				Config: cfg(1, revert),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("cloudcore_snapshot_revert.r", tfjsonpath.New("instance_state"), knownvalue.StringExact("Running")),
				},
				Check: pool.expectVM(inst, xenapi.PowerRunning, 1, &vmName),
			},
			{ResourceName: inst, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "running", "state"}},
			{
				// The VM halted behind cloudcore's back: started again.
				PreConfig: func() {
					if uuid, ok := pool.srv.VMUUID(vmName); !ok || !pool.srv.HaltVM(uuid) {
						t.Fatal("could not halt the instance's VM")
					}
				},
				Config: cfg(1, revert),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(inst, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
				Check: pool.expectVM(inst, xenapi.PowerRunning, 1, &vmName),
			},
			{
				// The VM destroyed through XenAPI behind cloudcore's back:
				// replaced.
				PreConfig: func() {
					ctx := context.Background()
					refs, err := pool.api.VM.GetByNameLabel(ctx, vmName)
					if err == nil && len(refs) == 1 {
						if err = pool.api.VM.HardShutdown(ctx, refs[0]); err == nil {
							err = pool.api.VM.Destroy(ctx, refs[0])
						}
					}
					if err != nil || len(refs) != 1 {
						t.Fatalf("destroying the instance's VM: %v, %v", refs, err)
					}
				},
				Config: cfg(1, snapshot),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionReplace)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inst, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
				Check: pool.expectVM(inst, xenapi.PowerRunning, 1, &vmName),
			},
		},
	})
}
