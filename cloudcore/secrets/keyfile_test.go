package secrets

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// A child process started by TestLoadOrCreateKeyFileRaceProcesses works on
// childKeyFile in its working directory.
const (
	childKeyFile  = "secret.key"
	childEnv      = "CLOUDCORE_SECRETS_TEST_CHILD"       // "1" in a child
	childStartEnv = "CLOUDCORE_SECRETS_TEST_CHILD_START" // Unix nanoseconds
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(childLoadKey())
	}
	os.Exit(m.Run())
}

// childLoadKey waits for the agreed start time, loads or creates the key
// file and prints the key.
func childLoadKey() int {
	start, err := strconv.ParseInt(os.Getenv(childStartEnv), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	time.Sleep(time.Until(time.Unix(0, start)))
	k, err := LoadOrCreateKeyFile(childKeyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(k.String())
	return 0
}

func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
}

// wantOnlyFile fails unless dir holds exactly the file name: no temporary
// file is left behind.
func wantOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q, want only %q", names, name)
	}
}

func TestLoadOrCreateKeyFileCreatesThenReads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.key")
	k, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != k.String()+"\n" {
		t.Errorf("key file holds %q, want the key and a newline", data)
	}
	wantOnlyFile(t, dir, "secret.key")

	again, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.String() != k.String() {
		t.Error("second LoadOrCreateKeyFile returned another key")
	}
	sealed, err := k.Seal([]byte("pw"), []byte("host/1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, []byte("host/1")); err != nil || string(got) != "pw" {
		t.Errorf("key read back cannot open what the created key sealed: %q, %v", got, err)
	}
}

func TestLoadOrCreateKeyFileReadsOperatorKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	hexKey := strings.Repeat("0123456789abcdef", 4)
	if err := os.WriteFile(path, []byte(hexKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	if k.String() != want.String() {
		t.Error("LoadOrCreateKeyFile did not return the key in the file")
	}
	if data, _ := os.ReadFile(path); string(data) != hexKey+"\n" {
		t.Errorf("key file was rewritten: %q", data)
	}
}

func TestLoadOrCreateKeyFileRefusesWidePermissions(t *testing.T) {
	skipOnWindows(t)
	path := filepath.Join(t.TempDir(), "secret.key")
	k := mustKey(t)
	content := k.String() + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660, 0o620, 0o602, 0o601, 0o610} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreateKeyFile(path)
		if err == nil {
			t.Fatalf("mode %04o: LoadOrCreateKeyFile succeeded", mode)
		}
		if !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("mode %04o: error %v does not wrap ErrInvalid", mode, err)
		}
		for _, f := range []string{"group or others", fmt.Sprintf("%04o", mode), "chmod 600 " + path} {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("mode %04o: error %q does not contain %q", mode, err, f)
			}
		}
		if strings.Contains(err.Error(), k.String()) {
			t.Errorf("error %q contains the key", err)
		}
	}
	if data, _ := os.ReadFile(path); string(data) != content {
		t.Fatalf("key file was rewritten: %q", data)
	}
	// The fix the error gives works.
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		got, err := LoadOrCreateKeyFile(path)
		if err != nil || got.String() != k.String() {
			t.Errorf("mode %04o: LoadOrCreateKeyFile = %v; want the file's key", mode, err)
		}
	}
}

func TestLoadOrCreateKeyFileRefusesBadContent(t *testing.T) {
	for name, content := range map[string]string{
		"empty":     "",
		"not a key": "correct horse battery staple\n",
		"short key": "c2hvcnQ=\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secret.key")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKeyFile(path)
			if err == nil {
				t.Fatal("LoadOrCreateKeyFile succeeded")
			}
			if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "64 hexadecimal digits") {
				t.Errorf("error %q: want ErrInvalid naming the file and the accepted formats", err)
			}
			if content != "" && strings.Contains(err.Error(), strings.TrimSpace(content)) {
				t.Errorf("error %q echoes the file's content", err)
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Errorf("key file was rewritten: %q", data)
			}
		})
	}
}

func TestLoadOrCreateKeyFileRefusesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("error = %v, want it to say the path is not a regular file", err)
	}
}

func TestLoadOrCreateKeyFileMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	if _, err := LoadOrCreateKeyFile(filepath.Join(dir, "secret.key")); err == nil {
		t.Fatal("LoadOrCreateKeyFile succeeded in a missing directory")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the missing directory was created: %v", err)
	}
}

// TestCreateKeyFileKeepsWinner plays the losing side of a race: the file
// appears after this process found it absent and before it publishes its
// own key. The existing key must win and the file must stay as it was.
func TestCreateKeyFileKeepsWinner(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.key")
	winner, loser := mustKey(t), mustKey(t)
	if err := os.WriteFile(path, []byte(winner.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := createKeyFile(path, loser)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != winner.String() {
		t.Error("createKeyFile returned its own key, not the one in the file")
	}
	if data, _ := os.ReadFile(path); string(data) != winner.String()+"\n" {
		t.Error("createKeyFile replaced an existing key file")
	}
	wantOnlyFile(t, dir, "secret.key")
}

func TestLoadOrCreateKeyFileRaceGoroutines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.key")
	const n = 32
	keys := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			k, err := LoadOrCreateKeyFile(path)
			keys[i], errs[i] = k.String(), err
		})
	}
	close(start)
	wg.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if keys[i]+"\n" != string(data) {
			t.Fatalf("goroutine %d got a key other than the file's", i)
		}
	}
	wantOnlyFile(t, dir, "secret.key")
}

func TestLoadOrCreateKeyFileRaceProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, childKeyFile)
	start := time.Now().Add(500 * time.Millisecond).UnixNano()
	const n = 6
	cmds := make([]*exec.Cmd, n)
	outs := make([]*strings.Builder, n)
	for i := range n {
		cmd := exec.Command(exe)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), childEnv+"=1", childStartEnv+"="+strconv.FormatInt(start, 10))
		outs[i] = new(strings.Builder)
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v: %s", i, err, outs[i])
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, out := range outs {
		if out.String() != string(data) {
			t.Errorf("process %d printed a key other than the file's", i)
		}
	}
	wantOnlyFile(t, dir, "secret.key")
}
