package simulator

import (
	"fmt"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Controller changes a simulated host from outside, as a test, an operator
// or a failing data centre would. Its changes are written to the state
// directory, so they reach every process and every connection using the
// host, now and after restarts. It is safe for concurrent use.
type Controller struct {
	store *hostStore
}

// Control returns the Controller of host hostname in stateDir (when empty,
// $CLOUDCORE_SIMULATOR_DIR). The host need not have been connected to.
func Control(stateDir, hostname string) (*Controller, error) {
	stateDir, err := resolveStateDir(stateDir)
	if err != nil {
		return nil, err
	}
	store, err := openHostStore(stateDir, hostname)
	if err != nil {
		return nil, err
	}
	return &Controller{store: store}, nil
}

// InjectFault adds a fault that counts calls from now on (see Fault); an
// invalid one fails with ErrInvalid.
func (c *Controller) InjectFault(f Fault) error {
	r, err := f.record()
	if err != nil {
		return err
	}
	return c.store.updateState(func(st *hostState) { st.Faults = append(st.Faults, r) })
}

// ClearFaults removes the pending faults injected through Controllers.
// Faults set in URLs belong to their connections and stay.
func (c *Controller) ClearFaults() error {
	return c.store.updateState(func(st *hostState) { st.Faults = nil })
}

// SetReachable cuts the host off (false) or reconnects it (true). While cut
// off every call fails with ErrUnreachable, Connect included; its VMs keep
// their power state. FenceHost still works.
func (c *Controller) SetReachable(reachable bool) error {
	return c.store.updateState(func(st *hostState) { st.Unreachable = !reachable })
}

// PowerOff turns the host off: its VMs stop, and every call but FenceHost
// fails with ErrUnreachable until PowerOn.
func (c *Controller) PowerOff() error { return c.store.update(hostTxn.powerOff) }

// PowerOn turns the host on again; its VMs stay stopped.
func (c *Controller) PowerOn() error {
	return c.store.updateState(func(st *hostState) { st.PoweredOff = false })
}

// SetDelay makes every call of op wait d before it reaches the host,
// overriding the URL's delays; d = 0 makes them immediate. A negative d
// or unknown op fails with ErrInvalid.
func (c *Controller) SetDelay(op Op, d time.Duration) error {
	if !op.valid() {
		return fmt.Errorf("%w: simulator delay: unknown operation %q (operations: %s)", hypervisors.ErrInvalid, op, opNames())
	}
	if d < 0 {
		return fmt.Errorf("%w: simulator delay for %s: negative duration %v", hypervisors.ErrInvalid, op, d)
	}
	return c.store.updateState(func(st *hostState) {
		if st.Delays == nil {
			st.Delays = map[Op]time.Duration{}
		}
		st.Delays[op] = d
	})
}

// StopVMOutOfBand powers VM id off behind cloudcore's back, as a guest
// shutdown or an operator on the hypervisor would; ErrNotFound when the VM
// does not exist.
func (c *Controller) StopVMOutOfBand(id string) error {
	if err := checkName("VM ID", id); err != nil {
		return err
	}
	return c.store.update(func(t hostTxn) error {
		return t.changeVM(id, func(vm *vmRecord) error {
			vm.Power = hypervisors.PowerStopped
			return nil
		})
	})
}

// DeleteVMOutOfBand deletes VM id behind cloudcore's back, as an operator on
// the hypervisor would; ErrNotFound when the VM does not exist.
func (c *Controller) DeleteVMOutOfBand(id string) error {
	if err := checkName("VM ID", id); err != nil {
		return err
	}
	return c.store.update(func(t hostTxn) error {
		found, err := t.removeVM(id)
		if err == nil && !found {
			err = t.vmNotFound(id)
		}
		return err
	})
}

// VMNICs returns the NICs VM id has on the host, in device order;
// ErrNotFound when the VM does not exist.
func (c *Controller) VMNICs(id string) ([]hypervisors.NIC, error) {
	if err := checkName("VM ID", id); err != nil {
		return nil, err
	}
	var nics []hypervisors.NIC
	err := c.store.update(func(t hostTxn) error {
		vm, err := t.loadVM(id)
		nics = vm.NICs
		return err
	})
	return nics, err
}
