package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// The resources and data sources of guest networks and affinity groups.
var (
	networkResources   = []func() resource.Resource{newNetworkResource, newAffinityGroupResource}
	networkDataSources = []func() datasource.DataSource{newNetworkDataSource}
)
