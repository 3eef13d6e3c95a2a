package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// Open opens the database named by dsn, creating an SQLite file if needed,
// and migrates its schema to this program's version. The forms of dsn:
//
//	postgres://user:pass@host:port/db?sslmode=...   PostgreSQL (also postgresql://), any pgx connection URL
//	sqlite:///abs/path.db or sqlite://rel/path.db     SQLite file
//	file:/abs/path.db or file:rel/path.db             SQLite file
//	/abs/path.db or rel/path.db                       SQLite file
//
// SQLite runs in WAL mode with synchronous=NORMAL, a busy timeout and
// foreign keys on; its write transactions begin IMMEDIATE so that writers in
// several processes queue for the lock instead of failing to upgrade a read
// lock. SQLite paths take no query parameters, and in-memory databases are
// refused: the store keeps separate read and write connections, which would
// each see their own memory database.
func Open(ctx context.Context, dsn string) (Store, error) {
	t, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return openTarget(ctx, t)
}

// target is a parsed DSN: how to reach the database with which dialect.
type target struct {
	d        *dialect
	writeDSN string // driver DSN for read-write transactions
	readDSN  string // driver DSN for read-only ones; "": the write pool serves both
	// Pool sizes.
	writeConns, readConns int
	// maxIdle closes connections idle for longer (0: never).
	maxIdle time.Duration
}

// sqliteBusyTimeout is how long an SQLite statement waits for a lock
// another connection holds before failing with SQLITE_BUSY (which Update
// then retries).
const sqliteBusyTimeout = 10 * time.Second

func parseDSN(dsn string) (target, error) {
	scheme, rest, hasScheme := strings.Cut(dsn, "://")
	switch {
	case dsn == "":
		return target{}, errors.New("store: empty database DSN: give postgres://... or an SQLite file path")
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		conns := max(4, 2*runtime.GOMAXPROCS(0)+2)
		return target{d: postgresDialect, writeDSN: dsn, writeConns: conns, maxIdle: 5 * time.Minute}, nil
	case hasScheme && scheme == "sqlite":
		return sqliteTarget(dsn, rest)
	case hasScheme:
		return target{}, fmt.Errorf("store: database DSN scheme %q is not supported: use postgres://, postgresql://, sqlite:// or a file path", scheme)
	case strings.HasPrefix(dsn, "file:"):
		return sqliteTarget(dsn, strings.TrimPrefix(dsn, "file:"))
	case strings.Contains(dsn, "="):
		return target{}, errors.New("store: database DSN looks like PostgreSQL keyword=value settings: give a postgres:// URL (or, for an SQLite file whose name has \"=\", sqlite://PATH)")
	default:
		return sqliteTarget(dsn, dsn)
	}
}

func sqliteTarget(dsn, path string) (target, error) {
	switch {
	case path == "":
		return target{}, fmt.Errorf("store: database DSN %q names no SQLite file", dsn)
	case strings.HasPrefix(path, ":memory:") || strings.Contains(path, "mode=memory"):
		return target{}, fmt.Errorf("store: database DSN %q: in-memory SQLite is not supported; give a file path", dsn)
	case strings.Contains(path, "?"):
		return target{}, fmt.Errorf("store: database DSN %q: SQLite paths take no parameters (the store sets its own)", dsn)
	}
	common := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)",
		path, sqliteBusyTimeout.Milliseconds())
	return target{
		d: sqliteDialect,
		// The write pool creates the file and turns WAL on (a persistent
		// setting) before the read pool connects.
		writeDSN:   common + "&_pragma=journal_mode(WAL)&_txlock=immediate",
		readDSN:    common + "&_query_only=1",
		writeConns: 1, // writers of this process queue in database/sql, not in SQLite's busy loop
		readConns:  max(4, runtime.GOMAXPROCS(0)),
	}, nil
}

func openTarget(ctx context.Context, t target) (*sqlStore, error) {
	wdb, err := openDB(ctx, t.d, t.writeDSN, t.writeConns, t.maxIdle)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, wdb, t.d, migrations); err != nil {
		return nil, errors.Join(err, wdb.Close())
	}
	s := &sqlStore{d: t.d}
	if s.write, err = newPool(ctx, wdb, t.d); err != nil {
		return nil, err
	}
	s.read = s.write
	if t.readDSN == "" {
		return s, nil
	}
	rdb, err := openDB(ctx, t.d, t.readDSN, t.readConns, t.maxIdle)
	if err != nil {
		return nil, errors.Join(err, s.write.close())
	}
	if s.read, err = newPool(ctx, rdb, t.d); err != nil {
		return nil, errors.Join(err, s.write.close())
	}
	return s, nil
}

func openDB(ctx context.Context, d *dialect, dsn string, conns int, maxIdle time.Duration) (*sql.DB, error) {
	db, err := sql.Open(d.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", d.name, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(maxIdle)
	// Connecting can fail transiently: processes that open a fresh SQLite
	// file at once race to switch it to WAL, which takes an exclusive lock
	// without waiting in SQLite's busy handler. Such failures are retried
	// as transactions are, for as long as a busy wait would last.
	deadline := time.Now().Add(sqliteBusyTimeout)
	for attempt := 0; ; attempt++ {
		err := db.PingContext(ctx)
		if err == nil {
			return db, nil
		}
		if d.transient(err) && time.Now().Before(deadline) {
			if err = sleep(ctx, backoff(attempt)); err == nil {
				continue
			}
		}
		return nil, errors.Join(fmt.Errorf("store: connect to %s: %w", d.name, err), db.Close())
	}
}
