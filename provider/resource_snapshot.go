package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*snapshotResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotResource)(nil)
)

type snapshotResource struct{ base }

func newSnapshotResource() resource.Resource { return &snapshotResource{} }

type snapshotModel struct {
	ID            types.String   `tfsdk:"id"`
	Name          types.String   `tfsdk:"name"`
	InstanceID    types.String   `tfsdk:"instance_id"`
	Memory        types.Bool     `tfsdk:"memory"`
	State         types.String   `tfsdk:"state"`
	ParentID      types.String   `tfsdk:"parent_id"`
	InstanceState types.String   `tfsdk:"instance_state"`
	CreatedAt     types.String   `tfsdk:"created_at"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (r *snapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot"
}

func (r *snapshotResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A snapshot of an instance: its disks and, with `memory`, its running state. " +
			"Revert to it with `cloudcore_snapshot_revert`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The snapshot's UUID."},
			"name": schema.StringAttribute{Required: true, Validators: []validator.String{name()},
				MarkdownDescription: "The snapshot's name, unique per instance. Renaming happens in place."},
			"instance_id": schema.StringAttribute{Required: true, Validators: []validator.String{uuidOf("an instance")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "The instance to snapshot."},
			"memory": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
				MarkdownDescription: "Include the memory, so a revert resumes the instance running. The instance must be running. Default `false` (disks only)."},
			"state":          schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "`Ready` once taken."},
			"parent_id":      schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The snapshot this one was taken on top of; empty for the first."},
			"instance_state": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The instance's state when the snapshot was taken."},
			"created_at":     schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "When the snapshot was taken (RFC 3339)."},
			"timeouts":       timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func (m *snapshotModel) fill(s *cloudcore.Snapshot) {
	m.ID, m.Name, m.InstanceID, m.Memory = types.StringValue(s.ID), types.StringValue(s.Name), types.StringValue(s.InstanceID), types.BoolValue(s.Memory)
	m.State, m.ParentID, m.InstanceState = types.StringValue(s.State), types.StringValue(s.ParentID), types.StringValue(string(s.InstanceState))
	m.CreatedAt = types.StringValue(s.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
}

func (r *snapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[snapshotModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Snapshot",
		func(ctx context.Context, plan *snapshotModel) (*cloudcore.Snapshot, error) {
			return r.cloud.Snapshots.Create(ctx, cloudcore.SnapshotSpec{Name: plan.Name.ValueString(), InstanceID: plan.InstanceID.ValueString(), Memory: plan.Memory.ValueBool()})
		})
}

func (r *snapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[snapshotModel](ctx, req, resp, "Snapshot", r.cloud.Snapshots.Get)
}

// Update renames the snapshot; everything else re-creates it.
func (r *snapshotResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan snapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := r.cloud.Snapshots.Rename(ctx, plan.ID.ValueString(), plan.Name.ValueString())
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Update Snapshot", err, path.Empty())
		return
	}
	plan.fill(s)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *snapshotResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Snapshot", r.cloud.Snapshots.Delete)
}

// ImportState takes the snapshot's ID or `instance_id/snapshot_name`.
func (r *snapshotResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "instance_id/snapshot_name", func(ctx context.Context, ref string) (string, error) {
		inst, name, ok := strings.Cut(ref, "/")
		if !ok || inst == "" || name == "" {
			return "", fmt.Errorf("%q is neither a UUID nor instance_id/snapshot_name: %w", ref, cloudcore.ErrNotFound)
		}
		snaps, err := r.cloud.Snapshots.List(ctx, inst)
		if err != nil {
			return "", err
		}
		for _, s := range snaps {
			if s.Name == name {
				return s.ID, nil
			}
		}
		return "", fmt.Errorf("instance %s has no snapshot named %q: %w", inst, name, cloudcore.ErrNotFound)
	})
}
