package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// The resources and data sources of pods, clusters, hosts, storage pools and templates.
var (
	infrastructureResources = []func() resource.Resource{
		newPodResource,
		newClusterResource,
		newHostResource,
		newStoragePoolResource,
		newTemplateResource,
	}
	infrastructureDataSources = []func() datasource.DataSource{
		newTemplateDataSource,
		newHostsDataSource,
	}
)
