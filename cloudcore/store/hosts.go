package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const hostColumns = `host_id, zone_id, pod_id, cluster_id, hypervisor, allocatable, cpu_total, cpu_used, mem_total, mem_used`

// hostUsage adds its arguments (cpu, cpu, mem, mem) to the used amounts,
// never going below zero.
const hostUsage = `cpu_used = CASE WHEN cpu_used + ? < 0 THEN 0 ELSE cpu_used + ? END,
	mem_used = CASE WHEN mem_used + ? < 0 THEN 0 ELSE mem_used + ? END`

var (
	qPutHost = newQuery(`INSERT INTO host_capacity (` + hostColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (host_id) DO UPDATE SET zone_id = excluded.zone_id, pod_id = excluded.pod_id,
			cluster_id = excluded.cluster_id, hypervisor = excluded.hypervisor, allocatable = excluded.allocatable,
			cpu_total = excluded.cpu_total, mem_total = excluded.mem_total`)
	qGetHost    = newQuery(`SELECT ` + hostColumns + ` FROM host_capacity WHERE host_id = ?`)
	qHostExists = newQuery(`SELECT 1 FROM host_capacity WHERE host_id = ?`)
	qDeleteHost = newQuery(`DELETE FROM host_capacity WHERE host_id = ?`)
	// qReserveHost takes capacity in one conditional UPDATE, so concurrent
	// reservations in any number of processes never over-commit. Its
	// boolean arguments say that the cpu or mem amount is a release, which
	// always fits.
	qReserveHost = newQuery(`UPDATE host_capacity SET ` + hostUsage + `
		WHERE host_id = ? AND allocatable AND (? OR cpu_used + ? <= cpu_total) AND (? OR mem_used + ? <= mem_total)`)
	qReleaseHost = newQuery(`UPDATE host_capacity SET ` + hostUsage + ` WHERE host_id = ?`)

	qCandidates = map[Strategy]query{
		FirstFit:      newQuery(candidatesSQL(FirstFit, 0, 0)),
		LeastConsumed: newQuery(candidatesSQL(LeastConsumed, 0, 0)),
	}
)

// candidatesSQL selects the hosts a HostQuery asks for, with IN lists of
// the given lengths for ClusterIDs and ExcludeHosts. Both strategies read
// the index host_capacity_fit (zone_id, mem_free, cpu_free, seq) from the
// query's free memory upwards, so hosts without room cost nothing. First
// fit sorts what it found by creation order ("+seq" keeps SQLite from
// walking the table in rowid order instead, which would visit the full
// hosts first). Least consumed reads the index backwards, in its own
// order, and stops after the limit.
func candidatesSQL(s Strategy, clusters, exclude int) string {
	q := `SELECT ` + hostColumns + ` FROM host_capacity
		WHERE zone_id = ? AND allocatable AND mem_free >= ? AND cpu_free >= ?`
	if clusters > 0 {
		q += ` AND cluster_id IN (` + placeholders(clusters) + `)`
	}
	if exclude > 0 {
		q += ` AND host_id NOT IN (` + placeholders(exclude) + `)`
	}
	if s == LeastConsumed {
		return q + ` ORDER BY mem_free DESC, cpu_free DESC, seq DESC LIMIT ?`
	}
	return q + ` ORDER BY +seq LIMIT ?`
}

func scanHost(r scanner, c *HostCapacity) error {
	return r.Scan(&c.HostID, &c.ZoneID, &c.PodID, &c.ClusterID, &c.Hypervisor, &c.Allocatable,
		&c.CPUTotal, &c.CPUUsed, &c.MemTotal, &c.MemUsed)
}

// PutHostCapacity creates the host's row with all of c, or updates
// everything but the used amounts of an existing one.
func (t *sqlTx) PutHostCapacity(ctx context.Context, c HostCapacity) error {
	if c.HostID == "" {
		return invalid("put host capacity: no host id")
	}
	_, err := t.exec(ctx, qPutHost, c.HostID, c.ZoneID, c.PodID, c.ClusterID, c.Hypervisor, c.Allocatable,
		c.CPUTotal, c.CPUUsed, c.MemTotal, c.MemUsed)
	if err != nil {
		return fmt.Errorf("store: put capacity of host %s: %w", c.HostID, err)
	}
	return nil
}

// GetHostCapacity returns the host's capacity, or ErrNotFound.
func (t *sqlTx) GetHostCapacity(ctx context.Context, hostID string) (HostCapacity, error) {
	var c HostCapacity
	err := scanHost(t.queryRow(ctx, qGetHost, hostID), &c)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return HostCapacity{}, fmt.Errorf("store: capacity of host %s: %w", hostID, err)
	}
	return c, nil
}

// DeleteHostCapacity removes the host's row, or fails with ErrNotFound.
func (t *sqlTx) DeleteHostCapacity(ctx context.Context, hostID string) error {
	n, err := t.exec(ctx, qDeleteHost, hostID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: delete capacity of host %s: %w", hostID, err)
	}
	return nil
}

// CandidateHosts returns the allocatable hosts of q.ZoneID with q.CPU and
// q.Mem free, at most q.Limit (0: all). First fit orders them as their
// capacity was first put; least consumed by most free memory, then most
// free CPU, then the host put last first. An empty Strategy means first
// fit; an unknown one is ErrInvalid.
func (t *sqlTx) CandidateHosts(ctx context.Context, q HostQuery) ([]HostCapacity, error) {
	if q.Strategy == "" {
		q.Strategy = FirstFit
	}
	prepared, ok := qCandidates[q.Strategy]
	if !ok {
		return nil, invalid("candidate hosts: unknown strategy %q", q.Strategy)
	}
	args := make([]any, 0, 4+len(q.ClusterIDs)+len(q.ExcludeHosts))
	args = append(args, q.ZoneID, q.Mem, q.CPU)
	for _, id := range q.ClusterIDs {
		args = append(args, id)
	}
	for _, id := range q.ExcludeHosts {
		args = append(args, id)
	}
	args = append(args, limit(q.Limit))
	var rows *sql.Rows
	var err error
	if len(q.ClusterIDs) == 0 && len(q.ExcludeHosts) == 0 {
		rows, err = t.query(ctx, prepared, args...)
	} else {
		rows, err = t.queryText(ctx, candidatesSQL(q.Strategy, len(q.ClusterIDs), len(q.ExcludeHosts)), args...)
	}
	hosts, err := scanAll(rows, err, scanHost)
	if err != nil {
		return nil, fmt.Errorf("store: candidate hosts in zone %s: %w", q.ZoneID, err)
	}
	return hosts, nil
}

// ReserveHost adds cpu and mem to the host's used amounts if the host is
// allocatable and each positive amount fits its total, else fails with
// ErrNoCapacity (ErrNotFound for an unknown host). When neither amount is
// positive it only releases, down to zero at most, and always succeeds.
func (t *sqlTx) ReserveHost(ctx context.Context, hostID string, cpu, mem int64) error {
	var n int64
	var err error
	if cpu <= 0 && mem <= 0 {
		n, err = t.exec(ctx, qReleaseHost, cpu, cpu, mem, mem, hostID)
	} else {
		n, err = t.exec(ctx, qReserveHost, cpu, cpu, mem, mem, hostID, cpu <= 0, cpu, mem <= 0, mem)
	}
	if err == nil && n == 0 {
		err = t.noCapacity(ctx, qHostExists, hostID)
	}
	if err != nil {
		return fmt.Errorf("store: reserve %d milli-CPUs and %d MiB on host %s: %w", cpu, mem, hostID, err)
	}
	return nil
}

// noCapacity explains a reservation that changed no row: ErrNotFound when
// exists (SELECT 1 ... WHERE id = ?) finds no row for id, else ErrNoCapacity.
func (t *sqlTx) noCapacity(ctx context.Context, exists query, id string) error {
	found, err := t.exists(ctx, exists, id)
	switch {
	case err != nil:
		return err
	case !found:
		return ErrNotFound
	}
	return ErrNoCapacity
}
