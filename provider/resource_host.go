package provider

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*hostResource)(nil)
	_ resource.ResourceWithConfigure   = (*hostResource)(nil)
	_ resource.ResourceWithImportState = (*hostResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*hostResource)(nil)
)

type hostResource struct{ base }

func newHostResource() resource.Resource { return &hostResource{} }

type hostModel struct {
	ID                types.String   `tfsdk:"id"`
	Name              types.String   `tfsdk:"name"`
	ClusterID         types.String   `tfsdk:"cluster_id"`
	URL               types.String   `tfsdk:"url"`
	Username          types.String   `tfsdk:"username"`
	Password          types.String   `tfsdk:"password"`
	PasswordWO        types.String   `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64    `tfsdk:"password_wo_version"`
	Maintenance       types.Bool     `tfsdk:"maintenance"`
	State             types.String   `tfsdk:"state"`
	Hostname          types.String   `tfsdk:"hostname"`
	Hypervisor        types.String   `tfsdk:"hypervisor"`
	HypervisorVersion types.String   `tfsdk:"hypervisor_version"`
	CPUs              types.Int64    `tfsdk:"cpus"`
	CPUMHz            types.Int64    `tfsdk:"cpu_mhz"`
	MemoryMiB         types.Int64    `tfsdk:"memory_mib"`
	ZoneID            types.String   `tfsdk:"zone_id"`
	PodID             types.String   `tfsdk:"pod_id"`
	OOBM              *hostOOBMModel `tfsdk:"oobm"`
	HAState           types.String   `tfsdk:"ha_state"`
	HADetail          types.String   `tfsdk:"ha_detail"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// hostOOBMModel is the host's `oobm` attribute: its BMC.
type hostOOBMModel struct {
	Address           types.String `tfsdk:"address"`
	Username          types.String `tfsdk:"username"`
	Password          types.String `tfsdk:"password"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
}

func (r *hostResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host"
}

func (r *hostResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	keepInt := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A hypervisor host of a cluster. cloudcore connects to the host through the cluster's " +
			"driver when the host is added, and whenever its URL or credentials change, and records what the host " +
			"reports (CPUs, memory, host name); nothing is written when the host does not answer. Credentials are " +
			"stored encrypted with the provider's `secret_key` and never read back. A host can only be deleted once " +
			"it runs no instances.\n\n" +
			"Reading the resource reports the state cloudcore last observed (kept up to date by `cloudcore serve`); " +
			"it does not connect to the host.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The host's UUID.",
				PlanModifiers:       keep,
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The host's name, unique in its cluster. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"cluster_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The UUID of the cluster the host joins. Changing it replaces the host.",
				Validators:          []validator.String{uuidOf("a cluster")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "How the cluster's driver reaches the host; the scheme must fit the cluster's " +
					"hypervisor: `simulator://<name>?cpus=16&memory_mib=65536` for `simulator`; `qemu:///system`, " +
					"`qemu+ssh://user@host/system`, `qemu+tcp://`, `qemu+tls://`, `qemu+unix://` or `test:///default` " +
					"for `kvm`; `https://esxi.example/sdk` for `vmware`; `https://xen1.example` (a pool member, or the pool " +
					"with `?host=<member>`; `ca_file=<path>` verifies a self-signed certificate) for `xenserver`. When the cluster exists already, a URL that does not fit it is refused at plan time. " +
					"Changes happen in place: cloudcore connects with the new URL first and keeps the old one if that fails.",
				Validators: []validator.String{urlWithScheme(allHostURLSchemes()...)},
			},
			"username": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "The user cloudcore logs in as, where the hypervisor needs one. Changes happen in " +
					"place after a successful connection with the new credentials.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "The password of `username`. cloudcore stores it encrypted and cannot read it " +
					"back, so the configured value is kept in the Terraform state (marked sensitive); with Terraform " +
					"1.11 or later prefer `password_wo`, which never reaches the state. Changes happen in place after a " +
					"successful connection with the new password; removing it clears the stored password. " +
					"Conflicts with `password_wo`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("password_wo")),
				},
			},
			"password_wo": schema.StringAttribute{
				Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "Write-only alternative to `password` (Terraform 1.11 or later): sent to cloudcore " +
					"when the host is created and whenever `password_wo_version` changes, and never stored in the plan " +
					"or the state. Because Terraform cannot see a change of this value, change `password_wo_version` to " +
					"rotate the password. Conflicts with `password`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("password")),
				},
			},
			"password_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number; change it to send `password_wo` to cloudcore again (in place, after a " +
					"successful connection with the new password). Requires `password_wo`.",
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("password_wo"))},
			},
			"maintenance": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Whether the host is in maintenance: it takes no new instances while the ones it " +
					"runs stay. Default `false`. Changes happen in place.",
			},
			"state": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The host's state as cloudcore last observed it: `Up`, `Down`, `Disconnected` or " +
					"`Maintenance`.",
			},
			"hostname": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The host name the hypervisor reports.",
			},
			"hypervisor": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The hypervisor type, that of the host's cluster.",
			},
			"hypervisor_version": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The hypervisor's version as it reports it.",
			},
			"cpus": schema.Int64Attribute{
				Computed: true, PlanModifiers: keepInt,
				MarkdownDescription: "The number of physical CPUs the host reports (before the cluster's over-provisioning).",
			},
			"cpu_mhz": schema.Int64Attribute{
				Computed: true, PlanModifiers: keepInt,
				MarkdownDescription: "The speed of the host's CPUs in MHz.",
			},
			"memory_mib": schema.Int64Attribute{
				Computed: true, PlanModifiers: keepInt,
				MarkdownDescription: "The host's memory in MiB (before the cluster's over-provisioning).",
			},
			"zone_id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The UUID of the host's zone.",
			},
			"pod_id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The UUID of the host's pod.",
			},
			"oobm": oobmAttribute(),
			"ha_state": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Where the HA monitor stands with the host: `Available` (answering), `Suspect` " +
					"(silent beyond `ping_timeout`, being investigated), `Degraded` (silent, but a peer sees it running: " +
					"not fenced), `FenceFailed`, or `Fenced` (powered off; its HA instances were restarted elsewhere). " +
					"Empty until the monitor has checked the host.",
			},
			"ha_detail": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Why the host is in its `ha_state`, in a sentence.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

// oobmAttribute is the schema of a host's `oobm` attribute.
func oobmAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "The host's out-of-band management: its BMC (iDRAC, iLO, ...), reached over IPMI v2.0 " +
			"LAN (RMCP+, cipher suite 3). The HA monitor fences a host that stops answering by powering it off " +
			"through the BMC before it restarts the host's HA instances elsewhere; without it, only drivers that can " +
			"fence (the simulator) can. The password is stored encrypted. Changes happen in place; removing the " +
			"attribute removes the BMC.",
		Attributes: map[string]schema.Attribute{
			"address": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The BMC's IP address or host name, with an optional port: `10.0.0.5`, `bmc1.example:623`.",
				Validators:          []validator.String{bmcAddress()},
			},
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The IPMI user, which needs the privilege to control the chassis power (operator or administrator).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "The IPMI user's password, kept in the Terraform state (marked sensitive); with " +
					"Terraform 1.11 or later prefer `password_wo`. Conflicts with `password_wo`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("password_wo")),
				},
			},
			"password_wo": schema.StringAttribute{
				Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "Write-only alternative to `password` (Terraform 1.11 or later), never stored in the " +
					"plan or the state; sent whenever the `oobm` settings change, so change `password_wo_version` to " +
					"rotate it. Conflicts with `password`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("password")),
				},
			},
			"password_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Any number; change it to send `password_wo` to cloudcore again. Requires `password_wo`.",
				Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRelative().AtParent().AtName("password_wo"))},
			},
		},
	}
}

// fill records what the engine knows of h; the credentials stay as
// configured.
func (m *hostModel) fill(h *cloudcore.Host) {
	m.ID, m.Name, m.ClusterID, m.URL, m.Username = types.StringValue(h.ID), types.StringValue(h.Name), types.StringValue(h.ClusterID),
		types.StringValue(h.URL), types.StringValue(h.Username)
	m.Maintenance, m.State, m.Hostname = types.BoolValue(h.Maintenance), types.StringValue(string(h.State)), types.StringValue(h.Hostname)
	m.Hypervisor, m.HypervisorVersion = types.StringValue(h.Hypervisor), types.StringValue(h.Version)
	m.CPUs, m.CPUMHz, m.MemoryMiB = types.Int64Value(int64(h.CPUs)), types.Int64Value(int64(h.CPUMHz)), types.Int64Value(h.MemoryMiB)
	m.ZoneID, m.PodID = types.StringValue(h.ZoneID), types.StringValue(h.PodID)
	m.PasswordWO = types.StringNull() // write-only: never in the state
	m.HAState, m.HADetail = types.StringValue(string(h.HAState)), types.StringValue(h.HADetail)
	switch {
	case h.OOBM == nil:
		m.OOBM = nil
	case m.OOBM == nil: // imported: the password cannot be read back
		m.OOBM = &hostOOBMModel{Address: types.StringValue(h.OOBM.Address), Username: types.StringValue(h.OOBM.Username)}
	default:
		m.OOBM.Address, m.OOBM.Username, m.OOBM.PasswordWO = types.StringValue(h.OOBM.Address), types.StringValue(h.OOBM.Username), types.StringNull()
	}
}

// spec is the engine's request for the configured BMC; wo is the
// configured `oobm.password_wo`. A nil model asks for no BMC.
func (m *hostOOBMModel) spec(wo types.String) *cloudcore.OOBMSpec {
	if m == nil {
		return &cloudcore.OOBMSpec{}
	}
	return &cloudcore.OOBMSpec{Address: m.Address.ValueString(), Username: m.Username.ValueString(), Password: chosenPassword(m.Password, wo)}
}

// changed reports whether going from prior to m changes the BMC.
func (m *hostOOBMModel) changed(prior *hostOOBMModel) bool {
	if m == nil || prior == nil {
		return (m == nil) != (prior == nil)
	}
	return !m.Address.Equal(prior.Address) || !m.Username.Equal(prior.Username) || !m.Password.Equal(prior.Password) ||
		!m.PasswordWOVersion.Equal(prior.PasswordWOVersion)
}

// chosenPassword is the configured password: the write-only wo when set
// (the schema lets at most one of them be), else plain; "" for neither.
func chosenPassword(plain, wo types.String) string {
	if !wo.IsNull() {
		return wo.ValueString()
	}
	return plain.ValueString()
}

// oobmPasswordWO is the path of the write-only BMC password.
var oobmPasswordWO = path.Root("oobm").AtName("password_wo")

// hostURLMismatch explains why raw cannot be the URL of a host of the
// given hypervisor ("" when it can, or when the hypervisor is unknown here).
func hostURLMismatch(hypervisor, raw string) string {
	schemes, ok := cloudcore.HostURLSchemes[hypervisor]
	if !ok {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return fmt.Sprintf("%q is not a URL; a %s host URL looks like %s://...", raw, hypervisor, schemes[0])
	}
	if !slices.Contains(schemes, u.Scheme) {
		return fmt.Sprintf("scheme %q does not fit a %s cluster; use one of %v", u.Scheme, hypervisor, schemes)
	}
	return ""
}

// reconnects reports whether going from prior to m makes cloudcore
// connect to the host again: a new URL or new credentials.
func (m *hostModel) reconnects(prior *hostModel) bool {
	return !m.URL.Equal(prior.URL) || !m.Username.Equal(prior.Username) || !m.Password.Equal(prior.Password) ||
		!m.PasswordWOVersion.Equal(prior.PasswordWOVersion)
}

// ModifyPlan refuses, when the cluster exists already, a URL whose scheme
// does not fit its hypervisor, and marks what the host reports as unknown
// when the update connects to it again.
func (r *hostResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.cloud != nil && !plan.ClusterID.IsUnknown() && !plan.URL.IsUnknown() && looksLikeUUID(plan.ClusterID.ValueString()) {
		if cl, err := r.cloud.Clusters.Get(ctx, plan.ClusterID.ValueString()); err == nil {
			if why := hostURLMismatch(cl.Hypervisor, plan.URL.ValueString()); why != "" {
				resp.Diagnostics.AddAttributeError(path.Root("url"), "Invalid Host URL",
					fmt.Sprintf("Cluster %s has hypervisor %s: %s.", cl.Name, cl.Hypervisor, why))
				return
			}
		}
		// Any other outcome is the engine's to report when the host is added.
	}
	if req.State.Raw.IsNull() {
		return // create: everything computed is unknown already
	}
	var state hostModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.reconnects(&state) {
		plan.Hostname, plan.HypervisorVersion, plan.State = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		plan.CPUs, plan.CPUMHz, plan.MemoryMiB = types.Int64Unknown(), types.Int64Unknown(), types.Int64Unknown()
	}
	if !plan.Maintenance.Equal(state.Maintenance) {
		plan.State = types.StringUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *hostResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var wo, oobmWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &wo)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, oobmPasswordWO, &oobmWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	spec := cloudcore.HostSpec{Name: plan.Name.ValueString(), ClusterID: plan.ClusterID.ValueString(),
		URL: plan.URL.ValueString(), Username: plan.Username.ValueString(), Password: chosenPassword(plan.Password, wo)}
	if plan.OOBM != nil {
		spec.OOBM = plan.OOBM.spec(oobmWO)
	}
	h, err := r.cloud.Hosts.Create(ctx, spec)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Create Host", err, path.Root("url"))
		return
	}
	if plan.Maintenance.ValueBool() {
		// A host is added in service; maintenance is a second step.
		maintenance := true
		in, err := r.cloud.Hosts.Update(ctx, h.ID, cloudcore.HostUpdate{Maintenance: &maintenance})
		if err != nil {
			plan.fill(h) // the host exists: keep it in the state, tainted by the error
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			addError(&resp.Diagnostics, "Unable to Create Host", err, path.Root("maintenance"))
			return
		}
		h = in
	}
	plan.fill(h)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *hostResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[hostModel](ctx, req, resp, "Host", r.cloud.Hosts.Get)
}

func (r *hostResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	var wo, oobmWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &wo)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, oobmPasswordWO, &oobmWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	u := cloudcore.HostUpdate{Name: strPtr(plan.Name), Maintenance: boolPtr(plan.Maintenance)}
	// Only what changed is sent: a new URL or credentials make the engine
	// connect to the host before it writes anything.
	if !plan.URL.Equal(state.URL) {
		u.URL = strPtr(plan.URL)
	}
	if !plan.Username.Equal(state.Username) {
		u.Username = strPtr(plan.Username)
	}
	if !plan.PasswordWOVersion.Equal(state.PasswordWOVersion) || !plan.Password.Equal(state.Password) {
		// With neither password nor password_wo set, "" clears the
		// stored password.
		u.Password = new(chosenPassword(plan.Password, wo))
	}
	if plan.OOBM.changed(state.OOBM) {
		u.OOBM = plan.OOBM.spec(oobmWO)
	}
	h, err := r.cloud.Hosts.Update(ctx, plan.ID.ValueString(), u)
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Update Host", err, path.Root("url"))
		return
	}
	plan.fill(h)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *hostResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Host", r.cloud.Hosts.Delete)
}

// hostImportForms names the readable import IDs of a host.
const hostImportForms = "<zone name>/<pod name>/<cluster name>/<host name> or <cluster ID>/<host name>"

// ImportState takes the host's ID, "<zone name>/<pod name>/<cluster
// name>/<host name>" or "<cluster ID>/<host name>". The password is not
// imported: cloudcore never returns it.
func (r *hostResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, hostImportForms, func(ctx context.Context, id string) (string, error) {
		byClusterID, err := resolveNames(ctx, id, 2, func(ctx context.Context, n []string) (string, error) {
			if !looksLikeUUID(n[0]) {
				return "", errNoMatch
			}
			return r.findHost(ctx, n[0], n[1])
		})
		if err == nil || !skipNotFound(err) {
			return byClusterID, err
		}
		return resolveNames(ctx, id, 4, func(ctx context.Context, n []string) (string, error) {
			cl, err := findCluster(ctx, r.cloud, n[0], n[1], n[2])
			if err != nil {
				return "", err
			}
			return r.findHost(ctx, cl.ID, n[3])
		})
	})
}

func (r *hostResource) findHost(ctx context.Context, clusterID, name string) (string, error) {
	hosts, err := r.cloud.Hosts.List(ctx, cloudcore.HostFilter{ClusterID: clusterID, Name: name})
	if err != nil {
		return "", err
	}
	for _, h := range hosts {
		if h.Name == name {
			return h.ID, nil
		}
	}
	return "", errNoMatch
}
