// Command cloudcore is cloudcore's management server.
//
//	cloudcore serve --database postgres://... --listen :8080
//
// serve runs the HA monitor on the store the Terraform provider uses, under
// a leader lease so that several servers may share one PostgreSQL store,
// and serves /healthz and Prometheus /metrics. It logs JSON lines to
// standard error and stops cleanly on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(stderr, "usage: cloudcore serve [flags]   (cloudcore serve -h lists the flags)")
		return 2
	}
	cfg, err := parseServeFlags(args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "cloudcore serve:", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("cloudcore serve stopped", "err", err)
		return 1
	}
	return 0
}

// serveConfig is what the serve flags set.
type serveConfig struct {
	cloud    cloudcore.Config
	listen   string
	leaseTTL time.Duration
	tick     time.Duration
	// recoverEvery is how often the leader settles the journalled
	// operations of processes that died.
	recoverEvery time.Duration
	logLevel     slog.Level
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("cloudcore serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.cloud.Database, "database", os.Getenv("CLOUDCORE_DATABASE"),
		"store: a postgres:// URL or an SQLite file (env CLOUDCORE_DATABASE; default cloudcore.db)")
	secretFile := fs.String("secret-key-file", "",
		"file holding the store's secret key (default: env CLOUDCORE_SECRET_KEY, or the key file beside an SQLite store)")
	fs.StringVar(&cfg.cloud.StateDir, "state-dir", os.Getenv("CLOUDCORE_STATE_DIR"), "directory of the simulator's hosts (env CLOUDCORE_STATE_DIR)")
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8080", "address of /healthz and /metrics")
	fs.DurationVar(&cfg.leaseTTL, "lease-ttl", 15*time.Second, "how long the HA leader's lease lasts; another server takes over within it when the leader dies")
	fs.DurationVar(&cfg.tick, "tick", time.Second, "how often the HA monitor runs a pass (hosts are checked once per their ping interval)")
	fs.DurationVar(&cfg.recoverEvery, "recover-interval", 30*time.Second,
		"how often the leader finishes or rolls back the operations of processes (provider runs, other servers) that died")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := cfg.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return cfg, fmt.Errorf("-log-level: %w", err)
	}
	cfg.cloud.SecretKey = os.Getenv("CLOUDCORE_SECRET_KEY")
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			return cfg, fmt.Errorf("-secret-key-file: %w", err)
		}
		cfg.cloud.SecretKey = strings.TrimSpace(string(b))
	}
	switch {
	case cfg.leaseTTL < time.Second:
		return cfg, fmt.Errorf("-lease-ttl %v is too short; use at least 1s", cfg.leaseTTL)
	case cfg.tick <= 0 || cfg.tick > cfg.leaseTTL/3:
		return cfg, fmt.Errorf("-tick %v must be positive and at most a third of -lease-ttl (%v)", cfg.tick, cfg.leaseTTL)
	case cfg.recoverEvery < 100*time.Millisecond:
		return cfg, fmt.Errorf("-recover-interval %v is too short; use at least 100ms", cfg.recoverEvery)
	}
	return cfg, nil
}
