package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ datasource.DataSource              = (*hostsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*hostsDataSource)(nil)
)

type hostsDataSource struct{ dataSourceBase }

func newHostsDataSource() datasource.DataSource { return &hostsDataSource{} }

type hostsDataModel struct {
	ZoneID    types.String    `tfsdk:"zone_id"`
	ClusterID types.String    `tfsdk:"cluster_id"`
	State     types.String    `tfsdk:"state"`
	Name      types.String    `tfsdk:"name"`
	IDs       types.List      `tfsdk:"ids"`
	Hosts     []hostDataModel `tfsdk:"hosts"`
}

type hostDataModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	ZoneID            types.String `tfsdk:"zone_id"`
	PodID             types.String `tfsdk:"pod_id"`
	ClusterID         types.String `tfsdk:"cluster_id"`
	URL               types.String `tfsdk:"url"`
	Username          types.String `tfsdk:"username"`
	State             types.String `tfsdk:"state"`
	Maintenance       types.Bool   `tfsdk:"maintenance"`
	Hostname          types.String `tfsdk:"hostname"`
	Hypervisor        types.String `tfsdk:"hypervisor"`
	HypervisorVersion types.String `tfsdk:"hypervisor_version"`
	CPUs              types.Int64  `tfsdk:"cpus"`
	CPUMHz            types.Int64  `tfsdk:"cpu_mhz"`
	MemoryMiB         types.Int64  `tfsdk:"memory_mib"`
	HAState           types.String `tfsdk:"ha_state"`
	HADetail          types.String `tfsdk:"ha_detail"`
}

// hostStates are the states a host can be observed in.
var hostStates = []string{string(cloudcore.HostUp), string(cloudcore.HostDown), string(cloudcore.HostDisconnected), string(cloudcore.HostMaintenance)}

func (d *hostsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_hosts"
}

func (d *hostsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists hosts, in the order they were added, optionally filtered by zone, cluster, state " +
			"and name. Every filter left out matches all hosts. The states are those cloudcore last observed.",
		Attributes: map[string]schema.Attribute{
			"zone_id": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only hosts of the zone with this UUID.",
				Validators: []validator.String{uuidOf("a zone")},
			},
			"cluster_id": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only hosts of the cluster with this UUID.",
				Validators: []validator.String{uuidOf("a cluster")},
			},
			"state": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only hosts in this state: `Up`, `Down`, `Disconnected` or `Maintenance`.",
				Validators: []validator.String{stringvalidator.OneOf(hostStates...)},
			},
			"name": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only hosts with this name (names are unique per cluster).",
				Validators: []validator.String{name()},
			},
			"ids": schema.ListAttribute{
				ElementType: types.StringType, Computed: true,
				MarkdownDescription: "The UUIDs of the matching hosts, in the order of `hosts`.",
			},
			"hosts": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching hosts.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                 str("The host's UUID."),
					"name":               str("The host's name."),
					"zone_id":            str("The UUID of the host's zone."),
					"pod_id":             str("The UUID of the host's pod."),
					"cluster_id":         str("The UUID of the host's cluster."),
					"url":                str("The URL cloudcore reaches the host at."),
					"username":           str("The user cloudcore logs in as (the password is never returned)."),
					"state":              str("`Up`, `Down`, `Disconnected` or `Maintenance`, as last observed."),
					"maintenance":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the host is in maintenance."},
					"hostname":           str("The host name the hypervisor reports."),
					"hypervisor":         str("The hypervisor type: `simulator`, `kvm`, `xenserver` or `vmware`."),
					"hypervisor_version": str("The hypervisor's version as it reports it."),
					"cpus":               num("The number of physical CPUs."),
					"cpu_mhz":            num("The speed of the CPUs in MHz."),
					"memory_mib":         num("The memory in MiB."),
					"ha_state":           str("Where the HA monitor stands with the host: `Available`, `Suspect`, `Degraded`, `FenceFailed` or `Fenced` (see `cloudcore_host`)."),
					"ha_detail":          str("Why the host is in its `ha_state`."),
				}},
			},
		},
	}
}

func (d *hostsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m hostsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hosts, err := d.cloud.Hosts.List(ctx, cloudcore.HostFilter{ZoneID: m.ZoneID.ValueString(), ClusterID: m.ClusterID.ValueString(),
		State: cloudcore.HostState(m.State.ValueString()), Name: m.Name.ValueString()})
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Hosts", err, path.Empty())
		return
	}
	ids := make([]string, len(hosts))
	m.Hosts = make([]hostDataModel, len(hosts))
	for i, h := range hosts {
		ids[i] = h.ID
		m.Hosts[i] = hostDataModel{
			ID: types.StringValue(h.ID), Name: types.StringValue(h.Name), ZoneID: types.StringValue(h.ZoneID),
			PodID: types.StringValue(h.PodID), ClusterID: types.StringValue(h.ClusterID), URL: types.StringValue(h.URL),
			Username: types.StringValue(h.Username), State: types.StringValue(string(h.State)),
			Maintenance: types.BoolValue(h.Maintenance), Hostname: types.StringValue(h.Hostname),
			Hypervisor: types.StringValue(h.Hypervisor), HypervisorVersion: types.StringValue(h.Version),
			CPUs: types.Int64Value(int64(h.CPUs)), CPUMHz: types.Int64Value(int64(h.CPUMHz)), MemoryMiB: types.Int64Value(h.MemoryMiB),
			HAState: types.StringValue(string(h.HAState)), HADetail: types.StringValue(h.HADetail),
		}
	}
	m.IDs = stringList(ids, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
