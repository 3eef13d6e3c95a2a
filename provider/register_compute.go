package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// The resources and data sources of instances and snapshots.
var (
	computeResources   = []func() resource.Resource{newInstanceResource, newSnapshotResource, newSnapshotRevertResource}
	computeDataSources = []func() datasource.DataSource{newInstanceDataSource}
)
