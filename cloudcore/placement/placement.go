// Package placement picks a host and a primary storage pool for an instance
// and reserves their capacity. It reads and reserves through the narrow
// Source interface, which the engine implements over one store transaction,
// so the reservation commits together with the record of the placement.
package placement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Source is what the planner reads and reserves, inside the caller's
// transaction. store.Tx satisfies it.
type Source interface {
	CandidateHosts(ctx context.Context, q store.HostQuery) ([]store.HostCapacity, error)
	GetHostCapacity(ctx context.Context, hostID string) (store.HostCapacity, error)
	ReserveHost(ctx context.Context, hostID string, cpu, mem int64) error
	ListPoolCapacity(ctx context.Context, zoneID string) ([]store.PoolCapacity, error)
	ReservePool(ctx context.Context, poolID string, bytes int64) error
	AffinityHosts(ctx context.Context, groupIDs []string, exceptID string) ([]string, error)
}

// Request describes what to place.
type Request struct {
	InstanceID string
	ZoneID     string
	CPU        int64 // milli-CPUs
	Mem        int64 // MiB
	DiskBytes  int64
	// Clusters are the clusters the instance may run in (enabled, of the
	// template's hypervisor); nil means any cluster of the zone.
	Clusters []string
	// AntiAffinity groups: avoid hosts where members run. Affinity groups:
	// stay on the host where members run, when they run somewhere.
	AntiAffinity []string
	Affinity     []string
	// ExcludeHosts are never chosen (hosts a deploy already failed on).
	ExcludeHosts []string
	// Host pins the placement to one host ("" lets the planner choose).
	Host string
	// Pool holds the instance's volume already (its space is reserved):
	// only hosts that reach it are chosen, and no disk is reserved. Empty:
	// the planner picks a pool with DiskBytes free and reserves them.
	Pool     string
	Strategy store.Strategy
}

// Decision is a placement whose capacity is reserved.
type Decision struct {
	HostID    string
	ClusterID string
	PoolID    string
}

// candidatesPerRound bounds how many hosts one query returns; the planner
// asks again only when all of them lost a race for their capacity.
const candidatesPerRound = 16

// Place chooses a host and a pool for r and reserves CPU, memory and disk.
// It fails with ErrNoCapacity (wrapped, with the reason) when nothing fits.
func Place(ctx context.Context, src Source, r Request) (Decision, error) {
	pools, err := src.ListPoolCapacity(ctx, r.ZoneID)
	if err != nil {
		return Decision{}, err
	}
	if r.Pool != "" {
		pools = slices.DeleteFunc(pools, func(p store.PoolCapacity) bool { return p.PoolID != r.Pool })
		if len(pools) == 0 {
			return Decision{}, fmt.Errorf("storage pool %s is not in zone %s: %w", r.Pool, r.ZoneID, store.ErrNotFound)
		}
	}
	pools = slices.DeleteFunc(pools, func(p store.PoolCapacity) bool {
		return !p.Enabled || (r.Pool == "" && p.Total-p.Used < r.DiskBytes)
	})
	if len(pools) == 0 {
		return Decision{}, fmt.Errorf("no primary storage pool in the zone has %d bytes free: %w", r.DiskBytes, store.ErrNoCapacity)
	}
	clusters := reachableClusters(pools, r.Clusters)
	if clusters != nil && len(clusters) == 0 {
		return Decision{}, fmt.Errorf("no cluster that fits the template reaches a storage pool with %d bytes free: %w", r.DiskBytes, store.ErrNoCapacity)
	}
	exclude := slices.Clone(r.ExcludeHosts)
	if len(r.AntiAffinity) > 0 {
		taken, err := src.AffinityHosts(ctx, r.AntiAffinity, r.InstanceID)
		if err != nil {
			return Decision{}, err
		}
		exclude = append(exclude, taken...)
	}
	pinned := r.Host
	if pinned == "" && len(r.Affinity) > 0 {
		together, err := src.AffinityHosts(ctx, r.Affinity, r.InstanceID)
		if err != nil {
			return Decision{}, err
		}
		if len(together) > 0 {
			pinned = together[0]
		}
	}
	var hosts []store.HostCapacity
	if pinned != "" {
		if slices.Contains(exclude, pinned) {
			return Decision{}, fmt.Errorf("host %s is excluded by anti-affinity or an earlier failure: %w", pinned, store.ErrNoCapacity)
		}
		h, err := src.GetHostCapacity(ctx, pinned)
		if err != nil {
			return Decision{}, err
		}
		hosts = []store.HostCapacity{h}
	}
	for round := 0; ; round++ {
		if pinned == "" {
			hosts, err = src.CandidateHosts(ctx, store.HostQuery{ZoneID: r.ZoneID, ClusterIDs: clusters, ExcludeHosts: exclude,
				CPU: r.CPU, Mem: r.Mem, Strategy: r.Strategy, Limit: candidatesPerRound})
			if err != nil {
				return Decision{}, err
			}
		}
		if len(hosts) == 0 {
			return Decision{}, fmt.Errorf("no host in the zone has %d milli-CPUs and %d MiB free%s: %w",
				r.CPU, r.Mem, constraintNote(r), store.ErrNoCapacity)
		}
		for _, h := range hosts {
			d, err := reserve(ctx, src, r, h, pools)
			if err == nil {
				return d, nil
			}
			if !errors.Is(err, store.ErrNoCapacity) {
				return Decision{}, err
			}
			exclude = append(exclude, h.HostID)
		}
		if pinned != "" {
			return Decision{}, fmt.Errorf("host %s cannot take %d milli-CPUs and %d MiB: %w", pinned, r.CPU, r.Mem, store.ErrNoCapacity)
		}
	}
}

// reserve takes the capacity of host h and of the emptiest pool h reaches.
func reserve(ctx context.Context, src Source, r Request, h store.HostCapacity, pools []store.PoolCapacity) (Decision, error) {
	reach := slices.DeleteFunc(slices.Clone(pools), func(p store.PoolCapacity) bool {
		return p.ClusterID != "" && p.ClusterID != h.ClusterID
	})
	if len(reach) == 0 {
		return Decision{}, fmt.Errorf("host %s reaches no pool with room: %w", h.HostID, store.ErrNoCapacity)
	}
	// Cluster pools before zone-wide ones, then the most free space.
	slices.SortStableFunc(reach, func(a, b store.PoolCapacity) int {
		if (a.ClusterID == "") != (b.ClusterID == "") {
			if a.ClusterID != "" {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Total-b.Used, a.Total-a.Used)
	})
	if err := src.ReserveHost(ctx, h.HostID, r.CPU, r.Mem); err != nil {
		return Decision{}, err
	}
	if r.Pool != "" {
		return Decision{HostID: h.HostID, ClusterID: h.ClusterID, PoolID: r.Pool}, nil
	}
	for _, p := range reach {
		err := src.ReservePool(ctx, p.PoolID, r.DiskBytes)
		if err == nil {
			return Decision{HostID: h.HostID, ClusterID: h.ClusterID, PoolID: p.PoolID}, nil
		}
		if !errors.Is(err, store.ErrNoCapacity) {
			return Decision{}, err
		}
	}
	if err := src.ReserveHost(ctx, h.HostID, -r.CPU, -r.Mem); err != nil {
		return Decision{}, err
	}
	return Decision{}, fmt.Errorf("pools of host %s filled up: %w", h.HostID, store.ErrNoCapacity)
}

// reachableClusters narrows allowed (nil: all) to clusters that reach one
// of pools. A zone-wide pool reaches every cluster.
func reachableClusters(pools []store.PoolCapacity, allowed []string) []string {
	zoneWide := slices.ContainsFunc(pools, func(p store.PoolCapacity) bool { return p.ClusterID == "" })
	if zoneWide {
		return allowed
	}
	var out []string
	for _, p := range pools {
		if (allowed == nil || slices.Contains(allowed, p.ClusterID)) && !slices.Contains(out, p.ClusterID) {
			out = append(out, p.ClusterID)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func constraintNote(r Request) string {
	switch {
	case len(r.AntiAffinity) > 0:
		return " on a host without members of its anti-affinity groups"
	case len(r.ExcludeHosts) > 0:
		return fmt.Sprintf(" besides the %d host(s) it already failed on", len(r.ExcludeHosts))
	}
	return ""
}
