package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

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
	if _, err := uuid.Parse(id); err != nil {
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
