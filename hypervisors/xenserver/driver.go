// Package xenserver is the "xenserver" hypervisor driver: XenServer and
// XCP-ng hosts, members of a pool, driven through XenAPI over JSON-RPC
// (package xenapi). Import it for its side effect (or import
// hypervisors/all):
//
//	import _ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver"
//
// # Host URLs
//
//	https://xen1.example                      the pool member xen1 (found by its address)
//	https://pool.example?host=xen2            member xen2 (name label, hostname, address or UUID)
//
// The driver logs in with HostConfig's Username and Password at the URL's
// server; a member that is not the pool master answers HOST_IS_SLAVE and
// the client moves to the master. A session that expires is logged in
// again once per call. Query parameters, all optional:
//
//	host=<member>              the pool member this host is; needed when the URL's
//	                           host name is not the member's address or hostname
//	                           and the pool has several members
//	ca_file=<path>             PEM certificates to verify the server with (XenServer
//	                           hosts have self-signed certificates); else the
//	                           system's roots
//	insecure=true              skip certificate verification (explicit opt-in)
//	pif=<device>               the interface VLANs are tagged on (default: the
//	                           member's management interface, e.g. eth0)
//	base_template=<name>       the VM template VMs are cloned from (default
//	                           "Other install media")
//	mtu=1500                   the MTU of guest networks and NICs
//	config_drive=true|false    give VMs with disks a cloud-init NoCloud drive
//	                           (default true)
//
// Connect fails with ErrInvalid for a URL it cannot use, naming the
// parameter and the fix, or credentials the pool refuses, and with
// ErrUnreachable when the server does not answer XenAPI.
//
// # Objects
//
// Every object the driver makes carries a cloudcore UUID in its name label
// (it is found by that name), and the same in other_config cloudcore.id,
// for people reading the pool; a snapshot and a config drive carry their
// VM's there, and DestroyVM finds a gone VM's snapshots by it:
//
//	VM          cloudcore-<VM ID> (display name as its description), cloned
//	            from base_template and provisioned without disks, with affinity
//	            to the member it was created on
//	volume      VDI cloudcore-vol-<ID> on the pool's SR
//	network     cloudcore-net-<ID>: a network of the pool, on a VLAN of each
//	            member's pif when it has one, else internal to each member
//	snapshot    VM.snapshot or, with memory, VM.checkpoint: cloudcore-snap-<ID>
//	config drive VDI cloudcore-cidata-<VM ID>: a NoCloud ISO in a read-only CD
//
// Storage pools are SRs: StoragePoolRef.URL is sr:<name label or UUID>
// (sr:Local storage) or sr://<UUID>. Templates (TemplateRef.URL) are a VDI
// of the pool, vdi:<name label or UUID>, or a raw image at an http(s) URL
// that the driver imports once into each SR as cloudcore-tpl-<template
// ID>; a volume is a copy of the template's VDI (VDI.copy), grown to the
// size asked for.
//
// XenAPI keeps no snapshot tree of its own that survives deletions, so
// the driver keeps it in other_config: cloudcore.parent on each snapshot,
// cloudcore.current on the VM. Reverting replaces a VM's disks by copies
// of the snapshot's, as XenAPI does; the copies keep the name labels, so
// volume IDs stay. A checkpoint reverts to a suspended VM, which the
// driver resumes: the VM runs again.
//
// # Behaviour
//
// The driver follows the contracts of package hypervisors. XenAPI errors
// map to its sentinels by code (see sentinels): HANDLE_INVALID to
// ErrNotFound, VM_BAD_POWER_STATE and VDI_IN_USE to ErrConflict, SR_FULL
// and HOST_NOT_ENOUGH_FREE_MEMORY to ErrNoCapacity, and so on; the XenAPI
// error, code and parameters, stays in the chain (errors.As with
// *xenapi.Error). Long operations run as tasks that the caller's context
// cancels. CreateVolume and CreateVM remove what they made when a later
// step fails, including the result of a task that finished after its
// context ended.
//
// Capabilities: memory and disk-only snapshots and NIC hot-plug; no hot
// resize, fencing or live migration.
package xenserver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// Name is the driver's name in the hypervisors registry.
const Name = "xenserver"

func init() { hypervisors.Register(driver{}) }

// driver is the XenServer hypervisors.Driver.
type driver struct{}

var _ hypervisors.Driver = driver{}

func (driver) Name() string { return Name }

// Connect parses cfg.URL, logs in and finds the pool member the URL names.
func (driver) Connect(ctx context.Context, cfg hypervisors.HostConfig) (hypervisors.Host, error) {
	c, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	client, err := xenapi.New(c.endpoint, cfg.Username, cfg.Password, xenapi.Options{CAPEM: c.caPEM, Insecure: c.insecure})
	if err != nil {
		return nil, fmt.Errorf("%w: host URL %q: %v", hypervisors.ErrInvalid, cfg.URL, err)
	}
	op := "connecting to " + c.endpoint
	if err := client.Login(ctx); err != nil {
		if xenapi.IsCode(err, xenapi.CodeSessionAuthenticationFailed) {
			op += ": the pool refused the username and password"
		}
		return nil, wrap(op, err)
	}
	h := &host{cfg: c, c: client}
	if h.ref, err = findMember(ctx, client, c); err != nil {
		_ = h.Close()
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return h, nil
}

// findMember returns the pool member c names: by its host parameter, else
// by the URL's host name, else the only member.
func findMember(ctx context.Context, client *xenapi.Client, c hostConfig) (xenapi.HostRef, error) {
	hosts, err := client.Host.GetAllRecords(ctx)
	if err != nil {
		return "", wrap("listing the pool's hosts", err)
	}
	want, param := c.host, true
	if want == "" {
		want, param = c.urlHost, false
	}
	var found []xenapi.HostRef
	var names []string
	for ref, rec := range hosts {
		names = append(names, rec.NameLabel)
		if slices.Contains([]string{rec.NameLabel, rec.Hostname, rec.Address, rec.UUID}, want) {
			found = append(found, ref)
		}
	}
	slices.Sort(names)
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && !param && len(hosts) == 1:
		for ref := range hosts {
			return ref, nil
		}
	case len(found) > 1:
		return "", fmt.Errorf("%w: %d pool members answer to %q; name one with ?host=<name label or UUID>", hypervisors.ErrInvalid, len(found), want)
	}
	return "", fmt.Errorf("%w: no pool member is %q; name one with ?host= (members: %s)", hypervisors.ErrInvalid, want, strings.Join(names, ", "))
}
