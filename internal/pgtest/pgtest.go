//go:build unix

// Package pgtest gives tests a throwaway PostgreSQL server built from the
// machine's own binaries (initdb and postgres, found on PATH or in
// /usr/lib/postgresql/*/bin). The server starts on first use, once per test
// process, listens on a free port of 127.0.0.1 and on a unix socket in its
// temporary directory, runs with fsync off, and hands each caller of DSN a
// fresh database. When the tests run as root it runs as the user nobody,
// since initdb refuses root.
//
// Call Stop from TestMain after m.Run:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pgtest.Stop()
//		os.Exit(code)
//	}
//
// A test process that dies without Stop does not leave its server behind
// on Linux: the kernel signals the server when the process ends, and the
// next start of a server stops any server whose test process is gone and
// removes its files.
//
// Without the binaries DSN reports the missing part through testenv: the
// test skips, or fails under CLOUDCORE_TEST_STRICT=1.
package pgtest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// DSN returns the URL of a new, empty database on the process's server,
// starting the server on first use. The database is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	s, err := running()
	var missing *missingError
	if errors.As(err, &missing) {
		testenv.Missing(t, "PostgreSQL", missing.Error())
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := fmt.Sprintf("test_%d", s.databases.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// Stop stops the server of this process, if one started, and removes its
// files. A later DSN starts a new one.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		current.stop()
	}
	current, startErr = nil, nil
}

var (
	mu       sync.Mutex
	current  *server
	startErr error // why the server could not start; kept so that each test does not try again
)

func running() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if current == nil && startErr == nil {
		current, startErr = start()
	}
	return current, startErr
}

// missingError says that the PostgreSQL binaries are not on this machine.
type missingError struct{ searched string }

func (e *missingError) Error() string {
	return "initdb and postgres not found on PATH or in " + e.searched + " (Debian: apt-get install postgresql)"
}

// binGlob is where Debian's postgresql packages put the server binaries.
const binGlob = "/usr/lib/postgresql/*/bin"

// findBinaries returns the directory holding initdb and postgres: the one
// of initdb on path, else the newest of the directories matching glob.
func findBinaries(path, glob string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if dir != "" && executable(filepath.Join(dir, "initdb")) && executable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob(glob) // the pattern is well-formed
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, dir := range dirs {
		if executable(filepath.Join(dir, "initdb")) && executable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", &missingError{searched: glob}
}

func executable(file string) bool {
	fi, err := os.Stat(file)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// versionOf reads the major version out of /usr/lib/postgresql/<major>/bin.
func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// server is one running postgres.
type server struct {
	dir       string // everything of this server: data directory, socket, log
	cmd       *exec.Cmd
	exited    chan struct{} // closed when cmd has exited
	port      int
	admin     *sql.DB      // to the postgres database, as the superuser
	databases atomic.Int64 // names the databases it made
}

func (s *server) url(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, database)
}

// rootDir holds the directories of the servers of all test processes, each
// named after its process: <pid>-<random>.
func rootDir() string { return filepath.Join(os.TempDir(), "cloudcore-pgtest") }

func start() (*server, error) {
	bin, err := findBinaries(os.Getenv("PATH"), binGlob)
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	root := rootDir()
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	// Shared by the test processes of every user, like /tmp.
	if err := os.Chmod(root, 0o777|os.ModeSticky); err != nil && !errors.Is(err, os.ErrPermission) {
		return nil, err
	}
	cleanStale(root)
	dir, err := os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	s, err := startIn(dir, bin, cred)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// credential is who runs initdb and postgres: nil for the current user, or
// nobody when that is root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root, and no user nobody to run PostgreSQL as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func startIn(dir, bin string, cred *syscall.Credential) (*server, error) {
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// A free port can be taken before postgres binds it; try a few.
	var err error
	for range 3 {
		var s *server
		if s, err = launch(dir, bin, cred); err == nil {
			return s, nil
		}
	}
	return nil, err
}

// launch starts postgres on a free port and waits until it takes queries.
func launch(dir, bin string, cred *syscall.Credential) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close() // postgres has its own descriptor
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"),
		"-k", dir, "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = procAttr(cred)
	// Started from a goroutine of its own: a parent-death signal follows
	// the thread that started the child, and the only threads that end
	// before the process are those locked to a goroutine that ended, which
	// a new goroutine never runs on.
	started := make(chan error)
	go func() { started <- cmd.Start() }()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s := &server{dir: dir, cmd: cmd, exited: make(chan struct{}), port: port}
	go func() {
		_ = cmd.Wait() // how it ended is in the log
		close(s.exited)
	}()
	s.admin, err = sql.Open("pgx", s.url("postgres"))
	if err != nil {
		s.shutdown()
		return nil, err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := s.admin.PingContext(ctx)
		cancel()
		if err == nil {
			return s, nil
		}
		select {
		case <-s.exited:
			s.shutdown()
			return nil, fmt.Errorf("postgres exited while starting:\n%s", tail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			s.shutdown()
			return nil, fmt.Errorf("postgres did not take connections within a minute: %v\n%s", err, tail(logPath))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts postgres down and removes its files.
func (s *server) stop() {
	s.shutdown()
	os.RemoveAll(s.dir)
}

// shutdown stops postgres (fast: sessions are ended), keeping its files.
func (s *server) shutdown() {
	if s.admin != nil {
		s.admin.Close()
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT) // fails only when it has exited
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the end of a log file, for error messages.
func tail(file string) string {
	b, _ := os.ReadFile(file)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// cleanStale stops the servers of test processes that are gone, and
// removes their files. A server is stopped only when its postmaster.pid
// names a live postgres process of that very data directory.
func cleanStale(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		owner, _, ok := strings.Cut(e.Name(), "-")
		pid, err := strconv.Atoi(owner)
		if !ok || err != nil || alive(pid) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if stopOrphan(filepath.Join(dir, "data")) {
			os.RemoveAll(dir)
		}
	}
}

// stopOrphan stops the postmaster of data, if one runs, and reports
// whether none runs any more.
func stopOrphan(data string) bool {
	f, err := os.Open(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return true // never started, or shut down
	}
	line, _ := bufio.NewReader(f).ReadString('\n')
	f.Close()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || !alive(pid) {
		return true
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false // cannot tell whose the pid is: leave it and the files alone
	}
	if !postgresOf(string(cmdline), data) {
		return true // the pid belongs to another process now
	}
	_ = syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown; the loop below checks
	for range 100 {
		if !alive(pid) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// alive reports whether a process (not a zombie) has the pid.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc here: trust kill
	}
	// pid (comm) state ...; comm may hold spaces and parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// postgresOf reports whether a process command line (arguments separated
// by NUL bytes) is that of a postgres started on data.
func postgresOf(cmdline, data string) bool {
	args := strings.Split(cmdline, "\x00")
	return filepath.Base(args[0]) == "postgres" && slices.Contains(args, data)
}
