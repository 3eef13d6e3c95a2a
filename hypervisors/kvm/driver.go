// Package kvm is the "kvm" hypervisor driver: KVM/QEMU hosts managed
// through libvirt. Import it for its side effect (or import hypervisors/all):
//
//	import _ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
//
// The driver loads libvirt's shared library (libvirt.so.0) when it first
// connects, so programs built with it run on machines without libvirt
// until they use a KVM host (build with -tags libvirt_dlopen; see
// Available).
//
// # Host URLs
//
// A host URL is a libvirt connection URI plus the driver's own parameters,
// which Connect removes before it opens the URI (libvirt's parameters, such
// as keyfile or socket, pass through):
//
//	qemu:///system                     libvirtd on this machine
//	qemu+ssh://user@host/system        over SSH (keys; libvirt's ssh transport)
//	qemu+tcp://host/system             over TCP (SASL: HostConfig credentials)
//	qemu+tls://host/system             over TLS
//	test:///default                    libvirt's in-process test driver
//
// HostConfig.Username and Password answer libvirt's questions for a user
// name and a password (SASL, libssh transports). The driver's parameters,
// all optional:
//
//	domain_type=auto|kvm|qemu    guests' domain type (default auto: kvm when the host
//	                             offers it and its CPU shows virtualization extensions
//	                             or is not itself virtual, else qemu, i.e. TCG)
//	stop_timeout=60s             how long a graceful StopVM waits for the guest
//	stop_fallback=error|destroy  what a graceful StopVM does with a guest still
//	                             running then (default error: it stays running)
//	nic_detach_timeout=60s       how long DetachNIC waits for a running guest to
//	                             release the NIC (see DetachNIC)
//	config_drive=true|false      give VMs a cloud-init NoCloud drive (default true)
//	console_log_dir=<dir>        where serial consoles are logged (default
//	                             /var/log/libvirt/qemu; it must exist on the host)
//	vlan_mode=bridge|vxlan       how VLANs leave the host, with vlan_uplink, or
//	                             vxlan_group, vxlan_dev, vxlan_remote and vxlan_port
//	                             (see segmentation)
//
// Connect fails with ErrInvalid for a malformed URL or parameter.
//
// # Objects
//
// Everything the driver makes on a host carries the cloudcore UUID in its
// name (IDs must be UUIDs): domains cloudcore-<VM ID> (with the VM ID as
// their UUID and in their metadata, the display name as their title),
// volumes cloudcore-vol-<ID>.qcow2, config drives
// cloudcore-cidata-<VM ID>.iso, template copies cloudcore-tpl-<ID>.img,
// storage pools cloudcore-pool-<pool ID>,
// networks cloudcore-net-<network ID>, snapshots cloudcore-snap-<ID>.
// ListVMs and ListVolumes report those and nothing else.
//
// Storage pools are made on first use: file:///<path> as a dir pool,
// nfs://<server>/<export> as a netfs pool mounted under
// /var/lib/cloudcore/mnt/<pool ID> (or ?mount=<path>). Volumes are qcow2
// images; from a template (a qcow2 or raw image: file:///<path> on the
// host, or http(s):// downloaded once into the pool as
// cloudcore-tpl-<template ID>.img and kept there) they are qcow2 overlays
// backed by it.
//
// VMs have virtio disks and NICs, a serial console on a pty that libvirt
// also logs to <console_log_dir>/cloudcore-<VM ID>.serial.log, and a
// read-only config drive (ISO 9660, label cidata: user-data, meta-data and
// network-config version 2 with the IPAM addresses) on the boot disk's
// pool. Guest networks are isolated libvirt networks, one bridge each,
// whose DHCP server hands each NIC's MAC the address IPAM gave it. NICs
// are attached to and detached from existing VMs, running or not (PCI
// hot-plug; see AttachNIC and DetachNIC).
//
// Capabilities: memory and disk-only snapshots (qcow2 internal
// snapshots) and NIC hot-plug; no hot resize, fencing or live migration.
package kvm

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Name is the driver's name in the hypervisors registry.
const Name = "kvm"

func init() { hypervisors.Register(driver{}) }

// driver is the KVM hypervisors.Driver.
type driver struct{}

var _ hypervisors.Driver = driver{}

func (driver) Name() string { return Name }

// Connect parses cfg.URL (ErrInvalid when it cannot), opens a libvirt
// connection with cfg's credentials (ErrUnreachable when the host does not
// answer, ErrNotSupported when libvirt's library is missing here) and picks
// the domain type the host's guests run as. StateDir is not used.
func (driver) Connect(ctx context.Context, cfg hypervisors.HostConfig) (hypervisors.Host, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.URL, err)
	}
	c, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	conn, err := open(ctx, c.uri, cfg)
	if err != nil {
		return nil, err
	}
	caps, err := conn.GetCapabilities()
	var platform guestPlatform
	if err == nil {
		platform, err = choosePlatform(caps, c.domainType)
	}
	if err != nil {
		_, _ = conn.Close()
		return nil, wrap("reading the capabilities of "+c.uri, err)
	}
	return &host{cfg: c, s: &session{cfg: cfg, uri: c.uri, conn: conn}, platform: platform}, nil
}
