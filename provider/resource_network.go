package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/ipam"
)

var (
	_ resource.Resource                   = (*networkResource)(nil)
	_ resource.ResourceWithConfigure      = (*networkResource)(nil)
	_ resource.ResourceWithImportState    = (*networkResource)(nil)
	_ resource.ResourceWithValidateConfig = (*networkResource)(nil)
)

type networkResource struct{ base }

func newNetworkResource() resource.Resource { return &networkResource{} }

type networkModel struct {
	ID             types.String   `tfsdk:"id"`
	Name           types.String   `tfsdk:"name"`
	ZoneID         types.String   `tfsdk:"zone_id"`
	Type           types.String   `tfsdk:"type"`
	CIDR           types.String   `tfsdk:"cidr"`
	Gateway        types.String   `tfsdk:"gateway"`
	VLAN           types.Int64    `tfsdk:"vlan"`
	DNS            types.List     `tfsdk:"dns"`
	ReservedRanges types.List     `tfsdk:"reserved_ranges"`
	Description    types.String   `tfsdk:"description"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *networkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

func (r *networkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A guest network of a zone. An `isolated` or `shared` network has a CIDR whose addresses " +
			"cloudcore hands out to instances (IPAM); an `l2` network is a bare layer-2 segment, and its instances " +
			"only get MAC addresses. Within a zone, CIDRs must not overlap and a VLAN belongs to one network. " +
			"The name, the DNS resolvers and the description change in place; the address plan (type, CIDR, " +
			"gateway, VLAN, reserved ranges) cannot change, so changing it replaces the network, which requires " +
			"that no instance is attached to it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The network's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The network's name, unique in its zone. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"zone_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The UUID of the zone the network belongs to. Changing it replaces the network.",
				Validators:          []validator.String{uuidOf("a zone")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(cloudcore.NetworkIsolated),
				MarkdownDescription: "`isolated` (default): one tenant's layer-3 network with its own CIDR; `shared`: a " +
					"layer-3 network several tenants attach to; `l2`: a layer-2 segment without IP address management, " +
					"which takes no `cidr`, `gateway` or `reserved_ranges`. Changing it replaces the network.",
				Validators:    []validator.String{stringvalidator.OneOf(cloudcore.NetworkTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"cidr": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The network's address space in CIDR notation with the host bits zero, e.g. " +
					"`10.1.0.0/24` or `fd00:1::/64`: IPv4 `/30` or larger, IPv6 `/126` or larger. Required for " +
					"`isolated` and `shared` networks, not allowed for `l2`. It must not overlap another network of " +
					"the zone. Changing it replaces the network.",
				Validators:    []validator.String{cidr()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"gateway": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The gateway address handed to instances: a host address inside `cidr` (neither " +
					"the network nor the broadcast address). Defaults to the first host address of `cidr`, e.g. " +
					"`10.1.0.1`; null for `l2` networks. cloudcore never hands it out to an instance. Changing it " +
					"replaces the network.",
				Validators: []validator.String{ipAddress()},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					networkGatewayDefault{},
					stringplanmodifier.RequiresReplace(),
				},
			},
			"vlan": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(0),
				MarkdownDescription: "The 802.1Q VLAN tag (or VXLAN segment) of the network, 1 to 4094, unique in the " +
					"zone; `0` (default) for none. Changing it replaces the network.",
				Validators:    []validator.Int64{int64validator.Between(0, 4094)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"dns": schema.ListAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				MarkdownDescription: "DNS resolvers (IP addresses) handed to the network's instances. When omitted at " +
					"creation, the zone's resolvers are copied. Changes happen in place and reach instances deployed " +
					"afterwards.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(ipAddress()),
				},
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"reserved_ranges": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Addresses of `cidr` that cloudcore never hands out to instances, e.g. for " +
					"appliances configured by hand: each entry is a range `\"10.1.0.200-10.1.0.250\"` or one address " +
					"`\"10.1.0.10\"`, inside `cidr`. They must leave at least one address for instances. Not allowed " +
					"for `l2` networks. Changing them replaces the network.",
				Validators: []validator.List{
					listvalidator.ValueStringsAre(networkAddressRange()),
				},
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text about the network. Changes happen in place.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

// networkAddressRange accepts one address or a range "A-B" of two
// addresses; whether they lie inside the CIDR is checked with the CIDR.
func networkAddressRange() validator.String {
	return stringCheck{`must be an IP address or a range "first-last"`, func(s string) string {
		if networkRangeSyntaxOK(s) {
			return ""
		}
		return fmt.Sprintf(`%q is neither an IP address nor a range "first-last" of two, e.g. "10.1.0.200-10.1.0.250"`, s)
	}}
}

func networkRangeSyntaxOK(s string) bool {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	_, err1 := netip.ParseAddr(strings.TrimSpace(lo))
	_, err2 := netip.ParseAddr(strings.TrimSpace(hi))
	return err1 == nil && err2 == nil
}

// ValidateConfig checks what single-attribute validators cannot: which
// attributes a network type takes, and, when the values are known, the
// whole address plan (gateway inside the CIDR, reserved ranges inside it
// and leaving room for instances) with the rules the engine applies.
func (r *networkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m networkModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Type.IsUnknown() {
		return
	}
	typ := cloudcore.NetworkIsolated
	if !m.Type.IsNull() {
		typ = m.Type.ValueString()
	}
	if !slices.Contains(cloudcore.NetworkTypes, typ) {
		return // the type's validator reports it
	}
	if typ == cloudcore.NetworkL2 {
		for _, a := range []struct {
			name string
			set  bool
		}{{"cidr", !m.CIDR.IsNull()}, {"gateway", !m.Gateway.IsNull()}, {"reserved_ranges", !m.ReservedRanges.IsNull()}} {
			if a.set {
				resp.Diagnostics.AddAttributeError(path.Root(a.name), "Invalid Network Configuration",
					fmt.Sprintf("An l2 network has no IP addresses, so it takes no %s. Remove %s, or use type = %q.", a.name, a.name, cloudcore.NetworkIsolated))
			}
		}
		return
	}
	if m.CIDR.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("cidr"), "Missing Network CIDR",
			fmt.Sprintf("A %s network needs a cidr, e.g. cidr = \"10.1.0.0/24\"; or use type = %q for a network without IP addresses.", typ, cloudcore.NetworkL2))
		return
	}
	if m.CIDR.IsUnknown() || m.Gateway.IsUnknown() || m.ReservedRanges.IsUnknown() {
		return
	}
	// Malformed values are reported by the attributes' own validators.
	if p, err := netip.ParsePrefix(m.CIDR.ValueString()); err != nil || p.Masked() != p {
		return
	}
	if _, err := netip.ParseAddr(m.Gateway.ValueString()); !m.Gateway.IsNull() && err != nil {
		return
	}
	var reserved []string
	if !m.ReservedRanges.IsNull() {
		for _, e := range m.ReservedRanges.Elements() {
			s, ok := e.(types.String)
			if !ok || s.IsUnknown() {
				return
			}
			if !networkRangeSyntaxOK(s.ValueString()) {
				return
			}
			reserved = append(reserved, s.ValueString())
		}
	}
	if _, err := ipam.ParseNetwork(m.CIDR.ValueString(), m.Gateway.ValueString(), reserved); err != nil {
		var fe *ipam.FieldError
		if errors.As(err, &fe) {
			resp.Diagnostics.AddAttributeError(fieldPath(fe.Field), "Invalid Network Address Plan", fe.Reason)
			return
		}
		resp.Diagnostics.AddError("Invalid Network Address Plan", err.Error())
	}
}

// networkGatewayDefault plans the gateway the engine will choose when the
// configuration leaves it out: the first host address of the CIDR, or
// none for an l2 network.
type networkGatewayDefault struct{}

var _ planmodifier.String = networkGatewayDefault{}

func (networkGatewayDefault) Description(context.Context) string {
	return "Defaults to the first host address of cidr."
}

func (d networkGatewayDefault) MarkdownDescription(ctx context.Context) string {
	return d.Description(ctx)
}

func (networkGatewayDefault) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || !req.PlanValue.IsUnknown() {
		return
	}
	var typ, prefix types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("type"), &typ)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cidr"), &prefix)...)
	if resp.Diagnostics.HasError() || typ.IsUnknown() {
		return
	}
	if typ.ValueString() == cloudcore.NetworkL2 {
		resp.PlanValue = types.StringNull()
		return
	}
	if prefix.IsNull() || prefix.IsUnknown() {
		return
	}
	if plan, err := ipam.ParseNetwork(prefix.ValueString(), "", nil); err == nil {
		resp.PlanValue = types.StringValue(plan.Gateway().String())
	}
}

func (r *networkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[networkModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Network",
		func(ctx context.Context, plan *networkModel) (*cloudcore.Network, error) {
			spec := cloudcore.NetworkSpec{
				Name:           plan.Name.ValueString(),
				ZoneID:         plan.ZoneID.ValueString(),
				Type:           plan.Type.ValueString(),
				CIDR:           plan.CIDR.ValueString(),
				Gateway:        plan.Gateway.ValueString(), // "" when unknown: the engine picks it
				VLAN:           int(plan.VLAN.ValueInt64()),
				DNS:            stringsOf(ctx, plan.DNS, &resp.Diagnostics),
				ReservedRanges: stringsOf(ctx, plan.ReservedRanges, &resp.Diagnostics),
				Description:    plan.Description.ValueString(),
			}
			if resp.Diagnostics.HasError() {
				return nil, errReported
			}
			return r.cloud.Networks.Create(ctx, spec)
		})
}

// fill copies a network into the model. Addresses keep the spelling the
// model has when they mean the same (e.g. "FD00::1" and "fd00::1").
func (m *networkModel) fill(n *cloudcore.Network) {
	m.ID, m.Name, m.ZoneID, m.Type = types.StringValue(n.ID), types.StringValue(n.Name), types.StringValue(n.ZoneID), types.StringValue(n.Type)
	m.VLAN, m.Description = types.Int64Value(int64(n.VLAN)), types.StringValue(n.Description)
	if !n.CIDR.IsValid() {
		m.CIDR = types.StringNull()
	} else if p, err := netip.ParsePrefix(m.CIDR.ValueString()); err != nil || p != n.CIDR {
		m.CIDR = types.StringValue(n.CIDR.String())
	}
	if !n.Gateway.IsValid() {
		m.Gateway = types.StringNull()
	} else if a, err := netip.ParseAddr(m.Gateway.ValueString()); err != nil || a != n.Gateway {
		m.Gateway = types.StringValue(n.Gateway.String())
	}
	if !networkSameAddrs(m.DNS, n.DNS) {
		m.DNS = addrList(n.DNS, true)
	}
	m.ReservedRanges = stringList(n.ReservedRanges, m.ReservedRanges.IsNull() || m.ReservedRanges.IsUnknown())
}

// networkSameAddrs tells whether a known list holds exactly addrs.
func networkSameAddrs(l types.List, addrs []netip.Addr) bool {
	if l.IsNull() || l.IsUnknown() || len(l.Elements()) != len(addrs) {
		return false
	}
	for i, e := range l.Elements() {
		s, ok := e.(types.String)
		if !ok {
			return false
		}
		a, err := netip.ParseAddr(s.ValueString())
		if err != nil || a != addrs[i] {
			return false
		}
	}
	return true
}

func (r *networkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[networkModel](ctx, req, resp, "Network", r.cloud.Networks.Get)
}

func (r *networkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applyPlan[networkModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Update", "Network",
		func(ctx context.Context, plan *networkModel) (*cloudcore.Network, error) {
			u := cloudcore.NetworkUpdate{Name: strPtr(plan.Name), Description: strPtr(plan.Description)}
			if !plan.DNS.IsNull() && !plan.DNS.IsUnknown() {
				dns := stringsOf(ctx, plan.DNS, &resp.Diagnostics)
				u.DNS = &dns
			}
			if resp.Diagnostics.HasError() {
				return nil, errReported
			}
			return r.cloud.Networks.Update(ctx, plan.ID.ValueString(), u)
		})
}

func (r *networkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Network", r.cloud.Networks.Delete)
}

// ImportState takes the network's ID or "<zone name>/<network name>".
// Names may themselves contain slashes: every split is tried.
func (r *networkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "zone_name/network_name", func(ctx context.Context, id string) (string, error) {
		return resolveNames(ctx, id, 2, func(ctx context.Context, names []string) (string, error) {
			z, err := r.cloud.Zones.GetByName(ctx, names[0])
			if err != nil {
				return "", err
			}
			net, err := r.cloud.Networks.GetByName(ctx, z.ID, names[1])
			if err != nil {
				return "", err
			}
			return net.ID, nil
		})
	})
}
