package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ datasource.DataSource                     = (*zoneDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*zoneDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*zoneDataSource)(nil)
)

type zoneDataSource struct{ dataSourceBase }

func newZoneDataSource() datasource.DataSource { return &zoneDataSource{} }

type zoneDataModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	DNS         types.List   `tfsdk:"dns"`
	Enabled     types.Bool   `tfsdk:"enabled"`
}

func (d *zoneDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_zone"
}

func (d *zoneDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a zone by ID or by name.",
		Attributes: map[string]schema.Attribute{
			"id":          schema.StringAttribute{Optional: true, Computed: true, Validators: []validator.String{uuidOf("a zone")}, MarkdownDescription: "The zone's UUID."},
			"name":        schema.StringAttribute{Optional: true, Computed: true, Validators: []validator.String{name()}, MarkdownDescription: "The zone's name."},
			"description": schema.StringAttribute{Computed: true, MarkdownDescription: "Free text about the zone."},
			"dns": schema.ListAttribute{ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Default DNS resolvers of the zone's guest networks."},
			"enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether new instances may be deployed in the zone."},
		},
	}
}

func (d *zoneDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *zoneDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m zoneDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var z *cloudcore.Zone
	var err error
	if !m.ID.IsNull() {
		z, err = d.cloud.Zones.Get(ctx, m.ID.ValueString())
	} else {
		z, err = d.cloud.Zones.GetByName(ctx, m.Name.ValueString())
	}
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Zone", err, path.Empty())
		return
	}
	m.ID, m.Name, m.Description, m.Enabled = types.StringValue(z.ID), types.StringValue(z.Name), types.StringValue(z.Description), types.BoolValue(z.Enabled)
	m.DNS = addrList(z.DNS, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
