package store

import (
	"path/filepath"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/internal/pgtest"
)

// Databases are the databases every test of the package runs on; DSN
// names a new, empty database that lives as long as t.
var Databases = []struct {
	Name string
	DSN  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return "sqlite://" + filepath.Join(t.TempDir(), "cloudcore.db") }},
	{"postgres", pgtest.DSN},
}
