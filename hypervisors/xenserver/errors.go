package xenserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// sentinels maps XenAPI error codes to the sentinels of package
// hypervisors. Codes not listed keep no sentinel.
var sentinels = map[string]error{
	xenapi.CodeHandleInvalid: hypervisors.ErrNotFound,
	xenapi.CodeUUIDInvalid:   hypervisors.ErrNotFound,

	xenapi.CodeVMBadPowerState:    hypervisors.ErrConflict,
	"VM_IS_TEMPLATE":              hypervisors.ErrConflict,
	"VDI_IN_USE":                  hypervisors.ErrConflict,
	"DEVICE_ALREADY_EXISTS":       hypervisors.ErrConflict,
	"DEVICE_ALREADY_ATTACHED":     hypervisors.ErrConflict,
	"MAP_DUPLICATE_KEY":           hypervisors.ErrConflict,
	"NETWORK_CONTAINS_VIF":        hypervisors.ErrConflict,
	"NETWORK_CONTAINS_PIF":        hypervisors.ErrConflict,
	"PIF_VLAN_EXISTS":             hypervisors.ErrConflict,
	"OPERATION_NOT_ALLOWED":       hypervisors.ErrConflict,
	"OTHER_OPERATION_IN_PROGRESS": hypervisors.ErrConflict,

	"SR_FULL":                     hypervisors.ErrNoCapacity,
	"HOST_NOT_ENOUGH_FREE_MEMORY": hypervisors.ErrNoCapacity,
	"HOST_NOT_ENOUGH_PCPUS":       hypervisors.ErrNoCapacity,
	"NO_HOSTS_AVAILABLE":          hypervisors.ErrNoCapacity,

	"MEMORY_CONSTRAINT_VIOLATION":       hypervisors.ErrInvalid,
	"MEMORY_CONSTRAINT_VIOLATION_ORDER": hypervisors.ErrInvalid,
	"INVALID_VALUE":                     hypervisors.ErrInvalid,
	"MAC_INVALID":                       hypervisors.ErrInvalid,
	"VLAN_TAG_INVALID":                  hypervisors.ErrInvalid,
	"FIELD_TYPE_ERROR":                  hypervisors.ErrInvalid,

	xenapi.CodeSessionAuthenticationFailed: hypervisors.ErrInvalid,
	"HOST_OFFLINE":                         hypervisors.ErrUnreachable,
}

// wrap names op in err and adds the sentinel the failure maps to: a XenAPI
// error by its code, a server that does not answer XenAPI as ErrUnreachable. A
// nil err stays nil; context errors pass through.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var api *xenapi.Error
	var transport *xenapi.TransportError
	switch {
	case errors.As(err, &api):
		if s := sentinels[api.Code]; s != nil {
			return fmt.Errorf("%w: %s: %w", s, op, err)
		}
	case errors.As(err, &transport) && !isContextError(err):
		return fmt.Errorf("%w: %s: %w", hypervisors.ErrUnreachable, op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isContextError reports whether err comes from a context that ended.
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// isNotFound reports whether err wraps ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, hypervisors.ErrNotFound) }
