package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const poolColumns = `pool_id, zone_id, cluster_id, total, used, enabled`

// poolUsage adds its arguments (bytes, bytes) to the used amount, never
// going below zero.
const poolUsage = `used = CASE WHEN used + ? < 0 THEN 0 ELSE used + ? END`

var (
	qPutPool = newQuery(`INSERT INTO pool_capacity (` + poolColumns + `) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (pool_id) DO UPDATE SET zone_id = excluded.zone_id, cluster_id = excluded.cluster_id,
			total = excluded.total, enabled = excluded.enabled`)
	qGetPool    = newQuery(`SELECT ` + poolColumns + ` FROM pool_capacity WHERE pool_id = ?`)
	qPoolExists = newQuery(`SELECT 1 FROM pool_capacity WHERE pool_id = ?`)
	qDeletePool = newQuery(`DELETE FROM pool_capacity WHERE pool_id = ?`)
	qListPools  = newQuery(`SELECT ` + poolColumns + ` FROM pool_capacity WHERE zone_id = ? ORDER BY seq`)
	// qReservePool takes space in one conditional UPDATE, like qReserveHost.
	qReservePool = newQuery(`UPDATE pool_capacity SET ` + poolUsage + ` WHERE pool_id = ? AND enabled AND used + ? <= total`)
	qReleasePool = newQuery(`UPDATE pool_capacity SET ` + poolUsage + ` WHERE pool_id = ?`)
)

func scanPool(r scanner, c *PoolCapacity) error {
	return r.Scan(&c.PoolID, &c.ZoneID, &c.ClusterID, &c.Total, &c.Used, &c.Enabled)
}

// PutPoolCapacity creates the pool's row with all of c, or updates
// everything but the used amount of an existing one.
func (t *sqlTx) PutPoolCapacity(ctx context.Context, c PoolCapacity) error {
	if c.PoolID == "" {
		return invalid("put pool capacity: no pool id")
	}
	if _, err := t.exec(ctx, qPutPool, c.PoolID, c.ZoneID, c.ClusterID, c.Total, c.Used, c.Enabled); err != nil {
		return fmt.Errorf("store: put capacity of pool %s: %w", c.PoolID, err)
	}
	return nil
}

// GetPoolCapacity returns the pool's capacity, or ErrNotFound.
func (t *sqlTx) GetPoolCapacity(ctx context.Context, poolID string) (PoolCapacity, error) {
	var c PoolCapacity
	err := scanPool(t.queryRow(ctx, qGetPool, poolID), &c)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return PoolCapacity{}, fmt.Errorf("store: capacity of pool %s: %w", poolID, err)
	}
	return c, nil
}

// DeletePoolCapacity removes the pool's row, or fails with ErrNotFound.
func (t *sqlTx) DeletePoolCapacity(ctx context.Context, poolID string) error {
	n, err := t.exec(ctx, qDeletePool, poolID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: delete capacity of pool %s: %w", poolID, err)
	}
	return nil
}

// ListPoolCapacity lists the zone's pools in the order they were first put.
func (t *sqlTx) ListPoolCapacity(ctx context.Context, zoneID string) ([]PoolCapacity, error) {
	rows, err := t.query(ctx, qListPools, zoneID)
	pools, err := scanAll(rows, err, scanPool)
	if err != nil {
		return nil, fmt.Errorf("store: pools of zone %s: %w", zoneID, err)
	}
	return pools, nil
}

// ReservePool adds bytes to the pool's used amount if the pool is enabled
// and they fit its total, else fails with ErrNoCapacity (ErrNotFound for an
// unknown pool). Zero or negative bytes release, down to zero at most, and
// always succeed.
func (t *sqlTx) ReservePool(ctx context.Context, poolID string, bytes int64) error {
	var n int64
	var err error
	if bytes <= 0 {
		n, err = t.exec(ctx, qReleasePool, bytes, bytes, poolID)
	} else {
		n, err = t.exec(ctx, qReservePool, bytes, bytes, poolID, bytes)
	}
	if err == nil && n == 0 {
		err = t.noCapacity(ctx, qPoolExists, poolID)
	}
	if err != nil {
		return fmt.Errorf("store: reserve %d bytes on pool %s: %w", bytes, poolID, err)
	}
	return nil
}
