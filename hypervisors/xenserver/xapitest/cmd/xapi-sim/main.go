// Command xapi-sim serves an in-memory XenAPI pool (package xapitest) until
// interrupted, for demos and manual testing:
//
//	xapi-sim -listen 127.0.0.1:8181 -hosts 2 -memory-gib 32 -sr-gib 1024
//
// It prints the pool's URLs and credentials, and the SR and template disk
// (-template, empty for none) a cloudcore storage pool and template name:
//
//	url = "sr:Shared storage 1"
//	url = "vdi:tiny-template"
//
// Everything lives in memory and is gone when it exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xapitest"
)

func main() {
	var (
		listen    = flag.String("listen", "127.0.0.1:8181", "address of the pool master")
		hosts     = flag.Int("hosts", 2, "number of hosts in the pool")
		cpus      = flag.Int("cpus", 8, "CPUs per host")
		speed     = flag.Int("cpu-mhz", 2400, "CPU speed in MHz")
		memory    = flag.Int64("memory-gib", 32, "memory per host, GiB")
		srs       = flag.Int("srs", 1, "number of shared SRs")
		srSize    = flag.Int64("sr-gib", 1024, "size of each SR, GiB")
		user      = flag.String("user", "root", "user name")
		password  = flag.String("password", "password", "password")
		useTLS    = flag.Bool("tls", false, "serve HTTPS (self-signed test certificate)")
		taskDelay = flag.Duration("task-delay", 0, "delay before every asynchronous task runs")
		template  = flag.String("template", "tiny-template", "name of a 64 MiB template disk to put on the first SR (empty: none)")
	)
	flag.Parse()
	if *hosts < 1 || *srs < 1 {
		fmt.Fprintln(os.Stderr, "xapi-sim: -hosts and -srs must be at least 1")
		os.Exit(2)
	}
	opts := xapitest.Options{
		Username: *user, Password: *password, TLS: *useTLS, ListenAddr: *listen,
		TaskDelay: *taskDelay,
	}
	for i := 0; i < *hosts; i++ {
		opts.Hosts = append(opts.Hosts, xapitest.HostSpec{CPUs: *cpus, SpeedMHz: *speed, MemoryBytes: *memory << 30})
	}
	for i := 0; i < *srs; i++ {
		opts.SRs = append(opts.SRs, xapitest.SRSpec{SizeBytes: *srSize << 30})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := xapitest.NewServer(opts)
	fmt.Printf("XenAPI pool master: %s (JSON-RPC at %s/jsonrpc)\n", s.URL, s.URL)
	if s.SlaveURL != "" {
		fmt.Printf("pool member:        %s (login answers HOST_IS_SLAVE)\n", s.SlaveURL)
	}
	fmt.Printf("credentials:        %s / %s\n", *user, *password)
	fmt.Printf("storage repository: sr:%s\n", s.SRName())
	if *template != "" {
		if _, err := s.AddVDI(*template, 64<<20, nil); err != nil {
			fmt.Fprintln(os.Stderr, "xapi-sim:", err)
			os.Exit(1)
		}
		fmt.Printf("template disk:      vdi:%s\n", *template)
	}
	<-ctx.Done()
	fmt.Println("stopping")
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}
