package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ datasource.DataSource                     = (*templateDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*templateDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*templateDataSource)(nil)
)

type templateDataSource struct{ dataSourceBase }

func newTemplateDataSource() datasource.DataSource { return &templateDataSource{} }

type templateDataModel struct {
	ID         types.String `tfsdk:"id"`
	ZoneID     types.String `tfsdk:"zone_id"`
	Name       types.String `tfsdk:"name"`
	URL        types.String `tfsdk:"url"`
	Format     types.String `tfsdk:"format"`
	Hypervisor types.String `tfsdk:"hypervisor"`
	SizeGiB    types.Int64  `tfsdk:"size_gib"`
	OSType     types.String `tfsdk:"os_type"`
}

func (d *templateDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_template"
}

func (d *templateDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a template by ID, or by zone and name.",
		Attributes: zoneLookup("template", "a template", name(), map[string]schema.Attribute{
			"url":        schema.StringAttribute{Computed: true, MarkdownDescription: "Where the image is."},
			"format":     schema.StringAttribute{Computed: true, MarkdownDescription: "The image format: `qcow2`, `raw`, `vhd`, `vmdk` or `ova`."},
			"hypervisor": schema.StringAttribute{Computed: true, MarkdownDescription: "The hypervisor type the template is restricted to; null when any cluster can use it."},
			"size_gib":   schema.Int64Attribute{Computed: true, MarkdownDescription: "The image's virtual size in GiB (`0` when unknown)."},
			"os_type":    schema.StringAttribute{Computed: true, MarkdownDescription: "The guest operating system, as registered."},
		}),
	}
}

func (d *templateDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return zoneLookupValidators()
}

func (d *templateDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m templateDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.ID.ValueString()
	if m.ID.IsNull() {
		found, err := findTemplate(ctx, d.cloud, m.ZoneID.ValueString(), m.Name.ValueString())
		if errors.Is(err, cloudcore.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Unable to Read Template",
				fmt.Sprintf("Zone %s has no template named %q.", m.ZoneID.ValueString(), m.Name.ValueString()))
			return
		}
		if err != nil {
			addError(&resp.Diagnostics, "Unable to Read Template", err, path.Empty())
			return
		}
		id = found
	}
	t, err := d.cloud.Templates.Get(ctx, id)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Template", err, path.Root("id"))
		return
	}
	m.ID, m.ZoneID, m.Name, m.URL, m.Format = types.StringValue(t.ID), types.StringValue(t.ZoneID), types.StringValue(t.Name),
		types.StringValue(t.URL), types.StringValue(t.Format)
	m.Hypervisor, m.SizeGiB, m.OSType = nullWhenEmpty(t.Hypervisor), types.Int64Value(t.SizeBytes/gib), types.StringValue(t.OSType)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
