//go:build unix

package pgtest

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// childEnv makes this test binary start a server, print its postmaster's
// pid and directory, and wait to be killed (see TestServerEndsWithItsProcess).
const childEnv = "PGTEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		s, err := running()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(s.cmd.Process.Pid, s.dir)
		time.Sleep(time.Hour)
	}
	code := m.Run()
	Stop()
	os.Exit(code)
}

func connect(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestDSNGivesFreshDatabases(t *testing.T) {
	a, b := DSN(t), DSN(t)
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	dbA, dbB := connect(t, a), connect(t, b)
	if _, err := dbA.ExecContext(t.Context(), `CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	var found bool
	if err := dbB.QueryRowContext(t.Context(), `SELECT to_regclass('only_in_a') IS NOT NULL`).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found {
		t.Fatal("a table of one database shows in the other")
	}
	var fsync string
	if err := dbA.QueryRowContext(t.Context(), `SHOW fsync`).Scan(&fsync); err != nil || fsync != "off" {
		t.Fatalf("fsync = %q (%v), want off", fsync, err)
	}
}

func TestDatabaseIsDroppedWithItsTest(t *testing.T) {
	var dsn string
	t.Run("user", func(t *testing.T) { dsn = DSN(t) })
	name := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	s, err := running()
	if err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := s.admin.QueryRowContext(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s outlived its test", name)
	}
}

// TestServerEndsWithItsProcess kills a test process that runs a server and
// expects the server to end with it, and its files to go at the next start.
func TestServerEndsWithItsProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the server is tied to its test process on Linux only")
	}
	DSN(t) // the binaries are there, or this test skips or fails as DSN does
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	pidText, dir, _ := strings.Cut(strings.TrimSpace(line), " ")
	pid, err := strconv.Atoi(pidText)
	if err != nil || !alive(pid) {
		t.Fatalf("child printed %q; postmaster alive: %v", line, err == nil && alive(pid))
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // killed
	deadline := time.Now().Add(30 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("postmaster %d still runs 30s after its test process died", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cleanStale(filepath.Dir(dir))
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the dead server's directory %s is still there: %v", dir, err)
	}
}

func TestCleanStaleKeepsLiveServers(t *testing.T) {
	root := t.TempDir()
	live := filepath.Join(root, strconv.Itoa(os.Getpid())+"-1")
	dead := filepath.Join(root, strconv.Itoa(deadPID(t))+"-1")
	other := filepath.Join(root, "unrelated")
	for _, d := range []string{live, dead, other} {
		if err := os.MkdirAll(filepath.Join(d, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cleanStale(root)
	for d, want := range map[string]bool{live: true, dead: false, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", d, err == nil, want)
		}
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestPostgresOf(t *testing.T) {
	for _, tc := range []struct {
		cmdline string
		want    bool
	}{
		{"/usr/lib/postgresql/15/bin/postgres\x00-D\x00/tmp/x/data\x00-p\x005432\x00", true},
		{"/usr/lib/postgresql/15/bin/postgres\x00-D\x00/tmp/y/data\x00", false},
		{"/usr/bin/sleep\x00/tmp/x/data\x00", false},
	} {
		if got := postgresOf(tc.cmdline, "/tmp/x/data"); got != tc.want {
			t.Errorf("postgresOf(%q) = %v, want %v", tc.cmdline, got, tc.want)
		}
	}
}

func TestFindBinaries(t *testing.T) {
	mk := func(dir string, names ...string) string {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	root := t.TempDir()
	onPath := mk(filepath.Join(root, "path"), "initdb", "postgres")
	half := mk(filepath.Join(root, "half"), "initdb")
	mk(filepath.Join(root, "lib/9/bin"), "initdb", "postgres")
	v15 := mk(filepath.Join(root, "lib/15/bin"), "initdb", "postgres")
	mk(filepath.Join(root, "lib/16/bin"), "postgres")
	glob := filepath.Join(root, "lib/*/bin")

	for _, tc := range []struct {
		name, path, glob, want string
	}{
		{"on PATH first", half + string(filepath.ListSeparator) + onPath, glob, onPath},
		{"newest complete version", half, glob, v15},
		{"nowhere", half, filepath.Join(root, "none/*/bin"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBinaries(tc.path, tc.glob)
			var missing *missingError
			switch {
			case tc.want == "" && !errors.As(err, &missing):
				t.Fatalf("found %q (%v), want a missingError", got, err)
			case tc.want != "" && got != tc.want:
				t.Fatalf("found %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
