package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*clusterResource)(nil)
	_ resource.ResourceWithConfigure   = (*clusterResource)(nil)
	_ resource.ResourceWithImportState = (*clusterResource)(nil)
)

type clusterResource struct{ base }

func newClusterResource() resource.Resource { return &clusterResource{} }

type clusterModel struct {
	ID               types.String   `tfsdk:"id"`
	Name             types.String   `tfsdk:"name"`
	PodID            types.String   `tfsdk:"pod_id"`
	ZoneID           types.String   `tfsdk:"zone_id"`
	Hypervisor       types.String   `tfsdk:"hypervisor"`
	CPUOvercommit    types.Float64  `tfsdk:"cpu_overcommit"`
	MemoryOvercommit types.Float64  `tfsdk:"memory_overcommit"`
	Enabled          types.Bool     `tfsdk:"enabled"`
	HA               *haModel       `tfsdk:"ha"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
}

func (r *clusterResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

func (r *clusterResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A cluster: hosts of one hypervisor type in a pod that share primary storage. Its " +
			"over-provisioning factors scale the capacity of all its hosts for placement. A cluster can only be " +
			"deleted once its hosts and cluster-wide storage pools are gone.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The cluster's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The cluster's name, unique in its pod. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"pod_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The UUID of the pod the cluster belongs to. Changing it replaces the cluster.",
				Validators:          []validator.String{uuidOf("a pod")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"zone_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The UUID of the zone of the cluster's pod.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"hypervisor": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The hypervisor type of every host of the cluster: `simulator`, `kvm`, `xenserver` " +
					"or `vmware`. Changing it replaces the cluster.",
				Validators:    []validator.String{stringvalidator.OneOf(cloudcore.Hypervisors...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"cpu_overcommit": schema.Float64Attribute{
				Optional: true, Computed: true, Default: float64default.StaticFloat64(1),
				MarkdownDescription: "CPU over-provisioning factor, from 1 to 16: placement counts each host's CPUs " +
					"times this factor. Default `1`. Changes happen in place and apply to the hosts' capacity at once; " +
					"instances already placed stay where they are.",
				Validators: []validator.Float64{float64validator.Between(1, 16)},
			},
			"memory_overcommit": schema.Float64Attribute{
				Optional: true, Computed: true, Default: float64default.StaticFloat64(1),
				MarkdownDescription: "Memory over-provisioning factor, from 1 to 16: placement counts each host's " +
					"memory times this factor. Default `1`. Changes happen in place.",
				Validators: []validator.Float64{float64validator.Between(1, 16)},
			},
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether new instances may be placed on the cluster's hosts. Default `true`. " +
					"Changes happen in place.",
			},
			"ha":       haAttribute("the zone's `ha`, then cloudcore's defaults"),
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (m *clusterModel) fill(cl *cloudcore.Cluster) {
	m.ID, m.Name, m.PodID, m.ZoneID = types.StringValue(cl.ID), types.StringValue(cl.Name), types.StringValue(cl.PodID), types.StringValue(cl.ZoneID)
	m.Hypervisor, m.Enabled = types.StringValue(cl.Hypervisor), types.BoolValue(cl.Enabled)
	m.CPUOvercommit, m.MemoryOvercommit = types.Float64Value(cl.CPUOvercommit), types.Float64Value(cl.MemoryOvercommit)
	m.HA = haModelOf(cl.HA, m.HA)
}

func (r *clusterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[clusterModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Cluster",
		func(ctx context.Context, plan *clusterModel) (*cloudcore.Cluster, error) {
			return r.cloud.Clusters.Create(ctx, cloudcore.ClusterSpec{Name: plan.Name.ValueString(), PodID: plan.PodID.ValueString(),
				Hypervisor: plan.Hypervisor.ValueString(), CPUOvercommit: plan.CPUOvercommit.ValueFloat64(),
				MemoryOvercommit: plan.MemoryOvercommit.ValueFloat64(), Disabled: !plan.Enabled.ValueBool(), HA: plan.HA.settings()})
		})
}

func (r *clusterResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[clusterModel](ctx, req, resp, "Cluster", r.cloud.Clusters.Get)
}

func (r *clusterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applyPlan[clusterModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Update", "Cluster",
		func(ctx context.Context, plan *clusterModel) (*cloudcore.Cluster, error) {
			return r.cloud.Clusters.Update(ctx, plan.ID.ValueString(), cloudcore.ClusterUpdate{Name: strPtr(plan.Name),
				CPUOvercommit: float64IfKnown(plan.CPUOvercommit), MemoryOvercommit: float64IfKnown(plan.MemoryOvercommit),
				Enabled: boolPtr(plan.Enabled), HA: new(plan.HA.settings())})
		})
}

func (r *clusterResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Cluster", r.cloud.Clusters.Delete)
}

// ImportState takes the cluster's ID or "<zone name>/<pod name>/<cluster name>".
func (r *clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "<zone name>/<pod name>/<cluster name>", func(ctx context.Context, id string) (string, error) {
		return resolveNames(ctx, id, 3, func(ctx context.Context, n []string) (string, error) {
			cl, err := findCluster(ctx, r.cloud, n[0], n[1], n[2])
			if err != nil {
				return "", err
			}
			return cl.ID, nil
		})
	})
}

// float64IfKnown returns a pointer to the value of a known attribute, nil
// otherwise.
func float64IfKnown(v types.Float64) *float64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	f := v.ValueFloat64()
	return &f
}
