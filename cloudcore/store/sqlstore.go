package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// sqlStore is the Store of both dialects.
type sqlStore struct {
	d     *dialect
	write *pool // read-write transactions
	read  *pool // read-only transactions; the write pool itself on PostgreSQL
}

func (s *sqlStore) Dialect() string { return s.d.name }

// Close closes the connections; transactions still running fail.
func (s *sqlStore) Close() error {
	var err error
	if s.read != s.write {
		err = s.read.close()
	}
	return errors.Join(err, s.write.close())
}

// Update runs fn in a read-write transaction. On SQLite the transaction
// holds the database's write lock from its start; on PostgreSQL it runs at
// READ COMMITTED, where the conditional UPDATEs and unique constraints the
// Tx methods use are race-free. A transient failure (SQLite busy or locked,
// PostgreSQL serialization failure or deadlock, or a statement a concurrent
// transaction made fail), whether it ends fn or the commit, runs the whole
// transaction again after a jittered, growing pause, until it succeeds,
// fails otherwise, or ctx ends. fn must not call Update
// itself: on SQLite the outer transaction holds the only write connection.
func (s *sqlStore) Update(ctx context.Context, fn func(tx Tx) error) error {
	var failure error // the last transient failure
	for attempt := 0; ; attempt++ {
		err := s.run(ctx, s.write, nil, fn)
		switch {
		case err == nil:
			return nil
		case s.d.transient(err) || errors.Is(err, errRaced):
			failure = err
			err = sleep(ctx, backoff(attempt))
			if err == nil {
				continue
			}
		case failure == nil || ctx.Err() == nil:
			return err
		}
		// ctx ended while the transaction waited to run again.
		return fmt.Errorf("store: update abandoned after %d attempts: %w (last failure: %w)", attempt+1, ctx.Err(), failure)
	}
}

// View runs fn in a read-only transaction that reads one snapshot of the
// database. Writes inside it fail.
func (s *sqlStore) View(ctx context.Context, fn func(tx Tx) error) error {
	return s.run(ctx, s.read, s.d.viewOptions, fn)
}

// run runs fn in one transaction on p and commits when fn returns nil. The
// Tx is valid only until fn returns.
func (s *sqlStore) run(ctx context.Context, p *pool, opts *sql.TxOptions, fn func(tx Tx) error) error {
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback() // a no-op once committed; also undoes fn's work when it panics
	t := &sqlTx{tx: tx, pool: p, d: s.d}
	err = fn(t)
	if err == nil {
		if err = tx.Commit(); err != nil {
			err = fmt.Errorf("store: commit: %w", err)
		}
	}
	if err != nil && t.raced {
		return fmt.Errorf("%w: %w", errRaced, err)
	}
	return err
}

// errRaced marks the failure of a transaction in which a concurrent one
// made a statement fail (see sqlTx.raced): run again, it can succeed.
var errRaced = errors.New("store: a concurrent transaction interfered")

// backoff is the pause before retry number attempt+1: about 1 ms doubling
// up to about 100 ms, each drawn at random from [d/2, d) so that colliding
// writers spread out.
func backoff(attempt int) time.Duration {
	d := time.Millisecond << min(attempt, 7)
	return d/2 + rand.N(d/2) //nolint:gosec // jitter, not a secret
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
