package hypervisors

import (
	"fmt"
	"sort"
	"sync"
)

var (
	registryMu sync.RWMutex
	registry   = map[string]Driver{}
)

// Register makes a driver available by its Name. Drivers call it from init;
// registering one name twice panics, as database/sql does.
func Register(d Driver) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[d.Name()]; dup {
		panic("hypervisors: Register called twice for driver " + d.Name())
	}
	registry[d.Name()] = d
}

// Lookup returns the driver registered under name, or an ErrInvalid error
// that lists the known names.
func Lookup(name string) (Driver, error) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	if d, ok := registry[name]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("%w: unknown hypervisor %q (known: %v)", ErrInvalid, name, namesLocked())
}

// Names lists the registered drivers, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
