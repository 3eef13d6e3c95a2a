package simulator

import (
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// maxNameLen bounds hostnames and object IDs, which become file names.
const maxNameLen = 128

// checkName fails with ErrInvalid unless name can name a host or an object
// on disk: 1 to 128 letters, digits, '.', '-' or '_', not starting with '.'.
// UUIDs and DNS hostnames qualify. what says what is named, for the message.
func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("%w: %s is empty", hypervisors.ErrInvalid, what)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("%w: %s %q is longer than %d characters", hypervisors.ErrInvalid, what, name, maxNameLen)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' && i > 0
		if !ok {
			return fmt.Errorf("%w: %s %q: only letters, digits, '.', '-' and '_' are allowed, and no leading '.'", hypervisors.ErrInvalid, what, name)
		}
	}
	return nil
}
