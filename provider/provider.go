// Package provider is the Terraform glue of cloudcore: schemas, models,
// CRUD and import for every cloudcore object. It holds no business logic:
// every decision is the engine's (package cloudcore).
package provider

import (
	"context"
	"os"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	// Every hypervisor driver is linked into the provider.
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/cloudcore/cloudcore"

// Environment variables the provider settings default to.
const (
	EnvDatabase  = "CLOUDCORE_DATABASE"
	EnvSecretKey = "CLOUDCORE_SECRET_KEY"
)

var _ fwprovider.Provider = (*cloudcoreProvider)(nil)

type cloudcoreProvider struct {
	version string
}

type providerModel struct {
	Database  types.String `tfsdk:"database"`
	SecretKey types.String `tfsdk:"secret_key"`
}

// New returns a constructor of the provider, as providerserver wants.
func New(version string) func() fwprovider.Provider {
	return func() fwprovider.Provider { return &cloudcoreProvider{version: version} }
}

func (p *cloudcoreProvider) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "cloudcore"
	resp.Version = p.version
}

func (p *cloudcoreProvider) Schema(_ context.Context, _ fwprovider.SchemaRequest, resp *fwprovider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a cloudcore cloud: zones, pods, clusters and hosts on KVM, XenServer, VMware ESXi " +
			"or the built-in simulator, primary storage, templates, guest networks, instances and snapshots.",
		Attributes: map[string]schema.Attribute{
			"database": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where cloudcore keeps its state: a PostgreSQL URL (`postgres://user:pass@host/db`), shared " +
					"by several management servers and pipelines, or an SQLite file path. Defaults to the `" + EnvDatabase +
					"` environment variable, else `cloudcore.db` in the working directory.",
			},
			"secret_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The key that encrypts host and BMC credentials at rest: 32 bytes, base64 or hex " +
					"(`openssl rand -base64 32`). Defaults to the `" + EnvSecretKey + "` environment variable; with an SQLite " +
					"database and no key, a key file `<database>.key` (mode 0600) is created beside it. Required with PostgreSQL.",
			},
		},
	}
}

// clouds shares one engine per database among the provider instances of
// this process, as Terraform may configure a provider more than once.
var clouds = struct {
	sync.Mutex
	m map[string]*cloudcore.Cloud
}{m: map[string]*cloudcore.Cloud{}}

func (p *cloudcoreProvider) Configure(ctx context.Context, req fwprovider.ConfigureRequest, resp *fwprovider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Database.IsUnknown() || cfg.SecretKey.IsUnknown() {
		resp.Diagnostics.AddError("Unable to Configure the cloudcore Provider",
			"database and secret_key must be known when the plan is made; do not derive them from resources of this configuration.")
		return
	}
	database := orEnv(cfg.Database, EnvDatabase)
	key := orEnv(cfg.SecretKey, EnvSecretKey)

	clouds.Lock()
	defer clouds.Unlock()
	c := clouds.m[database]
	if c == nil {
		var err error
		c, err = cloudcore.Open(ctx, cloudcore.Config{Database: database, SecretKey: key, Actor: "terraform"})
		if err != nil {
			addError(&resp.Diagnostics, "Unable to Configure the cloudcore Provider", err, path.Root("database"))
			return
		}
		clouds.m[database] = c
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

func orEnv(v types.String, env string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *cloudcoreProvider) Resources(context.Context) []func() resource.Resource {
	out := []func() resource.Resource{newZoneResource}
	out = append(out, infrastructureResources...)
	out = append(out, networkResources...)
	return append(out, computeResources...)
}

func (p *cloudcoreProvider) DataSources(context.Context) []func() datasource.DataSource {
	out := []func() datasource.DataSource{newZoneDataSource}
	out = append(out, infrastructureDataSources...)
	out = append(out, networkDataSources...)
	return append(out, computeDataSources...)
}
