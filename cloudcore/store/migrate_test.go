package store

import (
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func TestEmbeddedMigrationsAreNumberedInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 || m.name == "" || len(m.statements) == 0 {
			t.Fatalf("migration %d: %+v", i, m)
		}
	}
}

func TestLoadMigrationsRejectsBadSets(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("CREATE TABLE t (x INTEGER);\n")}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		err   string
	}{
		{"none", fstest.MapFS{}, "no migrations"},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file, "migrations/0003_c.sql": file}, "0003_c.sql"},
		{"not starting at one", fstest.MapFS{"migrations/0002_b.sql": file}, "0002_b.sql"},
		{"no name", fstest.MapFS{"migrations/0001.sql": file}, "0001.sql"},
		{"not a number", fstest.MapFS{"migrations/one_a.sql": file}, "one_a.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadMigrations(tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one naming %q", err, tc.err)
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements(`-- a comment; with a semicolon
CREATE TABLE a (
	x INTEGER -- trailing remark
);

  -- indented comment
CREATE INDEX a_x ON a (x);
CREATE TABLE b (y TEXT)
`)
	want := []string{
		"CREATE TABLE a (\n\tx INTEGER -- trailing remark\n);",
		"CREATE INDEX a_x ON a (x);",
		"CREATE TABLE b (y TEXT)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// rawDB opens the database of dsn without migrating it.
func rawDB(t *testing.T, dsn string) (*sql.DB, *dialect) {
	t.Helper()
	target, err := parseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(t.Context(), target.d, target.writeDSN, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, target.d
}

func schemaVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func allVersions() []int {
	var vs []int
	for _, m := range migrations {
		vs = append(vs, m.version)
	}
	return vs
}

// TestOldDatabaseIsMigratedOnOpen builds a database at schema version 1,
// writes to it as a program of that version would, and opens it.
func TestOldDatabaseIsMigratedOnOpen(t *testing.T) {
	if len(migrations) < 2 {
		t.Fatal("this test needs a schema of at least two versions")
	}
	for _, db := range Databases {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			raw, d := rawDB(t, dsn)
			if err := migrate(t.Context(), raw, d, migrations[:1]); err != nil {
				t.Fatal(err)
			}
			_, err := raw.ExecContext(t.Context(), d.rebind(`INSERT INTO objects
				(kind, id, name, scope, zone_id, parent_id, state, version, created_at, updated_at, data)
				VALUES ('zone', 'zone-1', 'z1', '', '', '', 'Enabled', 3, 1000000, 2000000, ?)`), []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaVersions(t, raw); !slices.Equal(got, []int{1}) {
				t.Fatalf("versions before Open: %v", got)
			}

			s, err := Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := schemaVersions(t, raw); !slices.Equal(got, allVersions()) {
				t.Fatalf("versions after Open: %v, want %v", got, allVersions())
			}
			err = s.Update(t.Context(), func(tx Tx) error {
				o, err := tx.Get(t.Context(), KindZone, "zone-1")
				if err != nil {
					return err
				}
				if o.Version != 3 || o.Name != "z1" || o.CreatedAt.UnixMicro() != 1000000 {
					t.Errorf("old object read back as %+v", o)
				}
				// The tables of the later migrations are there.
				return tx.PutHostCapacity(t.Context(), HostCapacity{HostID: "host-1", ZoneID: "zone-1"})
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	for _, db := range Databases {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			raw, d := rawDB(t, dsn)
			if err := migrate(t.Context(), raw, d, migrations); err != nil {
				t.Fatal(err)
			}
			future := len(migrations) + 1
			if _, err := raw.ExecContext(t.Context(), d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)`), future); err != nil {
				t.Fatal(err)
			}
			s, err := Open(t.Context(), dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a database newer than the program")
			}
			if !strings.Contains(err.Error(), "newer than this program") {
				t.Fatalf("error %q does not say the database is newer", err)
			}
		})
	}
}

// TestConcurrentOpensMigrateOnce opens one fresh database from several
// connection pools at once, as several processes would.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	for _, db := range Databases {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			const n = 6
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					s, err := Open(t.Context(), dsn)
					if err == nil {
						err = s.Close()
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Open %d: %v", i, err)
				}
			}
			raw, _ := rawDB(t, dsn)
			if got := schemaVersions(t, raw); !slices.Equal(got, allVersions()) {
				t.Fatalf("versions %v, want each of %v once", got, allVersions())
			}
		})
	}
}
