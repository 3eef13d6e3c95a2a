package store_test

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store/storetest"
)

func TestConformance(t *testing.T) {
	for _, db := range store.Databases {
		t.Run(db.Name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				s, err := store.Open(t.Context(), db.DSN(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if err := s.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
				if s.Dialect() != db.Name {
					t.Fatalf("Dialect() = %q, want %q", s.Dialect(), db.Name)
				}
				return s
			})
		})
	}
}
