// Package storetest is the conformance suite of store.Store: every
// implementation, on every database, must pass Run.
package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Run runs the suite. open must return a new, empty store each time it is
// called, and close it when its test ends; the subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Objects", objectTests},
		{"Transactions", transactionTests},
		{"HostCapacity", hostTests},
		{"PoolCapacity", poolTests},
		{"NICs", nicTests},
		{"Affinity", affinityTests},
		{"Journal", journalTests},
		{"Events", eventTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, open(t))
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// update runs fn in s.Update and fails the test on an error.
func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test on an error.
func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// get returns what fn reads in a View.
func get[T any](t *testing.T, s store.Store, fn func(tx store.Tx) (T, error)) T {
	t.Helper()
	var v T
	view(t, s, func(tx store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v
}

// wantIs fails the test unless errors.Is(err, target).
func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// wantConflict fails the test unless err is a *store.ConflictError on
// constraint that also matches store.ErrConflict.
func wantConflict(t *testing.T, err error, constraint string) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("error %v, want a conflict on %q", err, constraint)
	}
	if ce.Constraint != constraint {
		t.Fatalf("conflict on %q (%v), want %q", ce.Constraint, err, constraint)
	}
}

// wantTime fails the test unless got is in UTC, at microsecond precision,
// and within [from, to] widened to microseconds.
func wantTime(t *testing.T, what string, got, from, to time.Time) {
	t.Helper()
	if got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
		t.Errorf("%s = %v: want UTC at microsecond precision", what, got)
	}
	if got.Before(from.Truncate(time.Microsecond)) || got.After(to) {
		t.Errorf("%s = %v, want between %v and %v", what, got, from, to)
	}
}

// parallel runs fn(i) for i in [0, n) at the same time, each in its own
// goroutine released together, and returns their errors by i.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// outcomes counts nil errors as "ok" and the rest by classify, which
// returns "" for an error the test did not expect.
func outcomes(t *testing.T, errs []error, classify func(error) string) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, err := range errs {
		if err == nil {
			n["ok"]++
			continue
		}
		c := classify(err)
		if c == "" {
			t.Fatalf("unexpected error: %v", err)
		}
		n[c]++
	}
	return n
}

// id makes readable IDs: id("inst", 3) is "inst-03".
func id(prefix string, i int) string { return fmt.Sprintf("%s-%02d", prefix, i) }
