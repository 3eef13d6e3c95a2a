package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// base is embedded by every resource and data source: it receives the
// engine from the provider.
type base struct {
	cloud *cloudcore.Cloud
}

func (b *base) configure(data any, add func(string, string)) {
	if data == nil {
		return // the provider is not configured yet (validation, plan of unknowns)
	}
	c, ok := data.(*cloudcore.Cloud)
	if !ok {
		add("Unexpected Provider Data", fmt.Sprintf("expected *cloudcore.Cloud, got %T; this is a bug in the provider", data))
		return
	}
	b.cloud = c
}

// Configure implements resource.ResourceWithConfigure.
func (b *base) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.configure(req.ProviderData, resp.Diagnostics.AddError)
}

// dataSourceBase is embedded by data sources.
type dataSourceBase struct{ base }

// Configure implements datasource.DataSourceWithConfigure.
func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	b.configure(req.ProviderData, resp.Diagnostics.AddError)
}

// Default timeouts of operations that touch hypervisors.
const (
	defaultTimeout = 20 * time.Minute
)

// importByIDOrName imports a resource by its UUID or, when the import ID
// is not a UUID, by a readable name that lookup resolves to the ID.
func importByIDOrName(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse,
	form string, lookup func(ctx context.Context, name string) (string, error)) {
	id := req.ID
	if !looksLikeUUID(id) {
		found, err := lookup(ctx, req.ID)
		if err != nil {
			if errors.Is(err, cloudcore.ErrNotFound) {
				resp.Diagnostics.AddError("Unable to Import", fmt.Sprintf("nothing matches %q; import by ID or as %s", req.ID, form))
				return
			}
			addError(&resp.Diagnostics, "Unable to Import", err, path.Empty())
			return
		}
		id = found
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// withTimeout bounds ctx by a timeouts attribute's value for one
// operation; get is plan.Timeouts.Create and friends.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	diags *diag.Diagnostics) (context.Context, context.CancelFunc, bool) {
	d, ds := get(ctx, defaultTimeout)
	diags.Append(ds...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, true
}

// filler is a resource model that takes in what the engine recorded.
type filler[M, O any] interface {
	*M
	fill(O)
}

// readByID refreshes a resource's state with get(id): an object that is
// gone is removed from the state, so the next plan re-creates it.
func readByID[M any, O any, P filler[M, O]](ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse,
	noun string, get func(context.Context, string) (O, error)) {
	var m M
	var id types.String
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	o, err := get(ctx, id.ValueString())
	if errors.Is(err, cloudcore.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "Unable to Read "+noun, err, path.Empty())
		return
	}
	P(&m).fill(o)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// deleteByID deletes the resource's object with del(id) within the delete
// timeout; an object that is gone already counts as deleted.
func deleteByID(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse,
	noun string, del func(context.Context, string) error) {
	var id types.String
	var to timeouts.Value
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("timeouts"), &to)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, to.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	if err := del(ctx, id.ValueString()); err != nil && !errors.Is(err, cloudcore.ErrNotFound) {
		addError(&resp.Diagnostics, "Unable to Delete "+noun, err, path.Empty())
	}
}

// errReported is returned by an applyPlan step that has put its own error
// in the diagnostics already (a plan value it could not read).
var errReported = errors.New("reported in the diagnostics")

// applyPlan runs a Create or an Update (op): it reads the plan, bounds do
// by the operation's timeout, and saves the plan filled in with what the
// engine recorded.
func applyPlan[M any, O any, P filler[M, O]](ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics,
	op, noun string, do func(context.Context, *M) (O, error)) {
	var m M
	var to timeouts.Value
	diags.Append(plan.Get(ctx, &m)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("timeouts"), &to)...)
	if diags.HasError() {
		return
	}
	limit := to.Create
	if op == "Update" {
		limit = to.Update
	}
	ctx, cancel, ok := withTimeout(ctx, limit, diags)
	if !ok {
		return
	}
	defer cancel()
	o, err := do(ctx, &m)
	if errors.Is(err, errReported) {
		return
	}
	if err != nil {
		addError(diags, "Unable to "+op+" "+noun, err, path.Empty())
		return
	}
	P(&m).fill(o)
	diags.Append(state.Set(ctx, &m)...)
}
