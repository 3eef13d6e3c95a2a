package hypervisors

import "errors"

// Errors every driver returns (wrapped, so errors.Is works) for the matching
// condition. The engine re-exports the same values, so a caller of cloudcore
// can test a driver failure with cloudcore.ErrNotFound and friends.
var (
	// ErrNotFound: the VM, volume, snapshot or network does not exist on the host.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the object exists already or is in a state that forbids the
	// operation (for example, a snapshot with memory of a stopped VM).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the request is malformed (bad URL, bad size, missing field).
	ErrInvalid = errors.New("invalid")
	// ErrNoCapacity: the host or storage pool cannot hold what was asked.
	ErrNoCapacity = errors.New("insufficient capacity")
	// ErrUnreachable: the host did not answer; it may be down or cut off.
	ErrUnreachable = errors.New("unreachable")
	// ErrNotSupported: the driver or host cannot do this; Capabilities says so too.
	ErrNotSupported = errors.New("not supported")
)
