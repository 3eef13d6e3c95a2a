package cloudcore

import "fmt"

// State is the lifecycle state of an instance, as in CloudStack.
type State string

const (
	Starting  State = "Starting"
	Running   State = "Running"
	Stopping  State = "Stopping"
	Stopped   State = "Stopped"
	Destroyed State = "Destroyed"
	Expunging State = "Expunging"
	Migrating State = "Migrating"
	Error     State = "Error"
	Unknown   State = "Unknown"
)

// transitions is the table of legal state changes. A change not listed is
// refused with ErrConflict and nothing is written.
var transitions = map[State][]State{
	Starting:  {Running, Stopped, Error, Unknown},
	Running:   {Stopping, Running, Migrating, Stopped, Error, Unknown, Expunging},
	Stopping:  {Stopped, Running, Error, Unknown},
	Stopped:   {Starting, Destroyed, Expunging, Error, Stopped},
	Destroyed: {Expunging, Stopped},
	Expunging: {Expunging, Error}, // Error: the destroy failed and may be retried
	Migrating: {Running, Stopped, Error, Unknown},
	Error:     {Starting, Stopped, Expunging, Destroyed, Error},
	Unknown:   {Running, Stopped, Stopping, Starting, Error, Expunging, Unknown},
}

// CanTransition reports whether an instance may go from one state to another.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

func transition(inst *Instance, to State) error {
	if !CanTransition(inst.State, to) {
		return fmt.Errorf("instance %s is %s and cannot become %s: %w", inst.Name, inst.State, to, ErrConflict)
	}
	inst.State = to
	return nil
}
