package xapitest

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
)

func TestTLS(t *testing.T) {
	s, c := newPool(t, Options{TLS: true})
	if !strings.HasPrefix(s.URL, "https://") || !strings.HasPrefix(s.SlaveURL, "https://") {
		t.Fatalf("URLs %s, %s", s.URL, s.SlaveURL)
	}
	if s.Certificate() == nil {
		t.Fatal("no certificate")
	}
	c.must("VM.get_all")
	pooled := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}}
	cc := &client{t: t, url: s.URL, http: pooled, session: c.session}
	cc.must("pool.get_all")
	// An untrusting client fails.
	if _, err := http.Post(s.URL+"/jsonrpc", "application/json", nil); err == nil {
		t.Error("a client without the CA connected")
	}
}

func TestHostRecords(t *testing.T) {
	_, c := newPool(t, Options{Hosts: []HostSpec{{Name: "alpha", CPUs: 16, SpeedMHz: 2100, MemoryBytes: 64 << 30}, {}}})
	hosts := c.hosts()
	r := c.rec("host", hosts[0])
	cpu := r["cpu_info"].(map[string]any)
	sw := r["software_version"].(map[string]any)
	if r["name_label"] != "alpha" || r["hostname"] != "alpha" || r["enabled"] != true ||
		cpu["cpu_count"] != "16" || cpu["speed"] != "2100.000" || sw["product_version"] != "8.4.0" {
		t.Errorf("host record: %v", r)
	}
	if c.str("host.get_by_uuid", r["uuid"].(string)) != hosts[0] {
		t.Error("host.get_by_uuid")
	}
	m := c.rec("host_metrics", r["metrics"].(string))
	if num(m["memory_total"]) != 64<<30 || num(m["memory_free"]) != 63<<30 || m["live"] != true {
		t.Errorf("host_metrics: %v", m)
	}
	p := c.rec("pool", c.poolRef())
	if p["master"] != hosts[0] || p["default_SR"] != c.defaultSR() {
		t.Errorf("pool record: %v", p)
	}
	var all map[string]map[string]any
	c.decode(c.must("host.get_all_records"), &all)
	if len(all) != 2 || all[hosts[1]]["name_label"] != "host2" {
		t.Errorf("host.get_all_records: %v", all)
	}
}
