package xenapi

import (
	"context"
	"strconv"
	"strings"
)

// HostRecord is the part of a host record the driver reads.
type HostRecord struct {
	UUID      string `json:"uuid"`
	NameLabel string `json:"name_label"`
	Hostname  string `json:"hostname"`
	Address   string `json:"address"` // the management interface's IP address
	// Enabled is false while the host is disabled, e.g. for maintenance:
	// it then starts no new VMs.
	Enabled bool `json:"enabled"`
	// SoftwareVersion holds version strings, e.g. "product_version",
	// "platform_version", "xapi".
	SoftwareVersion map[string]string `json:"software_version"`
	// CPUInfo holds "cpu_count" (logical CPUs), "speed" (MHz), "vendor",
	// "modelname" and more, all as strings; see CPUCount and CPUSpeedMHz.
	CPUInfo     map[string]string `json:"cpu_info"`
	Metrics     HostMetricsRef    `json:"metrics"`
	ResidentVMs []VMRef           `json:"resident_VMs"` // including the control domain
}

// CPUCount is cpu_info's cpu_count, or 0 when it is missing or unreadable.
func (h HostRecord) CPUCount() int {
	n, _ := strconv.Atoi(strings.TrimSpace(h.CPUInfo["cpu_count"]))
	return n
}

// CPUSpeedMHz is cpu_info's speed, or 0 when it is missing or unreadable.
func (h HostRecord) CPUSpeedMHz() float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(h.CPUInfo["speed"]), 64)
	return f
}

// HostClass groups the calls of class host.
type HostClass struct{ c *Client }

// GetAllRecords returns every host of the pool by reference
// (host.get_all_records).
func (h HostClass) GetAllRecords(ctx context.Context) (map[HostRef]HostRecord, error) {
	return call[map[HostRef]HostRecord](ctx, h.c, "host.get_all_records")
}

// GetRecord returns the host's record (host.get_record); HANDLE_INVALID
// when there is no such host.
func (h HostClass) GetRecord(ctx context.Context, host HostRef) (HostRecord, error) {
	return call[HostRecord](ctx, h.c, "host.get_record", host)
}

// HostMetricsRecord is the part of a host_metrics record the driver reads.
type HostMetricsRecord struct {
	MemoryTotal Int `json:"memory_total"` // bytes
	MemoryFree  Int `json:"memory_free"`  // bytes
	// Live is the pool master's view of whether the host is alive.
	Live bool `json:"live"`
}

// HostMetricsClass groups the calls of class host_metrics.
type HostMetricsClass struct{ c *Client }

// GetRecord returns the metrics' record (host_metrics.get_record);
// HANDLE_INVALID when there are no such metrics.
func (m HostMetricsClass) GetRecord(ctx context.Context, metrics HostMetricsRef) (HostMetricsRecord, error) {
	return call[HostMetricsRecord](ctx, m.c, "host_metrics.get_record", metrics)
}
