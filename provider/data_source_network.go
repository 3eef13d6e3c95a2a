package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource                     = (*networkDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*networkDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*networkDataSource)(nil)
)

type networkDataSource struct{ dataSourceBase }

func newNetworkDataSource() datasource.DataSource { return &networkDataSource{} }

type networkDataModel struct {
	ID             types.String `tfsdk:"id"`
	ZoneID         types.String `tfsdk:"zone_id"`
	Name           types.String `tfsdk:"name"`
	Type           types.String `tfsdk:"type"`
	CIDR           types.String `tfsdk:"cidr"`
	Gateway        types.String `tfsdk:"gateway"`
	VLAN           types.Int64  `tfsdk:"vlan"`
	DNS            types.List   `tfsdk:"dns"`
	ReservedRanges types.List   `tfsdk:"reserved_ranges"`
	Description    types.String `tfsdk:"description"`
}

func (d *networkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

func (d *networkDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a guest network by ID, or by its zone and name.",
		Attributes: zoneLookup("network", "a network", name(), map[string]schema.Attribute{
			"type": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`isolated`, `shared` or `l2`."},
			"cidr": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The network's address space in CIDR notation; null for an `l2` network."},
			"gateway": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The gateway address handed to instances; null for an `l2` network."},
			"vlan": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "The VLAN tag or VXLAN segment; `0` for none."},
			"dns": schema.ListAttribute{ElementType: types.StringType, Computed: true,
				MarkdownDescription: "DNS resolvers handed to the network's instances."},
			"reserved_ranges": schema.ListAttribute{ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Addresses cloudcore never hands out to instances: ranges `first-last` or single addresses."},
			"description": schema.StringAttribute{Computed: true, MarkdownDescription: "Free text about the network."},
		}),
	}
}

func (d *networkDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return zoneLookupValidators()
}

func (d *networkDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m networkDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	n, err := lookUpInZone(ctx, m.ID, m.ZoneID, m.Name, d.cloud.Networks.Get, d.cloud.Networks.GetByName)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Network", err, path.Empty())
		return
	}
	m.ID, m.ZoneID, m.Name, m.Type = types.StringValue(n.ID), types.StringValue(n.ZoneID), types.StringValue(n.Name), types.StringValue(n.Type)
	m.CIDR, m.Gateway = types.StringNull(), types.StringNull()
	if n.CIDR.IsValid() {
		m.CIDR = types.StringValue(n.CIDR.String())
	}
	if n.Gateway.IsValid() {
		m.Gateway = types.StringValue(n.Gateway.String())
	}
	m.VLAN, m.Description = types.Int64Value(int64(n.VLAN)), types.StringValue(n.Description)
	m.DNS = addrList(n.DNS, false)
	m.ReservedRanges = stringList(n.ReservedRanges, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
