package kvm

import (
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Every libvirt object the driver makes is named with a fixed prefix and the
// cloudcore UUID of what it stands for, so that ListVMs and ListVolumes find
// them from their names alone and leave everything else on the host alone.
const (
	domainPrefix   = "cloudcore-"
	volumePrefix   = "cloudcore-vol-"
	volumeSuffix   = ".qcow2"
	cidataPrefix   = "cloudcore-cidata-"
	cidataSuffix   = ".iso"
	templatePrefix = "cloudcore-tpl-"
	templateSuffix = ".img"
	poolPrefix     = "cloudcore-pool-"
	networkPrefix  = "cloudcore-net-"
	snapshotPrefix = "cloudcore-snap-"
)

func domainName(vmID string) string         { return domainPrefix + vmID }
func volumeName(volumeID string) string     { return volumePrefix + volumeID + volumeSuffix }
func cidataName(vmID string) string         { return cidataPrefix + vmID + cidataSuffix }
func templateName(templateID string) string { return templatePrefix + templateID + templateSuffix }
func poolName(poolID string) string         { return poolPrefix + poolID }
func networkName(networkID string) string   { return networkPrefix + networkID }
func snapshotName(snapshotID string) string { return snapshotPrefix + snapshotID }

// idFrom returns the UUID in name between prefix and suffix, and whether
// name is of that form.
func idFrom(name, prefix, suffix string) (string, bool) {
	id, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return "", false
	}
	if id, ok = strings.CutSuffix(id, suffix); !ok || hypervisors.CheckID("", id) != nil {
		return "", false
	}
	return id, true
}
