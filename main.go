// Command terraform-provider-cloudcore is the Terraform provider for
// cloudcore: every cloudcore object as a declarative resource.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cloudcore/terraform-provider-cloudcore/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	quietUnlessAsked()
	collectLessOften()
	debug := flag.Bool("debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// collectLessOften runs the garbage collector after the heap grows by 400%
// instead of Go's 100%, unless GOGC says otherwise. A provider process
// lives for one Terraform command and the plugin framework allocates
// heavily on every call (it rebuilds schema maps while it walks each
// resource), so on plans of hundreds of resources the collector took a
// fifth of the provider's CPU; the heap stays in the tens of MiB.
func collectLessOften() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// logEnv are the variables by which a user asks Terraform and the plugin
// SDK for logs.
var logEnv = []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// quietUnlessAsked turns the plugin SDK's own logging off when none of
// logEnv is set. The SDK then defaults to trace level and formats every
// line as JSON, which Terraform discards unless TF_LOG is set; on a plan of
// hundreds of resources that formatting was a third of the provider's CPU.
// Setting any of logEnv brings the logs back as usual.
func quietUnlessAsked() {
	for _, v := range logEnv {
		if os.Getenv(v) != "" {
			return
		}
	}
	_ = os.Setenv("TF_LOG_SDK", "off")
}
