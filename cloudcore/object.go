package cloudcore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Meta is what every cloudcore object carries: its UUID, the version used for
// compare-and-swap updates, and timestamps.
type Meta struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (m *Meta) meta() *Meta { return m }

// object is implemented by the pointer of every stored type.
type object interface {
	meta() *Meta
	// columns returns the indexed columns; Data and Meta are filled in by
	// the generic functions below.
	columns() store.Object
}

// ptrObject constrains a type parameter to *T implementing object.
type ptrObject[T any] interface {
	*T
	object
}

func encode(o object) (store.Object, error) {
	row := o.columns()
	m := o.meta()
	row.ID, row.Version, row.CreatedAt, row.UpdatedAt = m.ID, m.Version, m.CreatedAt, m.UpdatedAt
	data, err := json.Marshal(o)
	if err != nil {
		return row, fmt.Errorf("encoding %s %s: %w", row.Kind, m.ID, err)
	}
	row.Data = data
	return row, nil
}

func decode[T any, P ptrObject[T]](row store.Object) (P, error) {
	p := P(new(T))
	if err := json.Unmarshal(row.Data, p); err != nil {
		return nil, fmt.Errorf("decoding %s %s: %w", row.Kind, row.ID, err)
	}
	m := p.meta()
	m.ID, m.Version, m.CreatedAt, m.UpdatedAt = row.ID, row.Version, row.CreatedAt, row.UpdatedAt
	return p, nil
}

// getObj loads one object; a missing one is reported with field (may be "").
func getObj[T any, P ptrObject[T]](ctx context.Context, tx store.Tx, kind store.Kind, field, id string) (P, error) {
	row, err := tx.Get(ctx, kind, id)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound(field, kind, id)
		}
		return nil, err
	}
	return decode[T, P](row)
}

func listObj[T any, P ptrObject[T]](ctx context.Context, tx store.Tx, kind store.Kind, f store.Filter) ([]P, error) {
	rows, err := tx.List(ctx, kind, f)
	if err != nil {
		return nil, err
	}
	out := make([]P, 0, len(rows))
	for _, r := range rows {
		p, err := decode[T, P](r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// insertObj stores a new object, assigning its ID when empty.
func insertObj(ctx context.Context, tx store.Tx, o object) error {
	m := o.meta()
	if m.ID == "" {
		m.ID = newID()
	}
	row, err := encode(o)
	if err != nil {
		return err
	}
	if err := tx.Insert(ctx, &row); err != nil {
		return err
	}
	m.Version, m.CreatedAt, m.UpdatedAt = row.Version, row.CreatedAt, row.UpdatedAt
	return nil
}

// updateObj writes o back if nobody changed it since it was read.
func updateObj(ctx context.Context, tx store.Tx, o object) error {
	row, err := encode(o)
	if err != nil {
		return err
	}
	if err := tx.Update(ctx, &row); err != nil {
		return err
	}
	m := o.meta()
	m.Version, m.UpdatedAt = row.Version, row.UpdatedAt
	return nil
}

func deleteObj(ctx context.Context, tx store.Tx, o object) error {
	row := o.columns()
	return tx.Delete(ctx, row.Kind, o.meta().ID, o.meta().Version)
}
