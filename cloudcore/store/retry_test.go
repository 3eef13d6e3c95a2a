package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

func openStore(t *testing.T, dsn string) *sqlStore {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*sqlStore)
}

// transientError returns, when called inside an Update of s that has
// written nothing yet, a failure after which Update must run the
// transaction again. On SQLite it is a real SQLITE_BUSY: another connection
// that will not wait cannot take the write lock, which the Update holds
// from its BEGIN on.
func transientError(t *testing.T, dsn string, s *sqlStore) error {
	t.Helper()
	if s.d == postgresDialect {
		return &pgconn.PgError{Code: "40001", Message: "could not serialize access due to concurrent update"}
	}
	side, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite://")+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	_, err = side.ExecContext(t.Context(), "BEGIN IMMEDIATE")
	if err == nil {
		t.Fatal("another connection took the write lock during an Update: write transactions do not begin IMMEDIATE")
	}
	if !s.d.transient(err) {
		t.Fatalf("%v is not classed as transient", err)
	}
	return err
}

func TestUpdateRetriesTransientFailures(t *testing.T) {
	for _, db := range Databases {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			s := openStore(t, dsn)
			attempts := 0
			err := s.Update(t.Context(), func(tx Tx) error {
				attempts++
				var failure error
				if attempts < 3 {
					failure = transientError(t, dsn, s)
				}
				o := Object{Kind: KindZone, ID: "zone-1", Name: "z"}
				if err := tx.Insert(t.Context(), &o); err != nil {
					return err
				}
				if failure != nil {
					return fmt.Errorf("while deploying: %w", failure)
				}
				return nil
			})
			if err != nil || attempts != 3 {
				t.Fatalf("Update: %v after %d attempts, want success at the third", err, attempts)
			}
			err = s.View(t.Context(), func(tx Tx) error {
				n, err := tx.Count(t.Context(), KindZone, Filter{})
				if n != 1 {
					t.Errorf("%d zones after two rolled-back attempts and one commit, want 1", n)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUpdateStopsRetryingWhenContextEnds(t *testing.T) {
	for _, db := range Databases {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			s := openStore(t, dsn)
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			var failure error
			attempts := 0
			err := s.Update(ctx, func(tx Tx) error {
				attempts++
				if failure == nil {
					failure = transientError(t, dsn, s)
				}
				return failure
			})
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, failure) || attempts < 2 {
				t.Fatalf("Update: %v after %d attempts, want the deadline and the last failure after retries", err, attempts)
			}
		})
	}
}

func TestUpdateDoesNotRetryOtherErrors(t *testing.T) {
	s := openStore(t, Databases[0].DSN(t))
	for _, failure := range []error{errors.New("boom"), &ConflictError{Constraint: "name"}, ErrNoCapacity} {
		attempts := 0
		err := s.Update(t.Context(), func(tx Tx) error {
			attempts++
			return failure
		})
		if !errors.Is(err, failure) || attempts != 1 {
			t.Fatalf("Update: %v after %d attempts, want %v after one", err, attempts, failure)
		}
	}
}

func TestBackoffGrowsWithJitterAndStaysBounded(t *testing.T) {
	for attempt := range 20 {
		ceiling := time.Millisecond << min(attempt, 7)
		for range 100 {
			if d := backoff(attempt); d < ceiling/2 || d >= ceiling {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v)", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}
