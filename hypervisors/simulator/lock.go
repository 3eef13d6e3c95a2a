package simulator

import (
	"fmt"
	"syscall"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// flock takes an exclusive flock(2) on the directory at path and returns
// the function that releases it. The kernel drops the lock when its holder
// dies, so a crashed process never leaves it held. Locking the directory
// rather than a file in it costs no file, and survives files being renamed
// over each other inside it.
//
// This file works on file descriptors directly: an os.File would register
// every short-lived open with the runtime's poller.
func flock(path string) (unlock func(), err error) {
	fd, err := openFile(path, syscall.O_RDONLY|syscall.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	if err := retryEINTR(func() error { return syscall.Flock(fd, syscall.LOCK_EX) }); err != nil {
		_ = syscall.Close(fd)
		return nil, stateError(fmt.Errorf("locking %s: %w", path, err))
	}
	return func() { _ = syscall.Close(fd) }, nil // closing releases the lock
}

// openFile opens path with flags (plus O_CLOEXEC), creating files 0600.
func openFile(path string, flags int) (int, error) {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(path, flags|syscall.O_CLOEXEC, 0o600)
		return err
	})
	if err != nil {
		return -1, stateError(fmt.Errorf("opening %s: %w", path, err))
	}
	return fd, nil
}

func retryEINTR(call func() error) error {
	for {
		if err := call(); err != syscall.EINTR {
			return err
		}
	}
}

// stateError reports a failure to read or write simulator state. To the
// engine it looks like a host that does not answer.
func stateError(err error) error {
	return fmt.Errorf("%w: simulator state: %w", hypervisors.ErrUnreachable, err)
}
