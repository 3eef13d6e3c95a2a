package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// query names one SQL statement the package runs inside transactions.
// Every such statement is declared with newQuery when the package is
// initialised, and Open prepares them all on each pool before the first
// transaction: a SQLite write pool has a single connection, which a running
// transaction holds, so nothing could be prepared on demand. Statements whose
// text varies with their arguments (IN lists) run unprepared instead, see
// sqlTx.queryText.
type query int

// queryTexts holds the SQL of every query, with ? placeholders.
var queryTexts []string

func newQuery(text string) query {
	queryTexts = append(queryTexts, text)
	return query(len(queryTexts) - 1)
}

// pool is a connection pool with every query prepared on it.
type pool struct {
	db    *sql.DB
	stmts []*sql.Stmt // by query
}

func newPool(ctx context.Context, db *sql.DB, d *dialect) (*pool, error) {
	p := &pool{db: db, stmts: make([]*sql.Stmt, 0, len(queryTexts))}
	for _, text := range queryTexts {
		st, err := db.PrepareContext(ctx, d.rebind(text))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: prepare %q: %w", text, err), p.close())
		}
		p.stmts = append(p.stmts, st)
	}
	return p, nil
}

// close releases the prepared statements, then the connections.
func (p *pool) close() error {
	var errs []error
	for _, st := range p.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, p.db.Close())...)
}
