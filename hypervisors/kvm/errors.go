package kvm

import (
	"errors"
	"fmt"

	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// libvirtError is a libvirt failure in the driver's words: the operation
// that failed and libvirt's message. It wraps the sentinel of package
// hypervisors the failure maps to (when there is one) and the
// libvirt.Error itself, so both errors.Is(err, hypervisors.ErrNotFound)
// and errors.As(err, &libvirt.Error{}) work.
type libvirtError struct {
	op   string
	kind error // a sentinel of package hypervisors, or nil
	err  libvirt.Error
}

func (e *libvirtError) Error() string { return e.op + ": " + e.err.Message }

func (e *libvirtError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// sentinels maps libvirt error codes to the sentinels of package
// hypervisors. Codes not listed keep no sentinel.
var sentinels = map[libvirt.ErrorNumber]error{
	libvirt.ERR_NO_DOMAIN:            hypervisors.ErrNotFound,
	libvirt.ERR_NO_NETWORK:           hypervisors.ErrNotFound,
	libvirt.ERR_NO_STORAGE_POOL:      hypervisors.ErrNotFound,
	libvirt.ERR_NO_STORAGE_VOL:       hypervisors.ErrNotFound,
	libvirt.ERR_NO_DOMAIN_SNAPSHOT:   hypervisors.ErrNotFound,
	libvirt.ERR_NO_DOMAIN_CHECKPOINT: hypervisors.ErrNotFound,
	libvirt.ERR_NO_NETWORK_PORT:      hypervisors.ErrNotFound,
	libvirt.ERR_NO_SECRET:            hypervisors.ErrNotFound,
	libvirt.ERR_NO_NODE_DEVICE:       hypervisors.ErrNotFound,
	libvirt.ERR_NO_DOMAIN_METADATA:   hypervisors.ErrNotFound,

	libvirt.ERR_OPERATION_INVALID:  hypervisors.ErrConflict,
	libvirt.ERR_DOM_EXIST:          hypervisors.ErrConflict,
	libvirt.ERR_NETWORK_EXIST:      hypervisors.ErrConflict,
	libvirt.ERR_STORAGE_VOL_EXIST:  hypervisors.ErrConflict,
	libvirt.ERR_STORAGE_POOL_BUILT: hypervisors.ErrConflict,
	libvirt.ERR_NETWORK_PORT_EXIST: hypervisors.ErrConflict,
	libvirt.ERR_RESOURCE_BUSY:      hypervisors.ErrConflict,
	libvirt.ERR_BLOCK_COPY_ACTIVE:  hypervisors.ErrConflict,

	libvirt.ERR_INVALID_ARG:        hypervisors.ErrInvalid,
	libvirt.ERR_XML_ERROR:          hypervisors.ErrInvalid,
	libvirt.ERR_XML_DETAIL:         hypervisors.ErrInvalid,
	libvirt.ERR_XML_INVALID_SCHEMA: hypervisors.ErrInvalid,
	libvirt.ERR_INVALID_MAC:        hypervisors.ErrInvalid,
	libvirt.ERR_OVERFLOW:           hypervisors.ErrInvalid,
	libvirt.ERR_AUTH_FAILED:        hypervisors.ErrInvalid,
	libvirt.ERR_AUTH_CANCELLED:     hypervisors.ErrInvalid,

	libvirt.ERR_NO_SUPPORT:            hypervisors.ErrNotSupported,
	libvirt.ERR_CONFIG_UNSUPPORTED:    hypervisors.ErrNotSupported,
	libvirt.ERR_ARGUMENT_UNSUPPORTED:  hypervisors.ErrNotSupported,
	libvirt.ERR_OPERATION_UNSUPPORTED: hypervisors.ErrNotSupported,

	libvirt.ERR_NO_CONNECT:        hypervisors.ErrUnreachable,
	libvirt.ERR_INVALID_CONN:      hypervisors.ErrUnreachable,
	libvirt.ERR_UNKNOWN_HOST:      hypervisors.ErrUnreachable,
	libvirt.ERR_RPC:               hypervisors.ErrUnreachable,
	libvirt.ERR_GNUTLS_ERROR:      hypervisors.ErrUnreachable,
	libvirt.ERR_SSH:               hypervisors.ErrUnreachable,
	libvirt.ERR_LIBSSH:            hypervisors.ErrUnreachable,
	libvirt.ERR_NO_SERVER:         hypervisors.ErrUnreachable,
	libvirt.ERR_AUTH_UNAVAILABLE:  hypervisors.ErrUnreachable,
	libvirt.ERR_OPERATION_TIMEOUT: hypervisors.ErrUnreachable,
}

// transportDomains are the libvirt error domains of the connection itself:
// a system error there (a closed socket, a refused connection) means the
// host did not answer.
var transportDomains = map[libvirt.ErrorDomain]bool{
	libvirt.FROM_RPC: true, libvirt.FROM_REMOTE: true, libvirt.FROM_SSH: true, libvirt.FROM_LIBSSH: true,
}

// sentinelOf returns the sentinel err maps to, or nil.
func sentinelOf(e libvirt.Error) error {
	if e.Code == libvirt.ERR_SYSTEM_ERROR && transportDomains[e.Domain] {
		return hypervisors.ErrUnreachable
	}
	return sentinels[e.Code]
}

// wrap describes a failure of op. A libvirt error becomes a libvirtError
// wrapping its sentinel; any other error is wrapped as it is. wrap(op, nil)
// is nil.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var lv libvirt.Error
	if errors.As(err, &lv) {
		return &libvirtError{op: op, kind: sentinelOf(lv), err: lv}
	}
	return fmt.Errorf("%s: %w", op, err)
}
