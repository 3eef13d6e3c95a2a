package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource                     = (*instanceDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*instanceDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*instanceDataSource)(nil)
)

type instanceDataSource struct{ dataSourceBase }

func newInstanceDataSource() datasource.DataSource { return &instanceDataSource{} }

type instanceDataModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	ZoneID      types.String `tfsdk:"zone_id"`
	TemplateID  types.String `tfsdk:"template_id"`
	State       types.String `tfsdk:"state"`
	HostID      types.String `tfsdk:"host_id"`
	CPUs        types.Int64  `tfsdk:"cpus"`
	MemoryMiB   types.Int64  `tfsdk:"memory_mib"`
	HAEnabled   types.Bool   `tfsdk:"ha_enabled"`
	IPAddresses types.List   `tfsdk:"ip_addresses"`
}

func (d *instanceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

func (d *instanceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an instance by ID, or by zone and name, as cloudcore records it.",
		Attributes: zoneLookup("instance", "an instance", hostname(), map[string]schema.Attribute{
			"template_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "The template of its root disk."},
			"state":        schema.StringAttribute{Computed: true, MarkdownDescription: "Running, Stopped, Error, ..."},
			"host_id":      schema.StringAttribute{Computed: true, MarkdownDescription: "The host it is placed on."},
			"cpus":         schema.Int64Attribute{Computed: true, MarkdownDescription: "Virtual CPUs."},
			"memory_mib":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Memory in MiB."},
			"ha_enabled":   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether HA restarts it when its host fails."},
			"ip_addresses": schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "The addresses of its NICs, in device order (empty for NICs on L2 networks)."},
		}),
	}
}

func (d *instanceDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return zoneLookupValidators()
}

func (d *instanceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m instanceDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	i, err := lookUpInZone(ctx, m.ID, m.ZoneID, m.Name, d.cloud.Instances.Get, d.cloud.Instances.GetByName)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Instance", err, path.Empty())
		return
	}
	m.ID, m.Name, m.ZoneID, m.TemplateID = types.StringValue(i.ID), types.StringValue(i.Name), types.StringValue(i.ZoneID), types.StringValue(i.TemplateID)
	m.State, m.HostID, m.CPUs, m.MemoryMiB = types.StringValue(string(i.State)), types.StringValue(i.HostID), types.Int64Value(int64(i.CPUs)), types.Int64Value(i.MemoryMiB)
	m.HAEnabled = types.BoolValue(i.HAEnabled)
	ips := make([]string, len(i.NICs))
	for k, n := range i.NICs {
		ips[k] = addrString(n.IP)
	}
	m.IPAddresses = stringList(ips, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
