package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// haLease names the lease whose holder runs the HA monitor.
const haLease = "ha-monitor"

// server is one running management server.
type server struct {
	cfg    serveConfig
	log    *slog.Logger
	cloud  *cloudcore.Cloud
	ha     *cloudcore.HAMonitor
	holder string // this server's name in the lease
	leader atomic.Bool
}

// serve opens the store, serves HTTP and leads the HA monitor whenever it
// holds the lease, until ctx ends; then it gives the lease up, drains the
// HTTP server and closes the store.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger) error {
	cfg.cloud.Logger = log
	cfg.cloud.Actor = "cloudcore-serve"
	c, err := cloudcore.Open(ctx, cfg.cloud)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	host, _ := os.Hostname()
	s := &server{cfg: cfg, log: log, cloud: c, ha: cloudcore.NewHAMonitor(c),
		holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	httpServer := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- httpServer.Serve(ln) }()
	log.Info("serving", "listen", ln.Addr().String(), "holder", s.holder)

	s.lead(ctx)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ReleaseLease(shutdownCtx, haLease, s.holder); err != nil {
		log.Warn("giving the HA lease up", "err", err)
	}
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-httpDone; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// lead renews or takes the HA lease every third of its TTL until ctx ends,
// running the HA monitor while it holds the lease.
func (s *server) lead(ctx context.Context) {
	var stopMonitor func()
	defer func() {
		if stopMonitor != nil {
			stopMonitor()
		}
	}()
	t := time.NewTicker(s.cfg.leaseTTL / 3)
	defer t.Stop()
	for {
		held, err := s.cloud.AcquireLease(ctx, haLease, s.holder, s.cfg.leaseTTL)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Error("renewing the HA lease", "err", err)
			held = false
		}
		if held && stopMonitor == nil {
			s.log.Info("leading the HA monitor")
			stopMonitor = s.startMonitor(ctx)
		} else if !held && stopMonitor != nil {
			s.log.Warn("lost the HA lease; the HA monitor stops here")
			stopMonitor()
			stopMonitor = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startMonitor runs the HA monitor until the returned stop is called. It
// first finishes the operations that dead processes (a previous leader
// among them) left in the journal and sweeps every host; then, beside the
// monitor, it settles every recoverEvery what processes that die later
// leave behind.
func (s *server) startMonitor(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var done sync.WaitGroup
	done.Add(2)
	s.leader.Store(true)
	go func() {
		defer done.Done()
		if report, err := s.cloud.Recover(ctx); err != nil {
			s.log.Error("recovering interrupted operations", "err", err)
		} else {
			s.log.Info("recovered interrupted operations", "report", fmt.Sprintf("%+v", report))
		}
		go func() {
			defer done.Done()
			s.settleInterrupted(ctx)
		}()
		_ = s.ha.Run(ctx, s.cfg.tick)
	}()
	return func() {
		cancel()
		done.Wait()
		s.leader.Store(false)
	}
}

// settleInterrupted runs Cloud.RecoverInterrupted every recoverEvery until
// ctx ends, logging the passes that did something.
func (s *server) settleInterrupted(ctx context.Context) {
	t := time.NewTicker(s.cfg.recoverEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		report, err := s.cloud.RecoverInterrupted(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Error("settling interrupted operations", "err", err)
		case report != (cloudcore.RecoveryReport{}):
			s.log.Info("settled interrupted operations", "report", fmt.Sprintf("%+v", report))
		}
	}
}

// health is what /healthz answers.
type health struct {
	Status string `json:"status"`
	Leader bool   `json:"leader"`
	Holder string `json:"holder"`
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := s.cloud.Store().View(r.Context(), func(store.Tx) error { return nil }); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(health{Status: "store unreachable: " + err.Error(), Leader: s.leader.Load(), Holder: s.holder})
			return
		}
		_ = json.NewEncoder(w).Encode(health{Status: "ok", Leader: s.leader.Load(), Holder: s.holder})
	})
	mux.Handle("GET /metrics", s.metrics())
	return mux
}
