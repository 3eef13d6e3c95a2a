package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// Readable import IDs: objects can be imported by the names of their
// parents and their own, joined with slashes ("zone/pod/cluster").

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

// looksLikeUUID reports whether s parses as a UUID.
func looksLikeUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}
