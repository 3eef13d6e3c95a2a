package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// TestMain points the acceptance tests at a Terraform CLI and keeps them
// offline; the tests run in every `make test`, on the simulator.
func TestMain(m *testing.M) {
	if _, err := os.Stat(os.Getenv("TF_CLI_CONFIG_FILE")); err != nil {
		os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
	}
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if p, err := exec.LookPath("terraform"); err == nil {
			os.Setenv("TF_ACC_TERRAFORM_PATH", p)
		}
	}
	os.Exit(m.Run())
}

var protoV6Factories = map[string]func() (tfprotov6.ProviderServer, error){
	"cloudcore": providerserver.NewProtocol6WithError(New("test")()),
}

// accCloud is the setting of one acceptance test: its own store, and the
// engine a test uses to change things out of band, as another process
// sharing the store would.
type accCloud struct {
	t        *testing.T
	database string
}

// newAccCloud checks for a Terraform CLI (a missing one is a missing
// system part) and gives the test a fresh store.
func newAccCloud(t *testing.T) *accCloud {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		testenv.Missing(t, "Terraform CLI", "no terraform on PATH and TF_ACC_TERRAFORM_PATH is unset (`make tools` builds one)")
	}
	return &accCloud{t: t, database: filepath.Join(t.TempDir(), "cloud.db")}
}

// config prefixes HCL with the provider block of this test's store.
func (a *accCloud) config(hcl string, args ...any) string {
	return fmt.Sprintf("provider \"cloudcore\" {\n  database = %q\n}\n\n", a.database) + fmt.Sprintf(hcl, args...)
}

// outOfBand opens the test's store as another process would, and runs fn.
func (a *accCloud) outOfBand(fn func(ctx context.Context, c *cloudcore.Cloud) error) func() {
	return func() {
		ctx := context.Background()
		c, err := cloudcore.Open(ctx, cloudcore.Config{Database: a.database})
		if err != nil {
			a.t.Fatalf("opening the store out of band: %v", err)
		}
		defer c.Close()
		if err := fn(ctx, c); err != nil {
			a.t.Fatalf("out-of-band change: %v", err)
		}
	}
}
