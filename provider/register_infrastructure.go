package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
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

// gib is the number of bytes in a GiB; attributes count storage in GiB,
// the engine in bytes.
const gib = 1 << 30

// maxGiB is the largest GiB count whose byte count fits in an int64.
const maxGiB = (1<<63 - 1) / gib

// uuidOf accepts the UUID of an object of the kind named by what.
func uuidOf(what string) validator.String {
	return stringCheck{"must be the UUID of " + what, func(s string) string {
		if _, err := uuid.Parse(s); err != nil {
			return fmt.Sprintf("%q is not a UUID; refer to the ID of %s, e.g. its resource's `id` attribute", s, what)
		}
		return ""
	}}
}

// allHostURLSchemes is every scheme of the engine's HostURLSchemes, sorted.
func allHostURLSchemes() []string {
	var out []string
	for _, schemes := range cloudcore.HostURLSchemes {
		for _, s := range schemes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// nameSplits returns every way of cutting a readable import ID such as
// "zone/pod/cluster" into n non-empty parts at slashes, so that names
// which themselves contain slashes still resolve.
func nameSplits(id string, n int) [][]string {
	if n == 1 {
		if id == "" {
			return nil
		}
		return [][]string{{id}}
	}
	var out [][]string
	for i := 0; i < len(id); i++ {
		if id[i] != '/' || i == 0 {
			continue
		}
		for _, rest := range nameSplits(id[i+1:], n-1) {
			out = append(out, append([]string{id[:i]}, rest...))
		}
	}
	return out
}

// errNoMatch is what an import lookup returns when no object has the
// names given.
var errNoMatch = fmt.Errorf("no object with these names: %w", cloudcore.ErrNotFound)

// skipNotFound is true for a lookup error that only means "try the next
// way of reading the names".
func skipNotFound(err error) bool { return errors.Is(err, cloudcore.ErrNotFound) }

// findPod resolves a zone name and a pod name.
func findPod(ctx context.Context, c *cloudcore.Cloud, zoneName, podName string) (*cloudcore.Pod, error) {
	z, err := c.Zones.GetByName(ctx, zoneName)
	if err != nil {
		return nil, err
	}
	pods, err := c.Pods.List(ctx, z.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range pods {
		if p.Name == podName {
			return p, nil
		}
	}
	return nil, errNoMatch
}

// findCluster resolves zone, pod and cluster names.
func findCluster(ctx context.Context, c *cloudcore.Cloud, zoneName, podName, clusterName string) (*cloudcore.Cluster, error) {
	p, err := findPod(ctx, c, zoneName, podName)
	if err != nil {
		return nil, err
	}
	clusters, err := c.Clusters.List(ctx, p.ZoneID)
	if err != nil {
		return nil, err
	}
	for _, cl := range clusters {
		if cl.PodID == p.ID && cl.Name == clusterName {
			return cl, nil
		}
	}
	return nil, errNoMatch
}

// resolveNames tries every reading of id as n slash-separated names and
// returns the ID that find gives for the first one that matches.
func resolveNames(ctx context.Context, id string, n int, find func(ctx context.Context, names []string) (string, error)) (string, error) {
	for _, names := range nameSplits(id, n) {
		found, err := find(ctx, names)
		if err == nil {
			return found, nil
		}
		if !skipNotFound(err) {
			return "", err
		}
	}
	return "", errNoMatch
}

// nullWhenEmpty maps the engine's "" (not set) to a null attribute.
func nullWhenEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// looksLikeUUID reports whether s parses as a UUID.
func looksLikeUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}
