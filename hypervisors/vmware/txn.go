package vmware

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/types"
)

// cleanupTimeout bounds the undoing of a failed operation.
const cleanupTimeout = 2 * time.Minute

// txn is an operation of several vSphere steps that leaves nothing behind
// when it fails: before each step that makes something, the operation
// registers how to remove it again (which must succeed when there is
// nothing to remove, since the step may not have got that far), and on
// failure rollback runs those undos, last first.
type txn struct {
	h    *host
	undo []func(context.Context) error
	// pending is a task the operation started but did not see end (ctx
	// ended, or the connection failed, while it waited): it may still make
	// what the undos remove.
	pending *object.Task
}

// onFailure registers how to undo the step about to be taken.
func (t *txn) onFailure(undo func(context.Context) error) { t.undo = append(t.undo, undo) }

// task runs a task of the operation (see host.runTask).
func (t *txn) task(ctx context.Context, start func(context.Context) (*object.Task, error)) (types.AnyType, error) {
	started, err := start(ctx)
	if err != nil {
		return nil, err
	}
	res, err := t.h.waitTask(ctx, started)
	var ended task.Error // the task's own fault: it ended
	if err != nil && !errors.As(err, &ended) {
		t.pending = started
	}
	return res, err
}

// rollback undoes the operation after it failed with cause and returns
// cause, joined with any error of the undoing. When ctx has ended, the
// operation must return at once: the undoing then goes on in the
// background, once the pending task has ended, and Close waits for it.
func (t *txn) rollback(ctx context.Context, cause error) error {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	if ctx.Err() != nil {
		t.h.cleanups.Add(1)
		go func() {
			defer t.h.cleanups.Done()
			defer cancel()
			_ = t.run(bg)
		}()
		return cause
	}
	defer cancel()
	if err := t.run(bg); err != nil {
		return errors.Join(cause, fmt.Errorf("cleaning up after the failure: %w", err))
	}
	return cause
}

// run waits for the pending task to end, then runs the undos.
func (t *txn) run(ctx context.Context) error {
	if t.pending != nil {
		_, _ = t.h.waitTask(ctx, t.pending) // its outcome is what the undos clean up
	}
	var errs []error
	for i := len(t.undo) - 1; i >= 0; i-- {
		if err := t.undo[i](ctx); err != nil {
			errs = append(errs, vsphereError(ctx, err))
		}
	}
	return errors.Join(errs...)
}
