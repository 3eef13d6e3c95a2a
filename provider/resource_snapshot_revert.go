package provider

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ resource.Resource              = (*snapshotRevertResource)(nil)
	_ resource.ResourceWithConfigure = (*snapshotRevertResource)(nil)
)

// snapshotRevertResource reverts an instance to a snapshot when it is
// created, and again whenever its snapshot_id or triggers change. It keeps
// no remote object of its own, so it never shows a perpetual diff.
type snapshotRevertResource struct{ base }

func newSnapshotRevertResource() resource.Resource { return &snapshotRevertResource{} }

type snapshotRevertModel struct {
	ID            types.String   `tfsdk:"id"`
	SnapshotID    types.String   `tfsdk:"snapshot_id"`
	Triggers      types.Map      `tfsdk:"triggers"`
	InstanceID    types.String   `tfsdk:"instance_id"`
	InstanceState types.String   `tfsdk:"instance_state"`
	RevertedAt    types.String   `tfsdk:"reverted_at"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (r *snapshotRevertResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot_revert"
}

func (r *snapshotRevertResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reverts an instance to a snapshot: its disks, size and power state (running after a " +
			"memory snapshot, stopped after a disk-only one). The revert happens when this resource is created and " +
			"again whenever `snapshot_id` or `triggers` change; destroying it reverts nothing. It has no object in the " +
			"cloud of its own, so it cannot be imported.\n\n" +
			"Set the instance's `running` to the power state the snapshot returns it to, or the next apply changes it back.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "An identifier of this revert."},
			"snapshot_id": schema.StringAttribute{Required: true, Validators: []validator.String{uuidOf("a snapshot")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "The snapshot to revert to. Changing it reverts again."},
			"triggers": schema.MapAttribute{ElementType: types.StringType, Optional: true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
				MarkdownDescription: "Arbitrary values; changing any of them reverts again (for example, a counter or a timestamp)."},
			"instance_id":    schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The reverted instance."},
			"instance_state": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The instance's state right after the revert."},
			"reverted_at":    schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "When the revert happened (RFC 3339)."},
			"timeouts":       timeouts.Attributes(ctx, timeouts.Opts{Create: true}),
		},
	}
}

func (r *snapshotRevertResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotRevertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	inst, err := r.cloud.Snapshots.Revert(ctx, plan.SnapshotID.ValueString())
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Revert to Snapshot", err, path.Root("snapshot_id"))
		return
	}
	plan.ID = types.StringValue(uuid.NewString())
	plan.InstanceID, plan.InstanceState = types.StringValue(inst.ID), types.StringValue(string(inst.State))
	plan.RevertedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the record of the revert as it is: it describes a past event.
func (r *snapshotRevertResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotRevertModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update only takes new timeouts; every other change re-creates the revert.
func (r *snapshotRevertResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan snapshotRevertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete forgets the revert; the instance stays as it is.
func (r *snapshotRevertResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
