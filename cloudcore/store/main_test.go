package store_test

import (
	"os"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/internal/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(reserveChild())
	}
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}
