package cloudcore

import (
	"errors"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Typed errors. Every error the engine returns wraps one of these, so callers
// branch with errors.Is. They are the same values the drivers and the store
// use.
var (
	ErrNotFound     = hypervisors.ErrNotFound
	ErrConflict     = hypervisors.ErrConflict
	ErrInvalid      = hypervisors.ErrInvalid
	ErrNoCapacity   = hypervisors.ErrNoCapacity
	ErrUnreachable  = hypervisors.ErrUnreachable
	ErrNotSupported = hypervisors.ErrNotSupported
)

// FieldError is a rejected input or a clash on one field of a request. Field
// uses the attribute names of the Terraform provider (snake case), Reason
// says what is wrong and how to fix it. It unwraps to Err (ErrInvalid,
// ErrConflict, ErrNotFound or ErrNoCapacity).
type FieldError struct {
	Field  string
	Reason string
	Err    error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }
func (e *FieldError) Unwrap() error { return e.Err }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

func fieldErr(sentinel error, field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// notFound reports a missing object, naming the field that referred to it
// when there is one.
func notFound(field string, kind store.Kind, id string) error {
	if field == "" {
		return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
	}
	return fieldErr(ErrNotFound, field, "no %s with ID %q exists", kind, id)
}

// nameClash turns the store's name conflict into a field error; other errors
// pass through.
func nameClash(err error, kind store.Kind, name, where string) error {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Constraint == "name" {
		return fieldErr(ErrConflict, "name", "a %s named %q exists already%s; choose another name", kind, name, where)
	}
	return err
}
