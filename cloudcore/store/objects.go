package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const objectColumns = `kind, id, name, scope, zone_id, parent_id, state, version, created_at, updated_at, data`

var (
	qGetObject       = newQuery(`SELECT ` + objectColumns + ` FROM objects WHERE kind = ? AND id = ?`)
	qGetObjectByName = newQuery(`SELECT ` + objectColumns + ` FROM objects WHERE kind = ? AND scope = ? AND name = ?`)
	qObjectSeq       = newQuery(`SELECT seq FROM objects WHERE kind = ? AND id = ?`)
	qObjectVersion   = newQuery(`SELECT version FROM objects WHERE kind = ? AND id = ?`)
	qObjectIDTaken   = newQuery(`SELECT 1 FROM objects WHERE kind = ? AND id = ?`)
	qObjectNameTaken = newQuery(`SELECT 1 FROM objects WHERE kind = ? AND scope = ? AND name = ?`)
	qInsertObject    = newQuery(`INSERT INTO objects (` + objectColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING`)
	// qUpdateObject changes nothing when the version moved on or another
	// object of the kind has the new name in the new scope.
	qUpdateObject = newQuery(`UPDATE objects
		SET name = ?, scope = ?, zone_id = ?, parent_id = ?, state = ?, data = ?, version = version + 1, updated_at = ?
		WHERE kind = ? AND id = ? AND version = ? AND NOT EXISTS (
			SELECT 1 FROM objects AS other WHERE other.kind = ? AND other.scope = ? AND other.name = ? AND other.id <> ?)`)
	qDeleteObject        = newQuery(`DELETE FROM objects WHERE kind = ? AND id = ?`)
	qDeleteObjectVersion = newQuery(`DELETE FROM objects WHERE kind = ? AND id = ? AND version = ?`)

	// By Filter: index [mask] holds the query for the fields set in mask.
	qListObjects  = filterQueries(`SELECT `+objectColumns+` FROM objects`, ` ORDER BY seq LIMIT ?`)
	qCountObjects = filterQueries(`SELECT COUNT(*) FROM objects`, ``)
)

// filterColumns are the columns of the Filter fields ZoneID, ParentID,
// State and Name; bit i of a filter mask stands for filterColumns[i].
var filterColumns = [...]string{"zone_id", "parent_id", "state", "name"}

// filterQueries declares head WHERE kind = ? [AND column = ?]... AND seq > ? tail
// for every combination of Filter fields.
func filterQueries(head, tail string) (qs [1 << len(filterColumns)]query) {
	for mask := range qs {
		var b strings.Builder
		b.WriteString(head + ` WHERE kind = ?`)
		for i, col := range filterColumns {
			if mask&(1<<i) != 0 {
				b.WriteString(` AND ` + col + ` = ?`)
			}
		}
		b.WriteString(` AND seq > ?` + tail)
		qs[mask] = newQuery(b.String())
	}
	return qs
}

// filter returns the mask and the arguments of the filter queries for f.
// f.After must name an existing object of the kind, else ErrNotFound.
func (t *sqlTx) filter(ctx context.Context, kind Kind, f Filter) (int, []any, error) {
	mask := 0
	args := []any{string(kind)}
	for i, v := range [...]string{f.ZoneID, f.ParentID, f.State, f.Name} {
		if v != "" {
			mask |= 1 << i
			args = append(args, v)
		}
	}
	var after int64 // seq starts at 1
	if f.After != "" {
		err := t.queryRow(ctx, qObjectSeq, string(kind), f.After).Scan(&after)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil, fmt.Errorf("store: paging after %s %s: %w", kind, f.After, ErrNotFound)
		}
		if err != nil {
			return 0, nil, fmt.Errorf("store: paging after %s %s: %w", kind, f.After, err)
		}
	}
	return mask, append(args, after), nil
}

type scanner interface{ Scan(dest ...any) error }

func scanObject(r scanner, o *Object) error {
	var created, updated int64
	err := r.Scan((*string)(&o.Kind), &o.ID, &o.Name, &o.Scope, &o.ZoneID, &o.ParentID, &o.State,
		&o.Version, &created, &updated, &o.Data)
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return err
}

// getObject reads the one object q finds, or ErrNotFound.
func (t *sqlTx) getObject(ctx context.Context, what string, q query, args ...any) (Object, error) {
	var o Object
	err := scanObject(t.queryRow(ctx, q, args...), &o)
	if errors.Is(err, sql.ErrNoRows) {
		return Object{}, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Object{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return o, nil
}

// Get returns the object, or ErrNotFound.
func (t *sqlTx) Get(ctx context.Context, kind Kind, id string) (Object, error) {
	return t.getObject(ctx, fmt.Sprintf("get %s %s", kind, id), qGetObject, string(kind), id)
}

// GetByName returns the object, or ErrNotFound.
func (t *sqlTx) GetByName(ctx context.Context, kind Kind, scope, name string) (Object, error) {
	return t.getObject(ctx, fmt.Sprintf("get %s %q in scope %q", kind, name, scope), qGetObjectByName, string(kind), scope, name)
}

// List returns the objects of the kind that match f in creation order.
// Filter.After must name an existing object of the kind (ErrNotFound
// otherwise): a cursor that was deleted cannot be resumed from.
func (t *sqlTx) List(ctx context.Context, kind Kind, f Filter) ([]Object, error) {
	mask, args, err := t.filter(ctx, kind, f)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, qListObjects[mask], append(args, limit(f.Limit))...)
	objs, err := scanAll(rows, err, scanObject)
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", kind, err)
	}
	return objs, nil
}

// Count counts the objects List would return without f.Limit.
func (t *sqlTx) Count(ctx context.Context, kind Kind, f Filter) (int, error) {
	mask, args, err := t.filter(ctx, kind, f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := t.queryRow(ctx, qCountObjects[mask], args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", kind, err)
	}
	return n, nil
}

// Insert stores o with Version 1 and both timestamps now. o.Kind and o.ID
// must be set (ErrInvalid otherwise); a nil Data is stored as empty.
func (t *sqlTx) Insert(ctx context.Context, o *Object) error {
	if o.Kind == "" || o.ID == "" {
		return invalid("insert: object without kind or id (kind %q, id %q)", o.Kind, o.ID)
	}
	ts := now()
	args := []any{string(o.Kind), o.ID, o.Name, o.Scope, o.ZoneID, o.ParentID, o.State, toMicros(ts), toMicros(ts), orEmpty(o.Data)}
	err := t.insertUnique(ctx, qInsertObject, args, func() []uniqueKey {
		return []uniqueKey{
			{"id", qObjectIDTaken, []any{string(o.Kind), o.ID}, fmt.Sprintf("%s %s exists already", o.Kind, o.ID)},
			{"name", qObjectNameTaken, []any{string(o.Kind), o.Scope, o.Name}, fmt.Sprintf("%s %q exists already in scope %q", o.Kind, o.Name, o.Scope)},
		}
	})
	if err != nil {
		return fmt.Errorf("store: insert %s %s: %w", o.Kind, o.ID, err)
	}
	o.Version, o.CreatedAt, o.UpdatedAt = 1, ts, ts
	return nil
}

// Update replaces every column but Kind, ID, CreatedAt and Version when
// o.Version is current, then advances o.Version and sets o.UpdatedAt.
func (t *sqlTx) Update(ctx context.Context, o *Object) error {
	ts := now()
	n, err := t.exec(ctx, qUpdateObject,
		o.Name, o.Scope, o.ZoneID, o.ParentID, o.State, orEmpty(o.Data), toMicros(ts),
		string(o.Kind), o.ID, o.Version,
		string(o.Kind), o.Scope, o.Name, o.ID)
	switch {
	case err != nil && t.d.uniqueViolation(err):
		// A concurrent transaction took the name after the NOT EXISTS looked.
		t.raced = true
		err = t.nameConflict(o)
	case err == nil && n == 0:
		if err = t.versionConflict(ctx, o.Kind, o.ID, o.Version); err == nil {
			err = t.nameConflict(o)
		}
	}
	if err != nil {
		return fmt.Errorf("store: update %s %s: %w", o.Kind, o.ID, err)
	}
	o.Version++
	o.UpdatedAt = ts
	return nil
}

func (t *sqlTx) nameConflict(o *Object) error {
	return &ConflictError{Constraint: "name", Detail: fmt.Sprintf("another %s is named %q in scope %q", o.Kind, o.Name, o.Scope)}
}

// versionConflict explains why a write conditional on version changed no
// row: ErrNotFound, or a "version" conflict; nil when neither applies.
func (t *sqlTx) versionConflict(ctx context.Context, kind Kind, id string, version int64) error {
	var cur int64
	err := t.queryRow(ctx, qObjectVersion, string(kind), id).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return err
	case cur != version:
		return &ConflictError{Constraint: "version", Detail: fmt.Sprintf("%s %s is at version %d, not %d", kind, id, cur, version)}
	}
	return nil
}

// Delete removes the object when version is current or 0.
func (t *sqlTx) Delete(ctx context.Context, kind Kind, id string, version int64) error {
	var n int64
	var err error
	if version == 0 {
		n, err = t.exec(ctx, qDeleteObject, string(kind), id)
	} else {
		n, err = t.exec(ctx, qDeleteObjectVersion, string(kind), id, version)
	}
	if err == nil && n == 0 {
		err = ErrNotFound
		if version != 0 {
			if vErr := t.versionConflict(ctx, kind, id, version); vErr != nil {
				err = vErr
			}
		}
	}
	if err != nil {
		return fmt.Errorf("store: delete %s %s: %w", kind, id, err)
	}
	return nil
}
