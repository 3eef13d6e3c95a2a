package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// sqlTx is the Tx of both dialects. Its methods leave the transaction
// usable after every error they document (ErrNotFound, ErrConflict,
// ErrNoCapacity) on both databases: they detect those conditions with
// conditional statements and ON CONFLICT DO NOTHING rather than by letting a
// statement fail, which on PostgreSQL would abort the transaction. A caller
// may therefore, say, try the next IP address after an "ip" conflict.
//
// One race escapes the checks: on PostgreSQL a concurrent transaction can
// take a name after Update looked for it, and the UPDATE then fails. Update
// reports the conflict and marks the transaction raced; if the transaction
// then fails (the caller gives up, or its next statement meets the aborted
// transaction), Store.Update runs it again, and the second run sees the
// name taken and reports the conflict with the transaction still usable.
type sqlTx struct {
	tx    *sql.Tx
	pool  *pool
	d     *dialect
	stmts []*sql.Stmt // transaction-bound statements by query, made on first use
	// raced is set when a concurrent transaction made a statement fail.
	raced bool
}

var _ Tx = (*sqlTx)(nil)

func (t *sqlTx) stmt(ctx context.Context, q query) *sql.Stmt {
	if t.stmts == nil {
		t.stmts = make([]*sql.Stmt, len(t.pool.stmts))
	}
	if t.stmts[q] == nil {
		t.stmts[q] = t.tx.StmtContext(ctx, t.pool.stmts[q])
	}
	return t.stmts[q]
}

// exec runs q and returns the number of rows it changed.
func (t *sqlTx) exec(ctx context.Context, q query, args ...any) (int64, error) {
	res, err := t.stmt(ctx, q).ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *sqlTx) query(ctx context.Context, q query, args ...any) (*sql.Rows, error) {
	return t.stmt(ctx, q).QueryContext(ctx, args...)
}

func (t *sqlTx) queryRow(ctx context.Context, q query, args ...any) *sql.Row {
	return t.stmt(ctx, q).QueryRowContext(ctx, args...)
}

// queryText runs SQL whose text varies with its arguments, unprepared.
func (t *sqlTx) queryText(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.rebind(text), args...)
}

// exists reports whether q, a SELECT 1 ..., finds a row.
func (t *sqlTx) exists(ctx context.Context, q query, args ...any) (bool, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// uniqueKey is one unique key an INSERT can collide with: the constraint it
// is reported as, a query (SELECT 1 ...) with its arguments that finds the
// row holding the key, and what to say about that row.
type uniqueKey struct {
	constraint string
	find       query
	args       []any
	detail     string
}

// insertUnique runs ins, an INSERT ... ON CONFLICT DO NOTHING, and when it
// inserted nothing reports the first of keys() that holds a row as a
// *ConflictError. A key freed again before it could be found (by a
// concurrent transaction on PostgreSQL) leads to another try.
func (t *sqlTx) insertUnique(ctx context.Context, ins query, args []any, keys func() []uniqueKey) error {
	const tries = 3
	for range tries {
		n, err := t.exec(ctx, ins, args...)
		if err != nil || n == 1 {
			return err
		}
		for _, k := range keys() {
			found, err := t.exists(ctx, k.find, k.args...)
			if err != nil {
				return err
			}
			if found {
				return &ConflictError{Constraint: k.constraint, Detail: k.detail}
			}
		}
	}
	return fmt.Errorf("store: insert skipped %d times for a conflict that vanished: %w", tries, ErrConflict)
}

// scanAll reads every row with scan, which fills one value from rows.
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner, *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// placeholders returns "?, ?, ..." with n placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// now is the store's clock: UTC, at the microsecond precision both
// databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Times are stored as microseconds since the Unix epoch.
func toMicros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// limit is the LIMIT argument for a cap n, where 0 means none.
func limit(n int) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return int64(n)
}

// invalid reports a malformed argument.
func invalid(format string, args ...any) error {
	return fmt.Errorf("store: "+format+": %w", append(args, hypervisors.ErrInvalid)...)
}

// orEmpty stores a nil byte slice as an empty one: the columns are NOT NULL.
func orEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
