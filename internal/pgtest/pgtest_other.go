//go:build !unix

// Package pgtest gives tests a throwaway PostgreSQL server; on this system
// it has none to give.
package pgtest

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// DSN reports PostgreSQL as missing: pgtest runs servers on unix systems only.
func DSN(t testing.TB) string {
	t.Helper()
	testenv.Missing(t, "PostgreSQL", "pgtest starts PostgreSQL on unix systems only")
	return ""
}

// Stop does nothing here.
func Stop() {}
