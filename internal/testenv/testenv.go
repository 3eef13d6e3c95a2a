// Package testenv decides what a test tier does when the system part it needs
// (PostgreSQL, libvirtd, a BMC simulator, a browser, a Terraform CLI) is not
// on the machine: by default the tier skips with one loud line that names
// `make deps`; with CLOUDCORE_TEST_STRICT=1 (as CI runs) it fails instead, so
// a missing part can never pass as green.
package testenv

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// StrictEnv is the environment variable that turns a missing part into a failure.
const StrictEnv = "CLOUDCORE_TEST_STRICT"

// Strict reports whether missing system parts fail tests.
func Strict() bool { return os.Getenv(StrictEnv) == "1" }

// Missing ends the test because part is not available: why says what was
// looked for. It skips, or fails in strict mode.
func Missing(t testing.TB, part, why string) {
	t.Helper()
	msg := "MISSING SYSTEM PART " + part + ": " + why + " — run `sudo make deps` to install and start it"
	if Strict() {
		t.Fatal(msg + " (" + StrictEnv + "=1)")
	}
	t.Skip(msg)
}

// LockSystemLibvirt holds a machine-wide lock for the rest of the test, so
// that tests of different packages (processes) that create VMs on the
// machine's shared libvirtd (qemu:///system) never overlap: a recovery pass
// sweeps every VM cloudcore made on a host, and would remove another test's
// VMs. Within one process the lock is re-entrant (subtests of a test that
// holds it take it again); it is released when the last test holding it
// and its cleanups end.
func LockSystemLibvirt(t testing.TB) {
	t.Helper()
	libvirtLock.Lock()
	defer libvirtLock.Unlock()
	if libvirtLock.holders == 0 {
		f, err := os.OpenFile(filepath.Join(os.TempDir(), "cloudcore-qemu-system.lock"), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			t.Fatalf("opening the libvirt test lock: %v", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			_ = f.Close()
			t.Fatalf("taking the libvirt test lock: %v", err)
		}
		libvirtLock.file = f
	}
	libvirtLock.holders++
	t.Cleanup(func() {
		libvirtLock.Lock()
		defer libvirtLock.Unlock()
		if libvirtLock.holders--; libvirtLock.holders == 0 {
			_ = libvirtLock.file.Close() // closing releases the lock
		}
	})
}

// libvirtLock is this process's share of the machine-wide lock.
var libvirtLock struct {
	sync.Mutex
	holders int
	file    *os.File
}
