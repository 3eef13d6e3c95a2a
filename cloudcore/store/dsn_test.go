package store

import (
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct {
		dsn     string
		dialect string
		path    string // SQLite file the write pool opens
		err     string // part of the error; "" for none
	}{
		{dsn: "postgres://u:p@db.example:5432/cloud?sslmode=require", dialect: "postgres"},
		{dsn: "postgresql://u@db.example/cloud", dialect: "postgres"},
		{dsn: "sqlite:///var/lib/cloudcore/state.db", dialect: "sqlite", path: "/var/lib/cloudcore/state.db"},
		{dsn: "sqlite://state.db", dialect: "sqlite", path: "state.db"},
		{dsn: "file:/var/lib/cloudcore/state.db", dialect: "sqlite", path: "/var/lib/cloudcore/state.db"},
		{dsn: "file:state.db", dialect: "sqlite", path: "state.db"},
		{dsn: "/var/lib/cloudcore/state.db", dialect: "sqlite", path: "/var/lib/cloudcore/state.db"},
		{dsn: "state.db", dialect: "sqlite", path: "state.db"},
		{dsn: "", err: "empty database DSN"},
		{dsn: "mysql://u:secret@db/cloud", err: `scheme "mysql" is not supported`},
		{dsn: "sqlite://", err: "names no SQLite file"},
		{dsn: "file:", err: "names no SQLite file"},
		{dsn: ":memory:", err: "in-memory SQLite is not supported"},
		{dsn: "file::memory:", err: "in-memory SQLite is not supported"},
		{dsn: "file:x.db?mode=memory", err: "in-memory SQLite is not supported"},
		{dsn: "sqlite://state.db?_pragma=foo", err: "take no parameters"},
		{dsn: "host=db.example user=cloud password=secret dbname=cloud", err: "give a postgres:// URL"},
		{dsn: "sqlite://a=b.db", dialect: "sqlite", path: "a=b.db"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			target, err := parseDSN(tc.dsn)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if target.d.name != tc.dialect {
				t.Fatalf("dialect %s, want %s", target.d.name, tc.dialect)
			}
			if tc.path != "" && !strings.HasPrefix(target.writeDSN, tc.path+"?") {
				t.Fatalf("SQLite DSN %q does not open %q", target.writeDSN, tc.path)
			}
		})
	}
}

func TestOpenFailsClearly(t *testing.T) {
	for _, tc := range []struct{ dsn, err string }{
		{"postgres://postgres@127.0.0.1:1/cloud?sslmode=disable&connect_timeout=5", "connect to postgres"},
		{"sqlite://" + t.TempDir() + "/no/such/dir/state.db", "connect to sqlite"},
		{"ftp://example.com/state.db", "not supported"},
	} {
		s, err := Open(t.Context(), tc.dsn)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", tc.dsn)
		}
		if !strings.Contains(err.Error(), tc.err) {
			t.Fatalf("Open(%q): %v, want an error saying %q", tc.dsn, err, tc.err)
		}
	}
}

func TestRebind(t *testing.T) {
	q := `SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?`
	if got := sqliteDialect.rebind(q); got != q {
		t.Fatalf("sqlite rebind changed the query: %s", got)
	}
	if got, want := postgresDialect.rebind(q), `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4`; got != want {
		t.Fatalf("postgres rebind: %s, want %s", got, want)
	}
}
