package cloudcore

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// kindSession stores the live Clouds. Every journal entry names the session
// that wrote it, so recovery touches only operations whose process is gone:
// its session expired, or it ran on this machine and its process has exited.
const kindSession store.Kind = "session"

// Session lifetimes: a live Cloud renews its session well before it expires.
const (
	sessionTTL   = 30 * time.Second
	sessionRenew = 10 * time.Second
)

type sessionRecord struct {
	Meta
	Machine   string    `json:"machine"`
	PID       int       `json:"pid"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *sessionRecord) columns() store.Object {
	return store.Object{Kind: kindSession, Name: s.ID}
}

// session is this Cloud's registration and its renewal loop.
type session struct {
	id   string
	stop context.CancelFunc
	done sync.WaitGroup
}

// machineID names this machine for process-liveness checks: the host name
// plus the kernel's boot ID, so a reboot or another machine never matches.
func machineID() string {
	host, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return host + "/" + string(boot)
}

func (c *Cloud) startSession(ctx context.Context) error {
	rec := &sessionRecord{Meta: Meta{ID: newID()}, Machine: machineID(), PID: os.Getpid(), ExpiresAt: now().Add(sessionTTL)}
	if err := c.store.Update(ctx, func(tx store.Tx) error { return insertObj(ctx, tx, rec) }); err != nil {
		return err
	}
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	c.session = &session{id: rec.ID, stop: stop}
	c.session.done.Add(1)
	go func() {
		defer c.session.done.Done()
		t := time.NewTicker(sessionRenew)
		defer t.Stop()
		for {
			select {
			case <-loopCtx.Done():
				return
			case <-t.C:
				err := c.update(loopCtx, func(tx store.Tx) error {
					r, err := getObj[sessionRecord](loopCtx, tx, kindSession, "", rec.ID)
					if err != nil {
						return err
					}
					r.ExpiresAt = now().Add(sessionTTL)
					return updateObj(loopCtx, tx, r)
				})
				if err != nil && loopCtx.Err() == nil {
					c.log.Warn("renewing session", "err", err)
				}
			}
		}
	}()
	return nil
}

func (c *Cloud) endSession() {
	if c.session == nil {
		return
	}
	c.session.stop()
	c.session.done.Wait()
	err := c.store.Update(context.Background(), func(tx store.Tx) error {
		return tx.Delete(context.Background(), kindSession, c.session.id, 0)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		c.log.Warn("ending session", "err", err)
	}
}

// sessionDead reports whether the session that wrote a journal entry is gone.
func (c *Cloud) sessionDead(ctx context.Context, tx store.Tx, id string) (bool, error) {
	if id == c.session.id {
		return false, nil
	}
	r, err := getObj[sessionRecord](ctx, tx, kindSession, "", id)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if now().After(r.ExpiresAt) {
		return true, nil
	}
	return r.Machine == machineID() && !processAlive(r.PID), nil
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// update runs a read-write transaction, retrying it when a concurrent
// writer changed an object it read (a compare-and-swap "version"
// conflict). Transactions passed here re-read what they change, so a retry
// applies the same intent to fresh state.
func (c *Cloud) update(ctx context.Context, fn func(tx store.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := c.store.Update(ctx, fn)
		var ce *store.ConflictError
		if err == nil || attempt == 8 || !errors.As(err, &ce) || ce.Constraint != "version" {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
	}
}
