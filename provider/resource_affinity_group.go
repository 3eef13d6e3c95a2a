package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*affinityGroupResource)(nil)
	_ resource.ResourceWithConfigure   = (*affinityGroupResource)(nil)
	_ resource.ResourceWithImportState = (*affinityGroupResource)(nil)
)

type affinityGroupResource struct{ base }

func newAffinityGroupResource() resource.Resource { return &affinityGroupResource{} }

type affinityGroupModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	Type        types.String   `tfsdk:"type"`
	Description types.String   `tfsdk:"description"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *affinityGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_affinity_group"
}

func (r *affinityGroupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An affinity group: a placement rule for the instances that join it. Members of a " +
			"`host anti-affinity` group are placed on different hosts, so that one host failure takes down at most " +
			"one of them; members of a `host affinity` group are placed on the same host. A group with members " +
			"cannot be deleted.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The affinity group's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The group's name, unique in the cloud. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`host anti-affinity` (members on different hosts) or `host affinity` (members " +
					"on one host). Changing it replaces the group.",
				Validators:    []validator.String{stringvalidator.OneOf(cloudcore.AffinityTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text about the group. Changes happen in place.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *affinityGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[affinityGroupModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Affinity Group",
		func(ctx context.Context, plan *affinityGroupModel) (*cloudcore.AffinityGroup, error) {
			return r.cloud.AffinityGroups.Create(ctx, cloudcore.AffinityGroupSpec{Name: plan.Name.ValueString(),
				Type: plan.Type.ValueString(), Description: plan.Description.ValueString()})
		})
}

func (m *affinityGroupModel) fill(g *cloudcore.AffinityGroup) {
	m.ID, m.Name, m.Type, m.Description = types.StringValue(g.ID), types.StringValue(g.Name), types.StringValue(g.Type), types.StringValue(g.Description)
}

func (r *affinityGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[affinityGroupModel](ctx, req, resp, "Affinity Group", r.cloud.AffinityGroups.Get)
}

func (r *affinityGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applyPlan[affinityGroupModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Update", "Affinity Group",
		func(ctx context.Context, plan *affinityGroupModel) (*cloudcore.AffinityGroup, error) {
			return r.cloud.AffinityGroups.Update(ctx, plan.ID.ValueString(), cloudcore.AffinityGroupUpdate{
				Name: strPtr(plan.Name), Description: strPtr(plan.Description)})
		})
}

func (r *affinityGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Affinity Group", r.cloud.AffinityGroups.Delete)
}

// ImportState takes the group's ID or its name.
func (r *affinityGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "the affinity group's name", func(ctx context.Context, name string) (string, error) {
		// The engine has no lookup by name for groups; names are unique, so
		// the list holds at most one match.
		groups, err := r.cloud.AffinityGroups.List(ctx)
		if err != nil {
			return "", err
		}
		for _, g := range groups {
			if g.Name == name {
				return g.ID, nil
			}
		}
		return "", fmt.Errorf("affinity group named %q: %w", name, cloudcore.ErrNotFound)
	})
}
