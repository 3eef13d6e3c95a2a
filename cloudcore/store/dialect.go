package store

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A dialect holds everything that differs between SQLite and PostgreSQL.
// The rest of the package is one implementation: its SQL is written once,
// with ? placeholders and the portable subset both databases share.
type dialect struct {
	name   string // what Store.Dialect reports
	driver string // database/sql driver name

	// numbered: placeholders are $1, $2, ... rather than ?.
	numbered bool
	// schema expands the type tokens of the migration files.
	schema *strings.Replacer
	// migrationLock is run first in the migration transaction to keep a
	// second process out until it commits; "" when the transaction's BEGIN
	// takes that lock already.
	migrationLock string
	// viewOptions begin the read-only transactions of Store.View.
	viewOptions *sql.TxOptions

	// transient reports a failure after which the whole transaction may
	// succeed when run again.
	transient func(error) bool
	// uniqueViolation reports a failed unique constraint.
	uniqueViolation func(error) bool
}

// Schema tokens. {{seq}} is an ordering key: a 64-bit integer primary key
// the database assigns in insertion order. {{blob}} is a byte string that
// compares bytewise.
var (
	sqliteSchema   = strings.NewReplacer("{{seq}}", "INTEGER PRIMARY KEY", "{{blob}}", "BLOB")
	postgresSchema = strings.NewReplacer("{{seq}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "{{blob}}", "BYTEA")
)

var sqliteDialect = &dialect{
	name:   "sqlite",
	driver: "sqlite",
	schema: sqliteSchema,
	// Write transactions begin IMMEDIATE (see Open), which takes the
	// database's write lock at once.
	migrationLock: "",
	// The read pool's connections are query_only; a deferred transaction
	// reads one WAL snapshot.
	viewOptions: &sql.TxOptions{ReadOnly: true},
	transient: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		primary := e.Code() & 0xff
		return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
	},
	uniqueViolation: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) &&
			(e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
}

// postgresMigrationKey identifies cloudcore's schema migrations among the
// advisory locks of a PostgreSQL database ("cloudcor" in ASCII).
const postgresMigrationKey = 0x636c6f7564636f72

var postgresDialect = &dialect{
	name:          "postgres",
	driver:        "pgx",
	numbered:      true,
	schema:        postgresSchema,
	migrationLock: "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(postgresMigrationKey, 10) + ")",
	// One snapshot for the whole View, as SQLite gives.
	viewOptions: &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
	transient: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01") // serialization_failure, deadlock_detected
	},
	uniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
}

// rebind turns the ? placeholders of q into the dialect's form. The
// package's SQL has no ? inside string literals or identifiers.
func (d *dialect) rebind(q string) string {
	if !d.numbered {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
