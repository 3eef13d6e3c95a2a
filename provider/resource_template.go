package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

var (
	_ resource.Resource                = (*templateResource)(nil)
	_ resource.ResourceWithConfigure   = (*templateResource)(nil)
	_ resource.ResourceWithImportState = (*templateResource)(nil)
)

type templateResource struct{ base }

func newTemplateResource() resource.Resource { return &templateResource{} }

type templateModel struct {
	ID         types.String   `tfsdk:"id"`
	Name       types.String   `tfsdk:"name"`
	ZoneID     types.String   `tfsdk:"zone_id"`
	URL        types.String   `tfsdk:"url"`
	Format     types.String   `tfsdk:"format"`
	Hypervisor types.String   `tfsdk:"hypervisor"`
	SizeGiB    types.Int64    `tfsdk:"size_gib"`
	OSType     types.String   `tfsdk:"os_type"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
}

// templateURLSchemes are the schemes a template's image can be found at.
var templateURLSchemes = []string{"http", "https", "file", "template", "datastore", "vm", "vdi"}

func (r *templateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_template"
}

func (r *templateResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A template: a disk image registered in a zone that instances boot from. Unregistering " +
			"a template leaves the volumes of instances made from it alone.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The template's UUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The template's name, unique in its zone. Renaming happens in place.",
				Validators:          []validator.String{name()},
			},
			"zone_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The UUID of the zone the template is registered in. Changing it replaces the template.",
				Validators:          []validator.String{uuidOf("a zone")},
				PlanModifiers:       replace,
			},
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Where the image is: `http://` or `https://` URL, `file:///path` on the hosts, " +
					"`template://name` for a template the hypervisor already has, and on VMware a disk " +
					"`datastore://<datastore>/<path>.vmdk` or a VM or VM template `vm:<inventory path or name>`, " +
					"on XenServer a disk of the pool `vdi:<name label or UUID>` (an `http(s)://` raw image is imported " +
					"into each storage repository once). Changing it replaces the template.",
				Validators:    []validator.String{urlWithScheme(templateURLSchemes...)},
				PlanModifiers: replace,
			},
			"format": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The image format: `qcow2`, `raw`, `vhd`, `vmdk` or `ova`. Changing it replaces the template.",
				Validators:          []validator.String{stringvalidator.OneOf(cloudcore.TemplateFormats...)},
				PlanModifiers:       replace,
			},
			"hypervisor": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Restricts the template to clusters of this hypervisor type (`simulator`, `kvm`, " +
					"`xenserver` or `vmware`); leave it out for a template any cluster can use. Changing it replaces " +
					"the template.",
				Validators:    []validator.String{stringvalidator.OneOf(cloudcore.Hypervisors...)},
				PlanModifiers: replace,
			},
			"size_gib": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(0),
				MarkdownDescription: "The image's virtual size in GiB: the smallest root disk an instance made from it " +
					"can have. `0` (the default) when unknown. Changing it replaces the template.",
				Validators:    []validator.Int64{int64validator.Between(0, maxGiB)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"os_type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text naming the guest operating system, e.g. `ubuntu-24.04`. Changes happen in place.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (m *templateModel) fill(t *cloudcore.Template) {
	m.ID, m.Name, m.ZoneID, m.URL, m.Format = types.StringValue(t.ID), types.StringValue(t.Name), types.StringValue(t.ZoneID),
		types.StringValue(t.URL), types.StringValue(t.Format)
	m.Hypervisor, m.SizeGiB, m.OSType = nullWhenEmpty(t.Hypervisor), types.Int64Value(t.SizeBytes/gib), types.StringValue(t.OSType)
}

func (r *templateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	applyPlan[templateModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Create", "Template",
		func(ctx context.Context, plan *templateModel) (*cloudcore.Template, error) {
			return r.cloud.Templates.Create(ctx, cloudcore.TemplateSpec{Name: plan.Name.ValueString(), ZoneID: plan.ZoneID.ValueString(),
				URL: plan.URL.ValueString(), Format: plan.Format.ValueString(), Hypervisor: plan.Hypervisor.ValueString(),
				SizeBytes: plan.SizeGiB.ValueInt64() * gib, OSType: plan.OSType.ValueString()})
		})
}

func (r *templateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readByID[templateModel](ctx, req, resp, "Template", r.cloud.Templates.Get)
}

func (r *templateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applyPlan[templateModel](ctx, req.Plan, &resp.State, &resp.Diagnostics, "Update", "Template",
		func(ctx context.Context, plan *templateModel) (*cloudcore.Template, error) {
			return r.cloud.Templates.Update(ctx, plan.ID.ValueString(), cloudcore.TemplateUpdate{Name: strPtr(plan.Name),
				OSType: strPtr(plan.OSType)})
		})
}

func (r *templateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteByID(ctx, req, resp, "Template", r.cloud.Templates.Delete)
}

// ImportState takes the template's ID or "<zone name>/<template name>".
func (r *templateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrName(ctx, req, resp, "<zone name>/<template name>", func(ctx context.Context, id string) (string, error) {
		return resolveNames(ctx, id, 2, func(ctx context.Context, n []string) (string, error) {
			z, err := r.cloud.Zones.GetByName(ctx, n[0])
			if err != nil {
				return "", err
			}
			return findTemplate(ctx, r.cloud, z.ID, n[1])
		})
	})
}

// findTemplate returns the ID of the template of a zone with that name.
func findTemplate(ctx context.Context, c *cloudcore.Cloud, zoneID, name string) (string, error) {
	ts, err := c.Templates.List(ctx, zoneID, name)
	if err != nil {
		return "", err
	}
	for _, t := range ts {
		if t.Name == name {
			return t.ID, nil
		}
	}
	return "", errNoMatch
}
