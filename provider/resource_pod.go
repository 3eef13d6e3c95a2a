package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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
	_ resource.Resource                = (*podResource)(nil)
	_ resource.ResourceWithConfigure   = (*podResource)(nil)
	_ resource.ResourceWithImportState = (*podResource)(nil)
)

type podResource struct{ base }

func newPodResource() resource.Resource { return &podResource{} }

type podModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	ZoneID      types.String   `tfsdk:"zone_id"`
	Description types.String   `tfsdk:"description"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *podResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pod"
}

func (r *podResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A pod: a rack or row of a zone that groups clusters. A pod can only be deleted once " +
			"its clusters are gone.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The pod's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The pod's name, unique in its zone. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"zone_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The UUID of the zone the pod belongs to. Changing it replaces the pod.",
				Validators:          []validator.String{uuidOf("a zone")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text about the pod. Changes happen in place.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (m *podModel) fill(p *cloudcore.Pod) {
	m.ID, m.Name, m.ZoneID, m.Description = types.StringValue(p.ID), types.StringValue(p.Name), types.StringValue(p.ZoneID), types.StringValue(p.Description)
}

func (r *podResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[podModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Pod",
		func(ctx context.Context, plan *podModel) (*cloudcore.Pod, error) {
			return r.cloud.Pods.Create(ctx, cloudcore.PodSpec{Name: plan.Name.ValueString(), ZoneID: plan.ZoneID.ValueString(),
				Description: plan.Description.ValueString()})
		})
}

func (r *podResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[podModel](ctx, req, resp, "Pod", r.cloud.Pods.Get)
}

func (r *podResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applyPlan[podModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Update", "Pod",
		func(ctx context.Context, plan *podModel) (*cloudcore.Pod, error) {
			return r.cloud.Pods.Update(ctx, plan.ID.ValueString(), cloudcore.PodUpdate{Name: strPtr(plan.Name),
				Description: strPtr(plan.Description)})
		})
}

func (r *podResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Pod", r.cloud.Pods.Delete)
}

// ImportState takes the pod's ID or "<zone name>/<pod name>".
func (r *podResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "<zone name>/<pod name>", func(ctx context.Context, id string) (string, error) {
		return resolveNames(ctx, id, 2, func(ctx context.Context, n []string) (string, error) {
			p, err := findPod(ctx, r.cloud, n[0], n[1])
			if err != nil {
				return "", err
			}
			return p.ID, nil
		})
	})
}
