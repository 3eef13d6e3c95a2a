package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// metrics serves the server's Prometheus metrics: whether it leads the HA
// monitor, what its monitor did since it started, and the Go runtime's and
// process's own.
func (s *server) metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cloudcore_ha_leader",
		Help: "1 while this server holds the HA lease and runs the HA monitor.",
	}, func() float64 {
		if s.leader.Load() {
			return 1
		}
		return 0
	}))
	for _, c := range []struct {
		name, help string
		value      func(cloudcore.HAReport) int
	}{
		{"cloudcore_ha_host_checks_total", "Host health checks run.", func(r cloudcore.HAReport) int { return r.Checked }},
		{"cloudcore_ha_hosts_suspect_total", "Hosts that became Suspect.", func(r cloudcore.HAReport) int { return r.Suspect }},
		{"cloudcore_ha_fencing_held_total", "Silent hosts not fenced because too much of their cluster was silent at once.", func(r cloudcore.HAReport) int { return r.Held }},
		{"cloudcore_ha_hosts_degraded_total", "Passes that found a silent host a peer sees running.", func(r cloudcore.HAReport) int { return r.Degraded }},
		{"cloudcore_ha_fence_failures_total", "Failed attempts to fence a host.", func(r cloudcore.HAReport) int { return r.FenceFailed }},
		{"cloudcore_ha_hosts_fenced_total", "Hosts fenced.", func(r cloudcore.HAReport) int { return r.Fenced }},
		{"cloudcore_ha_instances_restarted_total", "HA instances started again.", func(r cloudcore.HAReport) int { return r.Restarted }},
		{"cloudcore_ha_restart_failures_total", "Failed attempts to start an HA instance again.", func(r cloudcore.HAReport) int { return r.Failed }},
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help},
			func() float64 { return float64(c.value(s.ha.Totals())) }))
	}
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
