package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                     = (*storagePoolResource)(nil)
	_ resource.ResourceWithConfigure        = (*storagePoolResource)(nil)
	_ resource.ResourceWithImportState      = (*storagePoolResource)(nil)
	_ resource.ResourceWithConfigValidators = (*storagePoolResource)(nil)
)

type storagePoolResource struct{ base }

func newStoragePoolResource() resource.Resource { return &storagePoolResource{} }

type storagePoolModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	ZoneID      types.String   `tfsdk:"zone_id"`
	ClusterID   types.String   `tfsdk:"cluster_id"`
	URL         types.String   `tfsdk:"url"`
	CapacityGiB types.Int64    `tfsdk:"capacity_gib"`
	Enabled     types.Bool     `tfsdk:"enabled"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

// storagePoolURLSchemes are the schemes of primary storage URLs.
var storagePoolURLSchemes = []string{"file", "nfs", "datastore", "sr"}

func (r *storagePoolResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_storage_pool"
}

func (r *storagePoolResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Primary storage for instance volumes: reachable by the hosts of one cluster (set " +
			"`cluster_id`) or of a whole zone (set only `zone_id`). A pool can only be deleted once it holds no volumes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The storage pool's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The pool's name, unique in its zone. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"zone_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The UUID of the pool's zone. Required for a zone-wide pool; for a cluster-wide " +
					"pool it is the cluster's zone and may be left out (if given, it must be the cluster's zone). " +
					"Changing it replaces the pool.",
				Validators: []validator.String{uuidOf("a zone")},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"cluster_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The UUID of the cluster whose hosts reach the pool; leave it out for a " +
					"zone-wide pool. Changing it replaces the pool.",
				Validators:    []validator.String{uuidOf("a cluster")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Where the storage is, as the hosts see it: `file:///path` (a directory on the " +
					"hosts), `nfs://server/export`, a VMware datastore as `datastore://name`, or a XenServer " +
					"storage repository as `sr:<name label or UUID>`. Changing it replaces the pool.",
				Validators:    []validator.String{urlWithScheme(storagePoolURLSchemes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"capacity_gib": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "The pool's capacity in GiB that placement may allocate volumes from; positive. " +
					"Changes happen in place; cloudcore refuses a capacity below what the pool's volumes use.",
				Validators: []validator.Int64{int64validator.Between(1, maxGiB)},
			},
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether new volumes may be placed on the pool. Default `true`. Changes happen in place.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *storagePoolResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("zone_id"), path.MatchRoot("cluster_id")),
	}
}

func (m *storagePoolModel) fill(p *cloudcore.StoragePool) {
	m.ID, m.Name, m.ZoneID, m.ClusterID = types.StringValue(p.ID), types.StringValue(p.Name), types.StringValue(p.ZoneID), nullWhenEmpty(p.ClusterID)
	m.URL, m.CapacityGiB, m.Enabled = types.StringValue(p.URL), types.Int64Value(p.CapacityBytes/gib), types.BoolValue(p.Enabled)
}

func (r *storagePoolResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[storagePoolModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Storage Pool",
		func(ctx context.Context, plan *storagePoolModel) (*cloudcore.StoragePool, error) {
			return r.cloud.StoragePools.Create(ctx, cloudcore.StoragePoolSpec{Name: plan.Name.ValueString(),
				ZoneID: plan.ZoneID.ValueString(), ClusterID: plan.ClusterID.ValueString(), URL: plan.URL.ValueString(),
				CapacityBytes: plan.CapacityGiB.ValueInt64() * gib, Disabled: !plan.Enabled.ValueBool()})
		})
}

func (r *storagePoolResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[storagePoolModel](ctx, req, resp, "Storage Pool", r.cloud.StoragePools.Get)
}

func (r *storagePoolResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state storagePoolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	u := cloudcore.StoragePoolUpdate{Name: strPtr(plan.Name), Enabled: boolPtr(plan.Enabled)}
	if !plan.CapacityGiB.Equal(state.CapacityGiB) {
		// Sent only when it changed: a capacity set in bytes out of band
		// (not a whole number of GiB) is not rounded down behind one's back.
		capacity := plan.CapacityGiB.ValueInt64() * gib
		u.CapacityBytes = &capacity
	}
	p, err := r.cloud.StoragePools.Update(ctx, plan.ID.ValueString(), u)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Update Storage Pool", err, path.Empty())
		return
	}
	plan.fill(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *storagePoolResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Storage Pool", r.cloud.StoragePools.Delete)
}

// ImportState takes the pool's ID or "<zone name>/<pool name>".
func (r *storagePoolResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "<zone name>/<pool name>", func(ctx context.Context, id string) (string, error) {
		return resolveNames(ctx, id, 2, func(ctx context.Context, n []string) (string, error) {
			z, err := r.cloud.Zones.GetByName(ctx, n[0])
			if err != nil {
				return "", err
			}
			pools, err := r.cloud.StoragePools.List(ctx, z.ID)
			if err != nil {
				return "", err
			}
			for _, p := range pools {
				if p.Name == n[1] {
					return p.ID, nil
				}
			}
			return "", errNoMatch
		})
	})
}
