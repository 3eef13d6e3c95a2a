package hypervisors

import (
	"fmt"
	"net"

	"github.com/google/uuid"
)

// CheckID fails with ErrInvalid unless id is a UUID in canonical form
// (lower case, with dashes), as the engine names every object. what names
// the ID in the message, e.g. "VM ID".
func CheckID(what, id string) error {
	if id == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	}
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		return fmt.Errorf("%w: %s %q is not a UUID in canonical form", ErrInvalid, what, id)
	}
	return nil
}

// CheckMAC fails with ErrInvalid for a MAC address net.ParseMAC refuses.
func CheckMAC(mac string) error {
	if _, err := net.ParseMAC(mac); err != nil {
		return fmt.Errorf("%w: MAC %q: %v", ErrInvalid, mac, err)
	}
	return nil
}

// CheckResources fails with ErrInvalid unless r has at least one CPU and
// one MiB of memory.
func CheckResources(r Resources) error {
	if r.CPUs < 1 || r.MemoryMiB < 1 {
		return fmt.Errorf("%w: a VM needs at least 1 CPU and 1 MiB of memory, not %d CPUs and %d MiB", ErrInvalid, r.CPUs, r.MemoryMiB)
	}
	return nil
}
