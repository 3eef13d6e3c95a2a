package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*zoneResource)(nil)
	_ resource.ResourceWithConfigure   = (*zoneResource)(nil)
	_ resource.ResourceWithImportState = (*zoneResource)(nil)
)

type zoneResource struct{ base }

func newZoneResource() resource.Resource { return &zoneResource{} }

type zoneModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	Description types.String   `tfsdk:"description"`
	DNS         types.List     `tfsdk:"dns"`
	Enabled     types.Bool     `tfsdk:"enabled"`
	HA          *haModel       `tfsdk:"ha"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *zoneResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_zone"
}

func (r *zoneResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A zone: the top of cloudcore's hierarchy, typically one data centre, with its own pods, " +
			"networks and templates.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The zone's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The zone's name, unique in the cloud. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text about the zone.",
			},
			"dns": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Default DNS resolvers for the zone's guest networks (IP addresses).",
				Validators:          []validator.List{listvalidator.ValueStringsAre(ipAddress())},
			},
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether new instances may be deployed in the zone. Default `true`.",
			},
			"ha":       haAttribute("cloudcore's defaults"),
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *zoneResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[zoneModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Zone",
		func(ctx context.Context, plan *zoneModel) (*cloudcore.Zone, error) {
			return r.cloud.Zones.Create(ctx, cloudcore.ZoneSpec{Name: plan.Name.ValueString(), Description: plan.Description.ValueString(),
				DNS: stringsOf(ctx, plan.DNS, &resp.Diagnostics), Disabled: !plan.Enabled.ValueBool(), HA: plan.HA.settings()})
		})
}

func (m *zoneModel) fill(z *cloudcore.Zone) {
	m.ID, m.Name, m.Description, m.Enabled = types.StringValue(z.ID), types.StringValue(z.Name), types.StringValue(z.Description), types.BoolValue(z.Enabled)
	m.DNS = addrList(z.DNS, m.DNS.IsNull())
	m.HA = haModelOf(z.HA, m.HA)
}

func (r *zoneResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[zoneModel](ctx, req, resp, "Zone", r.cloud.Zones.Get)
}

func (r *zoneResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applyPlan[zoneModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Update", "Zone",
		func(ctx context.Context, plan *zoneModel) (*cloudcore.Zone, error) {
			dns := stringsOf(ctx, plan.DNS, &resp.Diagnostics)
			if resp.Diagnostics.HasError() {
				return nil, errReported
			}
			return r.cloud.Zones.Update(ctx, plan.ID.ValueString(), cloudcore.ZoneUpdate{Name: strPtr(plan.Name),
				Description: strPtr(plan.Description), DNS: &dns, Enabled: boolPtr(plan.Enabled), HA: new(plan.HA.settings())})
		})
}

func (r *zoneResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Zone", r.cloud.Zones.Delete)
}

// ImportState takes the zone's ID or its name.
func (r *zoneResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "the zone's name", func(ctx context.Context, name string) (string, error) {
		z, err := r.cloud.Zones.GetByName(ctx, name)
		if err != nil {
			return "", err
		}
		return z.ID, nil
	})
}
