package vmware

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// vsphereError turns an error of a vSphere call into the driver's: it wraps
// ctx's error when ctx is done, else the sentinel of package hypervisors
// that matches the vSphere fault or transport failure (sentinelOf), and
// err itself, so its message and fault stay available.
func vsphereError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(err, ctxErr) {
			return err
		}
		return fmt.Errorf("%w (%w)", ctxErr, err)
	}
	if s := sentinelOf(err); s != nil && !errors.Is(err, s) {
		return fmt.Errorf("%w: %w", s, err)
	}
	return err
}

// sentinelOf maps a vSphere fault or a transport failure to the sentinel
// of package hypervisors it stands for, or nil. NotAuthenticated is not
// mapped: the session re-logs in on it (see session.RoundTrip).
func sentinelOf(err error) error {
	if f, ok := faultOf[types.BaseMethodFault](err); ok {
		return sentinelOfFault(f)
	}
	var (
		opErr     *net.OpError
		dnsErr    *net.DNSError
		verifyErr *tls.CertificateVerificationError
		headerErr tls.RecordHeaderError
		pinErr    *thumbprintMismatchError
	)
	switch {
	case errors.As(err, &opErr), errors.As(err, &dnsErr), errors.As(err, &verifyErr),
		errors.As(err, &headerErr), errors.As(err, &pinErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return hypervisors.ErrUnreachable
	}
	return nil
}

// sentinelOfFault maps a vSphere fault, most specific kinds first (many
// faults extend others: InvalidPowerState is an InvalidState, FileNotFound
// a FileFault).
func sentinelOfFault(f types.BaseMethodFault) error {
	switch f.(type) {
	case *types.InvalidDatastorePath:
		return hypervisors.ErrInvalid
	case *types.ManagedObjectNotFound, *types.NotFound, *types.FileNotFound, types.BaseInvalidDatastore:
		return hypervisors.ErrNotFound
	case types.BaseInsufficientResourcesFault, *types.NoDiskSpace, *types.OutOfBounds, *types.FileTooLarge, types.BaseNotEnoughCpus:
		return hypervisors.ErrNoCapacity
	case types.BaseInvalidState, types.BaseResourceInUse, *types.DuplicateName, *types.AlreadyExists,
		*types.FileAlreadyExists, *types.FileLocked, *types.ConcurrentAccess, types.BaseTaskInProgress,
		*types.DisallowedOperationOnFailoverHostFault, types.BaseSnapshotFault:
		return hypervisors.ErrConflict
	case types.BaseNotSupported, *types.MethodNotFound, *types.NotImplemented, *types.ToolsUnavailable:
		return hypervisors.ErrNotSupported
	case types.BaseHostCommunication, *types.HostNotConnected, types.BaseHostConnectFault, *types.Timedout:
		return hypervisors.ErrUnreachable
	case *types.NotAuthenticated:
		return nil
	case types.BaseInvalidArgument, types.BaseInvalidRequest, *types.InvalidName, types.BaseInvalidDeviceSpec,
		types.BaseInvalidVmConfig, types.BaseInvalidLogin, types.BaseNoPermission, *types.InvalidController, types.BaseInvalidFolder:
		return hypervisors.ErrInvalid
	}
	return nil
}

// isFault reports whether err carries a vSphere fault of type F.
func isFault[F types.BaseMethodFault](err error) bool {
	_, ok := faultOf[F](err)
	return ok
}

// faultOf returns the first vSphere fault of type F in err's tree. Unlike
// fault.As, it looks into every error an error joins.
func faultOf[F types.BaseMethodFault](err error) (F, bool) {
	var f F
	if err == nil {
		return f, false
	}
	if _, ok := fault.As(err, &f); ok {
		return f, true
	}
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if f, ok := faultOf[F](inner); ok {
				return f, true
			}
		}
	case interface{ Unwrap() error }:
		return faultOf[F](e.Unwrap())
	}
	return f, false
}
