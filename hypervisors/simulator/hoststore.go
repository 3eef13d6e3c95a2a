package simulator

import (
	"fmt"
	"path/filepath"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// hostStore is the state of one simulated host, a journal in
// <state dir>/hosts/<hostname>/ with these records:
//
//	host            hostState (absent while the host is healthy and has no faults or delays)
//	vm/<id>         vmRecord, snapshots included
//	network/<id>    hypervisors.NetworkSpec
//
// Storage pools are shared by the hosts of a state dir (see poolStore).
type hostStore struct {
	name     string
	stateDir string // absolute
	journal  *journal
}

const hostKey = "host"

func vmKey(id string) string      { return "vm/" + id }
func networkKey(id string) string { return "network/" + id }

// openHostStore opens, creating it when needed, the state of host hostname
// in stateDir.
func openHostStore(stateDir, hostname string) (*hostStore, error) {
	if err := checkName("simulator hostname", hostname); err != nil {
		return nil, err
	}
	stateDir, err := filepath.Abs(stateDir)
	if err != nil {
		return nil, stateError(err)
	}
	j, err := openJournal(filepath.Join(stateDir, "hosts", hostname))
	if err != nil {
		return nil, err
	}
	return &hostStore{name: hostname, stateDir: stateDir, journal: j}, nil
}

// update runs fn on the host's state under its lock.
func (s *hostStore) update(fn func(hostTxn) error) error {
	return s.journal.update(func(t *txn) error { return fn(hostTxn{t, s}) })
}

// updateState changes the host-wide state.
func (s *hostStore) updateState(change func(*hostState)) error {
	return s.update(func(t hostTxn) error {
		st, err := t.state()
		if err != nil {
			return err
		}
		change(&st)
		return t.saveState(st)
	})
}

// pool returns the storage pool id of the host's state dir.
func (s *hostStore) pool(id string) (*poolStore, error) {
	return openPoolStore(s.stateDir, id)
}

// hostTxn reads and changes a host's state under its lock.
type hostTxn struct {
	*txn
	s *hostStore
}

func (t hostTxn) state() (hostState, error) {
	var st hostState
	_, err := t.get(hostKey, &st)
	return st, err
}

func (t hostTxn) saveState(st hostState) error {
	if st.isZero() {
		_, err := t.remove(hostKey)
		return err
	}
	return t.put(hostKey, st)
}

// answers fails with ErrUnreachable when the host, in state st, does not
// answer calls.
func (t hostTxn) answers(st hostState) error {
	switch {
	case st.PoweredOff:
		return fmt.Errorf("%w: simulator host %s is powered off", hypervisors.ErrUnreachable, t.s.name)
	case st.Unreachable:
		return fmt.Errorf("%w: simulator host %s does not answer", hypervisors.ErrUnreachable, t.s.name)
	}
	return nil
}

// powerOff marks the host off and stops its VMs.
func (t hostTxn) powerOff() error {
	st, err := t.state()
	if err != nil {
		return err
	}
	st.PoweredOff = true
	if err := t.saveState(st); err != nil {
		return err
	}
	vms, err := t.listVMs()
	if err != nil {
		return err
	}
	for _, vm := range vms {
		if vm.Power != hypervisors.PowerStopped {
			vm.Power = hypervisors.PowerStopped
			if err := t.saveVM(&vm); err != nil {
				return err
			}
		}
	}
	return nil
}

// findVM reads VM id; found is false when it does not exist.
func (t hostTxn) findVM(id string) (vm vmRecord, found bool, err error) {
	found, err = t.get(vmKey(id), &vm)
	return vm, found, err
}

// loadVM reads VM id; ErrNotFound when it does not exist.
func (t hostTxn) loadVM(id string) (vmRecord, error) {
	vm, found, err := t.findVM(id)
	if err == nil && !found {
		err = t.vmNotFound(id)
	}
	return vm, err
}

func (t hostTxn) vmNotFound(id string) error {
	return fmt.Errorf("%w: VM %s on simulator host %s", hypervisors.ErrNotFound, id, t.s.name)
}

// changeVM applies change to VM id and saves it when change succeeds;
// ErrNotFound when the VM does not exist.
func (t hostTxn) changeVM(id string, change func(*vmRecord) error) error {
	vm, err := t.loadVM(id)
	if err != nil {
		return err
	}
	if err := change(&vm); err != nil {
		return err
	}
	return t.saveVM(&vm)
}

func (t hostTxn) hasVM(id string) bool { return t.has(vmKey(id)) }

func (t hostTxn) saveVM(vm *vmRecord) error { return t.put(vmKey(vm.ID), vm) }

// removeVM deletes VM id and reports whether it existed.
func (t hostTxn) removeVM(id string) (bool, error) { return t.remove(vmKey(id)) }

// listVMs reads every VM of the host, ordered by ID.
func (t hostTxn) listVMs() ([]vmRecord, error) { return list[vmRecord](t.txn, vmKey("")) }

func (t hostTxn) hasNetwork(id string) bool { return t.has(networkKey(id)) }

func (t hostTxn) saveNetwork(n hypervisors.NetworkSpec) error { return t.put(networkKey(n.ID), n) }

func (t hostTxn) removeNetwork(id string) error {
	_, err := t.remove(networkKey(id))
	return err
}
