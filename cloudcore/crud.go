package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// view runs a read-only transaction that produces a value.
func view[V any](ctx context.Context, c *Cloud, fn func(tx store.Tx) (V, error)) (V, error) {
	var out V
	err := c.store.View(ctx, func(tx store.Tx) error {
		v, err := fn(tx)
		out = v
		return err
	})
	return out, err
}

func getByName[T any, P ptrObject[T]](ctx context.Context, tx store.Tx, kind store.Kind, scope, name string) (P, error) {
	row, err := tx.GetByName(ctx, kind, scope, name)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%s named %q: %w", kind, name, ErrNotFound)
		}
		return nil, err
	}
	return decode[T, P](row)
}

// create stores a new object in one transaction: before (may be nil)
// checks what the object refers to and fills in derived fields; a name
// clash becomes a field error that says where names must be unique
// (where); after (may be nil) writes what goes with the object; the
// creation is recorded as an event.
func create[P object](ctx context.Context, c *Cloud, o P, where string, before, after func(tx store.Tx) error) (P, error) {
	cols := o.columns()
	err := c.update(ctx, func(tx store.Tx) error {
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		if err := insertObj(ctx, tx, o); err != nil {
			return nameClash(err, cols.Kind, o.columns().Name, where)
		}
		if after != nil {
			if err := after(tx); err != nil {
				return err
			}
		}
		return c.record(ctx, tx, string(cols.Kind)+".create", cols.Kind, o.meta().ID, EventOK, o.columns().Name)
	})
	if err != nil {
		var none P
		return none, err
	}
	return o, nil
}

// exists checks, inside tx, that the object a field refers to exists.
func exists[T any, P ptrObject[T]](ctx context.Context, tx store.Tx, kind store.Kind, field, id string) error {
	_, err := getObj[T, P](ctx, tx, kind, field, id)
	return err
}

// setName validates and applies a new name when one is given.
func setName(dst, name *string) error {
	if name == nil {
		return nil
	}
	if err := validName("name", *name); err != nil {
		return err
	}
	*dst = *name
	return nil
}

// set applies v when it is given.
func set[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// modify loads an object, lets fn change it, and writes it back with
// compare-and-swap, recording the action as an event; all in one
// transaction, so an error from fn writes nothing.
func modify[T any, P ptrObject[T]](ctx context.Context, c *Cloud, kind store.Kind, action, id string, fn func(tx store.Tx, o P) error) (P, error) {
	var out P
	err := c.update(ctx, func(tx store.Tx) error {
		o, err := getObj[T, P](ctx, tx, kind, "", id)
		if err != nil {
			return err
		}
		if err := fn(tx, o); err != nil {
			return err
		}
		if err := updateObj(ctx, tx, o); err != nil {
			return nameClash(err, kind, o.columns().Name, "")
		}
		out = o
		return c.record(ctx, tx, action, kind, id, EventOK, "")
	})
	return out, err
}

// remove deletes an object after check allows it, recording the action.
func remove[T any, P ptrObject[T]](ctx context.Context, c *Cloud, kind store.Kind, action, id string, check func(tx store.Tx, o P) error) error {
	return c.update(ctx, func(tx store.Tx) error {
		o, err := getObj[T, P](ctx, tx, kind, "", id)
		if err != nil {
			return err
		}
		if err := check(tx, o); err != nil {
			return err
		}
		if err := deleteObj(ctx, tx, o); err != nil {
			return err
		}
		return c.record(ctx, tx, action, kind, id, EventOK, o.columns().Name)
	})
}

// child names objects that keep a parent from being deleted.
type child struct {
	kind   store.Kind
	filter store.Filter
}

// mustBeEmpty fails with ErrConflict when any child exists.
func mustBeEmpty(ctx context.Context, tx store.Tx, what, name string, children ...child) error {
	for _, ch := range children {
		n, err := tx.Count(ctx, ch.kind, ch.filter)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%s %q still has %d %s object(s); delete them first: %w", what, name, n, ch.kind, ErrConflict)
		}
	}
	return nil
}

// validName accepts 1 to 255 printable characters without surrounding space.
func validName(field, name string) error {
	switch {
	case name == "":
		return invalid(field, "must not be empty")
	case len(name) > 255:
		return invalid(field, "is %d characters long; the limit is 255", len(name))
	case strings.TrimSpace(name) != name:
		return invalid(field, "%q has leading or trailing spaces; remove them", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return invalid(field, "%q contains a control character", name)
		}
	}
	return nil
}

// validHostname accepts an RFC 1123 label, as instance names become guest
// host names: letters, digits and hyphens, at most 63, starting with a
// letter and not ending with a hyphen.
func validHostname(field, name string) error {
	if name == "" || len(name) > 63 {
		return invalid(field, "must be 1 to 63 characters long (it becomes the guest's host name)")
	}
	for i, r := range name {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '-')))
		if !ok {
			return invalid(field, "%q is not a valid host name: use letters, digits and hyphens, starting with a letter", name)
		}
	}
	if strings.HasSuffix(name, "-") {
		return invalid(field, "%q must not end with a hyphen", name)
	}
	return nil
}

func parseAddrs(field string, in []string) ([]netip.Addr, error) {
	out := make([]netip.Addr, 0, len(in))
	for _, s := range in {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, invalid(field, "%q is not an IP address", s)
		}
		out = append(out, a)
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
