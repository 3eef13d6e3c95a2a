package kvm

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

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

// checkID fails with ErrInvalid unless id is a UUID in its canonical form
// (lower case, with dashes), as cloudcore makes them. what names the ID in
// the message.
func checkID(what, id string) error {
	if id == "" {
		return fmt.Errorf("%w: %s is empty", hypervisors.ErrInvalid, what)
	}
	u, err := uuid.Parse(id)
	if err != nil || u.String() != id {
		return fmt.Errorf("%w: %s %q is not a UUID in canonical form", hypervisors.ErrInvalid, what, id)
	}
	return nil
}

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
	if id, ok = strings.CutSuffix(id, suffix); !ok || checkID("", id) != nil {
		return "", false
	}
	return id, true
}
