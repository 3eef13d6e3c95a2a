package cloudcore

import (
	"context"
	"errors"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// kindLease stores leases: a named right that one holder has until it
// expires, such as leading the HA monitor.
const kindLease store.Kind = "lease"

type leaseRecord struct {
	Meta
	Name      string    `json:"name"`
	Holder    string    `json:"holder"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (l *leaseRecord) columns() store.Object {
	return store.Object{Kind: kindLease, Name: l.Name}
}

// AcquireLease takes lease name for holder until ttl from now, or renews
// it when holder has it, and reports whether holder has it afterwards. It
// is taken from another holder only once that one's lease has expired.
// The store's row versions make one holder win when several try at once.
func (c *Cloud) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	held := false
	err := c.update(ctx, func(tx store.Tx) error {
		held = false
		l, err := getByName[leaseRecord](ctx, tx, kindLease, "", name)
		if errors.Is(err, ErrNotFound) {
			held = true
			return insertObj(ctx, tx, &leaseRecord{Meta: Meta{ID: newID()}, Name: name, Holder: holder, ExpiresAt: now().Add(ttl)})
		}
		if err != nil {
			return err
		}
		if l.Holder != holder && now().Before(l.ExpiresAt) {
			return nil
		}
		l.Holder, l.ExpiresAt, held = holder, now().Add(ttl), true
		return updateObj(ctx, tx, l)
	})
	if errors.Is(err, ErrConflict) {
		return false, nil // another holder inserted it first
	}
	return held && err == nil, err
}

// ReleaseLease gives lease name up when holder has it, so that another
// holder can take it at once; it succeeds when holder does not have it.
func (c *Cloud) ReleaseLease(ctx context.Context, name, holder string) error {
	return c.update(ctx, func(tx store.Tx) error {
		l, err := getByName[leaseRecord](ctx, tx, kindLease, "", name)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || l.Holder != holder {
			return err
		}
		return tx.Delete(ctx, kindLease, l.ID, 0)
	})
}
