package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*instanceResource)(nil)
	_ resource.ResourceWithConfigure   = (*instanceResource)(nil)
	_ resource.ResourceWithImportState = (*instanceResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*instanceResource)(nil)
)

type instanceResource struct{ base }

func newInstanceResource() resource.Resource { return &instanceResource{} }

type instanceModel struct {
	ID               types.String       `tfsdk:"id"`
	Name             types.String       `tfsdk:"name"`
	ZoneID           types.String       `tfsdk:"zone_id"`
	TemplateID       types.String       `tfsdk:"template_id"`
	CPUs             types.Int64        `tfsdk:"cpus"`
	MemoryMiB        types.Int64        `tfsdk:"memory_mib"`
	RootDiskGiB      types.Int64        `tfsdk:"root_disk_gib"`
	Network          []instanceNICModel `tfsdk:"network"`
	HAEnabled        types.Bool         `tfsdk:"ha_enabled"`
	Running          types.Bool         `tfsdk:"running"`
	UserData         types.String       `tfsdk:"user_data"`
	AffinityGroupIDs types.Set          `tfsdk:"affinity_group_ids"`
	HostID           types.String       `tfsdk:"host_id"`
	State            types.String       `tfsdk:"state"`
	LastError        types.String       `tfsdk:"last_error"`
	Timeouts         timeouts.Value     `tfsdk:"timeouts"`
}

type instanceNICModel struct {
	NetworkID  types.String `tfsdk:"network_id"`
	IPAddress  types.String `tfsdk:"ip_address"`
	MACAddress types.String `tfsdk:"mac_address"`
}

func (r *instanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

func (r *instanceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A virtual machine. cloudcore places it on a host of the template's zone (capacity, " +
			"over-provisioning, anti-affinity, host state and storage reachability), gives each NIC an address from " +
			"the network's IPAM, and keeps its power state as `running` says on every apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The instance's UUID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{Required: true, Validators: []validator.String{hostname()},
				MarkdownDescription: "The instance's name, unique in its zone; it becomes the guest's host name. Renaming happens in place."},
			"zone_id": schema.StringAttribute{Optional: true, Computed: true, Validators: []validator.String{uuidOf("a zone")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "The zone; defaults to the template's zone and must match it when given."},
			"template_id": schema.StringAttribute{Required: true, PlanModifiers: replace, Validators: []validator.String{uuidOf("a template")},
				MarkdownDescription: "The template the root disk is made from. Changing it re-creates the instance."},
			"cpus": schema.Int64Attribute{Required: true, Validators: []validator.Int64{int64validator.Between(1, cloudcore.MaxCPUs)},
				MarkdownDescription: "Virtual CPUs. Changed in place: the instance is stopped and started again when its hypervisor cannot resize it while it runs."},
			"memory_mib": schema.Int64Attribute{Required: true, Validators: []validator.Int64{int64validator.AtLeast(cloudcore.MinMemoryMiB)},
				MarkdownDescription: "Memory in MiB. Changed in place like `cpus`."},
			"root_disk_gib": schema.Int64Attribute{Optional: true, Computed: true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace(), int64planmodifier.UseStateForUnknown()},
				MarkdownDescription: "Root disk size in GiB; defaults to the template's size and may not be smaller."},
			"ha_enabled": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Restart the instance on another host of its cluster when its host fails. Changed in place."},
			"running": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether the instance runs. Enforced on every apply: an instance powered off out of band is started again."},
			"user_data": schema.StringAttribute{Optional: true, PlanModifiers: replace,
				Validators:          []validator.String{stringvalidator.LengthAtMost(cloudcore.MaxUserDataSize)},
				MarkdownDescription: "cloud-init user data, delivered as the hypervisor allows (config drive, guestinfo). Changing it re-creates the instance."},
			"affinity_group_ids": schema.SetAttribute{ElementType: types.StringType, Optional: true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(uuidOf("an affinity group"))},
				PlanModifiers:       []planmodifier.Set{setplanmodifier.RequiresReplace()},
				MarkdownDescription: "Affinity groups the instance belongs to; anti-affinity spreads members over hosts."},
			"host_id": schema.StringAttribute{Computed: true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "The host the instance runs on (it may change when HA restarts it elsewhere)."},
			"state": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The lifecycle state: Running, Stopped, Error, ... An instance in Error (for example, its VM was deleted out of band) is planned for replacement, except one that keeps its root volume but lost its host (its host was fenced and the HA monitor found no room elsewhere): apply starts that one on a host with room."},
			"last_error": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Why the instance is in Error (empty otherwise)."},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
		Blocks: map[string]schema.Block{
			"network": schema.ListNestedBlock{
				MarkdownDescription: "A NIC, in device order; at least one. NICs added after the others, and NICs " +
					"removed, are attached and detached in place, running or stopped (hot-plug; the instance must have " +
					"no snapshots then). Reordering the NICs, adding one before another, or changing the address of " +
					"one that stays re-creates the instance.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.IsRequired()},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"network_id": schema.StringAttribute{Required: true, Validators: []validator.String{uuidOf("a network")},
						MarkdownDescription: "The network."},
					"ip_address": schema.StringAttribute{Optional: true, Computed: true, Validators: []validator.String{ipAddress()},
						PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
						MarkdownDescription: "A fixed address inside the network's CIDR; allocated by IPAM when omitted. Empty on an L2 network."},
					"mac_address": schema.StringAttribute{Optional: true, Computed: true,
						PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
						MarkdownDescription: "A fixed MAC address; allocated (unique in the zone) when omitted."},
				}},
			},
		},
	}
}

// ModifyPlan replaces an instance the engine has put in Error (a failed
// deploy, or its VM deleted out of band) and says why; an unplaced one
// (see cloudcore.Instance.Unplaced) is started on a new host instead.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	r.checkAddresses(ctx, req, resp)
	if req.State.Raw.IsNull() {
		return
	}
	planNICs(ctx, req, resp)
	var state, id, hostID types.String
	var running types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("state"), &state)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("host_id"), &hostID)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("running"), &running)...)
	if resp.Diagnostics.HasError() || (state.ValueString() != string(cloudcore.Error) && state.ValueString() != string(cloudcore.Stopped)) {
		return
	}
	// Only an instance without a host can be unplaced: the others need no
	// read of the store here.
	if r.cloud != nil && hostID.ValueString() == "" {
		if inst, err := r.cloud.Instances.Get(ctx, id.ValueString()); err == nil && inst.Unplaced() {
			if running.ValueBool() {
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("host_id"), types.StringUnknown())...)
				resp.Diagnostics.AddAttributeWarning(path.Root("state"), "Instance Will Be Placed Again",
					fmt.Sprintf("The instance is %s without a host (%s). It keeps its root volume, so it is not replaced: "+
						"apply starts it on a host of its cluster that has room.", inst.State, cmp.Or(inst.LastError, "its host was fenced")))
			}
			return
		}
	}
	if state.ValueString() != string(cloudcore.Error) {
		return
	}
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("state"))
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("state"), types.StringUnknown())...)
	resp.Diagnostics.AddAttributeWarning(path.Root("state"), "Instance Will Be Replaced",
		"The instance is in Error (its deploy failed or its VM is missing on its host), so it is destroyed and deployed again.")
}

// planNICs plans the NIC changes of an existing instance. NICs are matched
// by network (an instance has one NIC per network): those that stay keep
// their address and MAC, new ones get theirs at apply. The change is in
// place when the NICs that stay keep their order and addresses and the new
// ones come after them; otherwise the instance is replaced.
func planNICs(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var old, cfg []instanceNICModel
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("network"), &old)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("network"), &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planned, ok := nicsInPlace(old, cfg)
	if !ok {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("network"))
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("network"), planned)...)
}

// nicsInPlace returns the NICs planned for configuration cfg of an
// instance that has old, and false when the change needs a new instance.
func nicsInPlace(old, cfg []instanceNICModel) ([]instanceNICModel, bool) {
	planned := make([]instanceNICModel, len(cfg))
	last, added := -1, false
	for i, c := range cfg {
		k := slices.IndexFunc(old, func(o instanceNICModel) bool { return !c.NetworkID.IsUnknown() && o.NetworkID.Equal(c.NetworkID) })
		if k < 0 {
			added = true
			planned[i] = instanceNICModel{NetworkID: c.NetworkID, IPAddress: knownOr(c.IPAddress), MACAddress: knownOr(c.MACAddress)}
			continue
		}
		o := old[k]
		if added || k < last || !sameOrUnset(c.IPAddress, o.IPAddress) || !sameOrUnset(c.MACAddress, o.MACAddress) {
			return nil, false
		}
		last, planned[i] = k, o
	}
	return planned, true
}

// knownOr is v, or unknown when v is null: a computed value apply sets.
func knownOr(v types.String) types.String {
	if v.IsNull() {
		return types.StringUnknown()
	}
	return v
}

// sameOrUnset reports whether configured value c leaves the NIC's
// value v as it is: c is unset or equal to it.
func sameOrUnset(c, v types.String) bool {
	return c.IsNull() || c.Equal(v)
}

// checkAddresses refuses at plan time a fixed ip_address that its
// network, when it exists already, cannot give (outside the CIDR, the
// gateway, reserved).
func (r *instanceResource) checkAddresses(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.cloud == nil {
		return
	}
	var nics []instanceNICModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("network"), &nics)...)
	for i, n := range nics {
		if n.NetworkID.IsUnknown() || n.NetworkID.IsNull() || n.IPAddress.IsUnknown() || n.IPAddress.IsNull() {
			continue
		}
		err := r.cloud.Networks.CheckAddress(ctx, n.NetworkID.ValueString(), fmt.Sprintf("network[%d].ip_address", i), n.IPAddress.ValueString())
		if err != nil && !errors.Is(err, cloudcore.ErrNotFound) {
			addError(&resp.Diagnostics, "Invalid Instance Address", err, path.Empty())
		}
	}
}

func (m *instanceModel) spec(ctx context.Context, diags *diag.Diagnostics) cloudcore.InstanceSpec {
	s := cloudcore.InstanceSpec{Name: m.Name.ValueString(), ZoneID: m.ZoneID.ValueString(), TemplateID: m.TemplateID.ValueString(),
		CPUs: int(m.CPUs.ValueInt64()), MemoryMiB: m.MemoryMiB.ValueInt64(), HAEnabled: m.HAEnabled.ValueBool(),
		UserData: m.UserData.ValueString(), Stopped: !m.Running.ValueBool()}
	if !m.RootDiskGiB.IsUnknown() && !m.RootDiskGiB.IsNull() {
		s.RootDiskBytes = m.RootDiskGiB.ValueInt64() << 30
	}
	for _, n := range m.Network {
		s.Networks = append(s.Networks, cloudcore.NICRequest{NetworkID: n.NetworkID.ValueString(),
			IP: knownString(n.IPAddress), MAC: knownString(n.MACAddress)})
	}
	if !m.AffinityGroupIDs.IsNull() && !m.AffinityGroupIDs.IsUnknown() {
		diags.Append(m.AffinityGroupIDs.ElementsAs(ctx, &s.AffinityGroupIDs, false)...)
	}
	return s
}

func knownString(v types.String) string {
	if v.IsNull() || v.IsUnknown() {
		return ""
	}
	return v.ValueString()
}

// fill copies what the engine recorded into the model.
func (m *instanceModel) fill(i *cloudcore.Instance) {
	m.ID, m.Name, m.ZoneID, m.TemplateID = types.StringValue(i.ID), types.StringValue(i.Name), types.StringValue(i.ZoneID), types.StringValue(i.TemplateID)
	m.CPUs, m.MemoryMiB, m.RootDiskGiB = types.Int64Value(int64(i.CPUs)), types.Int64Value(i.MemoryMiB), types.Int64Value(i.RootDiskBytes>>30)
	m.HAEnabled, m.Running = types.BoolValue(i.HAEnabled), types.BoolValue(i.State == cloudcore.Running)
	m.HostID, m.State, m.LastError = types.StringValue(i.HostID), types.StringValue(string(i.State)), types.StringValue(i.LastError)
	if i.UserData != "" || !m.UserData.IsNull() {
		m.UserData = types.StringValue(i.UserData)
	}
	nics := make([]instanceNICModel, len(i.NICs))
	for k, n := range i.NICs {
		nics[k] = instanceNICModel{NetworkID: types.StringValue(n.NetworkID), IPAddress: types.StringValue(addrString(n.IP)), MACAddress: types.StringValue(n.MAC)}
	}
	switch {
	case len(nics) > 0 || m.Network == nil:
		m.Network = nics
	default:
		// No NICs recorded (a deploy that failed gave its addresses back):
		// the configured networks stay, without addresses.
		for k := range m.Network {
			n := &m.Network[k]
			if n.IPAddress.IsUnknown() {
				n.IPAddress = types.StringNull()
			}
			if n.MACAddress.IsUnknown() {
				n.MACAddress = types.StringNull()
			}
		}
	}
	groups := make([]attr.Value, len(i.AffinityGroupIDs))
	for k, g := range i.AffinityGroupIDs {
		groups[k] = types.StringValue(g)
	}
	if len(groups) > 0 || !m.AffinityGroupIDs.IsNull() {
		m.AffinityGroupIDs = types.SetValueMust(types.StringType, groups)
	}
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func (r *instanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	spec := plan.spec(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	inst, err := r.cloud.Instances.Create(ctx, spec)
	if inst != nil {
		// Saved even when the deploy failed, so the instance is not lost to
		// Terraform: it is tainted and replaced by the next apply.
		plan.fill(inst)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Create Instance", err, path.Empty())
	}
}

func (r *instanceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inst, _, err := r.cloud.Instances.Refresh(ctx, state.ID.ValueString())
	if errors.Is(err, cloudcore.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if errors.Is(err, cloudcore.ErrUnreachable) && inst != nil {
		resp.Diagnostics.AddWarning("Instance Host Unreachable",
			fmt.Sprintf("The host of instance %s did not answer, so its recorded state is shown. Error: %v", inst.Name, err))
		err = nil
	}
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read Instance", err, path.Empty())
		return
	}
	state.fill(inst)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes the instance in place: power off first when asked, then
// size, name and HA flag, then power on.
func (r *instanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id, c, want := state.ID.ValueString(), r.cloud, plan // want: the plan as it came, while steps run
	steps := []struct {
		needed bool
		do     func() (*cloudcore.Instance, error)
	}{
		{!want.Running.ValueBool() && state.Running.ValueBool(), func() (*cloudcore.Instance, error) { return c.Instances.Stop(ctx, id, false) }},
		{!want.CPUs.Equal(state.CPUs) || !want.MemoryMiB.Equal(state.MemoryMiB), func() (*cloudcore.Instance, error) {
			return c.Instances.Resize(ctx, id, int(want.CPUs.ValueInt64()), want.MemoryMiB.ValueInt64())
		}},
		{!want.Name.Equal(state.Name) || !want.HAEnabled.Equal(state.HAEnabled), func() (*cloudcore.Instance, error) {
			return c.Instances.Update(ctx, id, cloudcore.InstanceUpdate{Name: strPtr(want.Name), HAEnabled: boolPtr(want.HAEnabled)})
		}},
		{!slices.EqualFunc(want.Network, state.Network, sameNetwork), func() (*cloudcore.Instance, error) {
			return changeNICs(ctx, c, id, state.Network, want.Network)
		}},
		{want.Running.ValueBool(), func() (*cloudcore.Instance, error) { return c.Instances.Start(ctx, id) }},
	}
	for _, s := range steps {
		if !s.needed {
			continue
		}
		if _, err := s.do(); err != nil {
			// Record what did change before the failure.
			if inst, gerr := c.Instances.Get(ctx, id); gerr == nil {
				state.fill(inst)
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			}
			addError(&resp.Diagnostics, "Unable to Update Instance", err, path.Empty())
			return
		}
	}
	inst, err := c.Instances.Get(ctx, id)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Update Instance", err, path.Empty())
		return
	}
	plan.fill(inst)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// sameNetwork reports whether two NICs are on the same network.
func sameNetwork(a, b instanceNICModel) bool { return a.NetworkID.Equal(b.NetworkID) }

// changeNICs takes instance id from NICs old to want (see nicsInPlace):
// it attaches the new ones first, so that the instance always keeps one,
// then detaches those that go.
func changeNICs(ctx context.Context, c *cloudcore.Cloud, id string, old, want []instanceNICModel) (*cloudcore.Instance, error) {
	var inst *cloudcore.Instance
	for _, w := range want {
		if slices.ContainsFunc(old, func(o instanceNICModel) bool { return sameNetwork(o, w) }) {
			continue
		}
		var err error
		if inst, err = c.Instances.AttachNIC(ctx, id, cloudcore.NICRequest{NetworkID: w.NetworkID.ValueString(),
			IP: w.IPAddress.ValueString(), MAC: w.MACAddress.ValueString()}); err != nil {
			return inst, err
		}
	}
	for _, o := range old {
		if slices.ContainsFunc(want, func(w instanceNICModel) bool { return sameNetwork(o, w) }) {
			continue
		}
		var err error
		if inst, err = c.Instances.DetachNIC(ctx, id, o.MACAddress.ValueString()); err != nil {
			return inst, err
		}
	}
	return inst, nil
}

func (r *instanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Instance", r.cloud.Instances.Destroy)
}

// ImportState takes the instance's ID or `zone_id/name`.
func (r *instanceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "zone_id/instance_name", func(ctx context.Context, ref string) (string, error) {
		zone, name, ok := strings.Cut(ref, "/")
		if !ok || zone == "" || name == "" {
			return "", fmt.Errorf("%q is neither a UUID nor zone_id/instance_name: %w", ref, cloudcore.ErrNotFound)
		}
		i, err := r.cloud.Instances.GetByName(ctx, zone, name)
		if err != nil {
			return "", err
		}
		return i.ID, nil
	})
}
