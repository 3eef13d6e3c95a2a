package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/ipam"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/placement"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// InstanceSpec deploys an instance.
type InstanceSpec struct {
	Name string // becomes the guest's host name
	// ZoneID may be left empty: the template's zone.
	ZoneID     string
	TemplateID string
	CPUs       int
	MemoryMiB  int64
	// RootDiskBytes is the root volume size; 0 means the template's size.
	RootDiskBytes int64
	// Networks are the NICs in device order; at least one.
	Networks         []NICRequest
	HAEnabled        bool
	UserData         string
	SSHKeys          []string
	AffinityGroupIDs []string
	// HostID pins the instance to one host; empty lets placement choose.
	HostID string
	// Stopped creates the instance without starting it.
	Stopped bool
}

// NICRequest attaches the instance to a network, optionally with a fixed
// IP address (it must be free and allocatable) or MAC address.
type NICRequest struct {
	NetworkID string
	IP        string
	MAC       string
}

// Limits of an instance.
const (
	MaxCPUs         = 256
	MinMemoryMiB    = 32
	MaxUserDataSize = 32 << 10 // as CloudStack's vm.userdata.max.length
	// maxDeployHosts is how many hosts a deploy tries before it gives up.
	maxDeployHosts = 3
)

// deployPlan is everything a deploy needs, read and validated before the
// first write.
type deployPlan struct {
	spec     InstanceSpec
	template *Template
	networks []*Network
	plans    []*ipam.Plan // nil for L2 networks
	ips      []netip.Addr // requested addresses (zero: allocate)
	macs     []string     // requested MACs ("": allocate)
	groups   []*AffinityGroup
	clusters []string // allowed clusters; nil: any
	// pool holds the root volume already ("": the deploy creates it).
	pool string
}

// Create deploys an instance: it validates the request, reserves capacity
// and addresses, journals the deploy, creates the root volume and the VM on
// the chosen host and starts it. A failure on one host is cleaned up there
// and the deploy moves on to another host (up to three).
//
// Bad input returns a *FieldError and writes nothing. When the deploy
// fails after the instance was recorded, Create returns the instance (in
// Error, holding no capacity or addresses) together with the error, so the
// caller can keep track of it. A crash at any point is finished or rolled
// back by the next Open or Recover.
func (s *InstanceService) Create(ctx context.Context, spec InstanceSpec) (*Instance, error) {
	c := s.c
	p, err := c.planDeploy(ctx, spec)
	if err != nil {
		return nil, err
	}
	inst := &Instance{Meta: Meta{ID: newID()}, Name: spec.Name, ZoneID: p.template.ZoneID, TemplateID: spec.TemplateID,
		CPUs: spec.CPUs, MemoryMiB: spec.MemoryMiB, RootDiskBytes: spec.RootDiskBytes, HAEnabled: spec.HAEnabled,
		UserData: spec.UserData, SSHKeys: spec.SSHKeys, State: Starting, RootVolumeID: newID()}
	for _, g := range p.groups {
		inst.AffinityGroupIDs = append(inst.AffinityGroupIDs, g.ID)
	}
	if inst.RootDiskBytes == 0 {
		inst.RootDiskBytes = p.template.SizeBytes
	}
	var journalID string
	err = c.update(ctx, func(tx store.Tx) error {
		inst.NICs = nil
		d, err := c.place(ctx, tx, inst, p, nil)
		if err != nil {
			return err
		}
		inst.HostID, inst.ClusterID, inst.PoolID = d.HostID, d.ClusterID, d.PoolID
		if err := c.allocateNICs(ctx, tx, inst, p); err != nil {
			return err
		}
		if err := insertObj(ctx, tx, inst); err != nil {
			return nameClash(err, store.KindInstance, inst.Name, " in this zone")
		}
		for _, g := range inst.AffinityGroupIDs {
			if err := tx.AddAffinityMember(ctx, g, inst.ID); err != nil {
				return err
			}
		}
		journalID, err = c.journal(ctx, tx, "instance.deploy", store.KindInstance, inst.ID, c.deployIntent(inst, !spec.Stopped))
		if err != nil {
			return err
		}
		return c.record(ctx, tx, "instance.deploy", store.KindInstance, inst.ID, EventStarted, "host "+inst.HostID)
	})
	if err != nil {
		return nil, err
	}
	return c.runDeploy(ctx, inst, p, journalID)
}

func (c *Cloud) deployIntent(inst *Instance, start bool) intent {
	return intent{HostID: inst.HostID, PoolID: inst.PoolID, VolumeID: inst.RootVolumeID, Start: start}
}

// runDeploy realizes a recorded deploy on its host, moving to other hosts
// on failure, and records the outcome.
func (c *Cloud) runDeploy(ctx context.Context, inst *Instance, p *deployPlan, journalID string) (*Instance, error) {
	start := !p.spec.Stopped
	var failed []string
	for {
		err := c.realize(ctx, inst, p, start)
		if err == nil {
			break
		}
		if cerr := c.unrealize(ctx, inst); cerr != nil {
			// The host may hold part of the VM: leave the journal entry for
			// recovery, which cleans up once the host answers again.
			return inst, fmt.Errorf("deploying instance %s on host %s: %w (cleaning up failed too: %v; recovery will finish it)", inst.Name, inst.HostID, err, cerr)
		}
		failed = append(failed, inst.HostID)
		moved := false
		if len(failed) < maxDeployHosts && p.spec.HostID == "" && ctx.Err() == nil {
			moved, err = c.moveDeploy(ctx, inst, p, failed, journalID, err)
		}
		if !moved {
			return c.failDeploy(ctx, inst, journalID, err)
		}
	}
	final := Stopped
	if start {
		final = Running
	}
	err := c.update(ctx, func(tx store.Tx) error {
		cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
		if err != nil {
			return err
		}
		if err := transition(cur, final); err != nil {
			return err
		}
		if err := updateObj(ctx, tx, cur); err != nil {
			return err
		}
		if err := tx.DeleteJournal(ctx, journalID); err != nil {
			return err
		}
		*inst = *cur
		return c.record(ctx, tx, "instance.deploy", store.KindInstance, inst.ID, EventOK, "host "+inst.HostID)
	})
	if err != nil {
		return inst, fmt.Errorf("recording the deploy of instance %s: %w", inst.Name, err)
	}
	return inst, nil
}

// moveDeploy releases the failed host and places the instance on another,
// in one transaction. It reports false when no other host fits.
func (c *Cloud) moveDeploy(ctx context.Context, inst *Instance, p *deployPlan, failed []string, journalID string, cause error) (bool, error) {
	err := c.update(ctx, func(tx store.Tx) error {
		cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
		if err != nil {
			return err
		}
		if err := releasePlacement(ctx, tx, cur); err != nil {
			return err
		}
		d, err := c.place(ctx, tx, cur, p, failed)
		if err != nil {
			return err
		}
		cur.HostID, cur.ClusterID, cur.PoolID = d.HostID, d.ClusterID, d.PoolID
		if err := updateObj(ctx, tx, cur); err != nil {
			return err
		}
		if err := c.rejournal(ctx, tx, journalID, c.deployIntent(cur, !p.spec.Stopped)); err != nil {
			return err
		}
		*inst = *cur
		return c.record(ctx, tx, "instance.deploy", store.KindInstance, inst.ID, EventStarted,
			fmt.Sprintf("retrying on host %s after: %v", inst.HostID, cause))
	})
	if errors.Is(err, ErrNoCapacity) {
		return false, cause
	}
	return err == nil, errors.Join(cause, err)
}

// failDeploy records a deploy that cannot go on: the instance keeps its
// record in Error but holds no capacity or addresses.
func (c *Cloud) failDeploy(ctx context.Context, inst *Instance, journalID string, cause error) (*Instance, error) {
	ctx = context.WithoutCancel(ctx)
	err := c.update(ctx, func(tx store.Tx) error {
		cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
		if err != nil {
			return err
		}
		if err := releaseAll(ctx, tx, cur); err != nil {
			return err
		}
		cur.LastError = cause.Error()
		if err := transition(cur, Error); err != nil {
			return err
		}
		if err := updateObj(ctx, tx, cur); err != nil {
			return err
		}
		if err := tx.DeleteJournal(ctx, journalID); err != nil {
			return err
		}
		*inst = *cur
		return c.record(ctx, tx, "instance.deploy", store.KindInstance, inst.ID, EventFailed, cause.Error())
	})
	if err != nil {
		return inst, errors.Join(fmt.Errorf("deploying instance %s: %w", inst.Name, cause), err)
	}
	return inst, fmt.Errorf("deploying instance %s: %w", inst.Name, cause)
}

// releasePlacement gives back the host and pool capacity of an instance.
func releasePlacement(ctx context.Context, tx store.Tx, inst *Instance) error {
	if inst.HostID != "" {
		if err := tx.ReserveHost(ctx, inst.HostID, -milliCPU(inst.CPUs), -inst.MemoryMiB); err != nil && !isNotFound(err) {
			return err
		}
		inst.LastHostID = inst.HostID
	}
	if inst.PoolID != "" {
		if err := tx.ReservePool(ctx, inst.PoolID, -inst.RootDiskBytes); err != nil && !isNotFound(err) {
			return err
		}
	}
	inst.HostID, inst.ClusterID, inst.PoolID = "", "", ""
	return nil
}

// releaseAll gives back everything an instance holds: capacity, addresses
// and affinity memberships.
func releaseAll(ctx context.Context, tx store.Tx, inst *Instance) error {
	if err := releasePlacement(ctx, tx, inst); err != nil {
		return err
	}
	if err := tx.DeleteNICs(ctx, inst.ID); err != nil {
		return err
	}
	inst.NICs = nil
	return tx.RemoveAffinityMember(ctx, inst.ID)
}

// realize creates the instance's volume and VM on its host and starts it.
func (c *Cloud) realize(ctx context.Context, inst *Instance, p *deployPlan, start bool) error {
	conn, err := c.hostOf(ctx, inst)
	if err != nil {
		return err
	}
	pool, err := c.StoragePools.Get(ctx, inst.PoolID)
	if err != nil {
		return err
	}
	if _, err := conn.CreateVolume(ctx, hypervisors.VolumeSpec{ID: inst.RootVolumeID, Pool: pool.ref(),
		Template: p.template.ref(), SizeBytes: inst.RootDiskBytes}); err != nil {
		return fmt.Errorf("creating the root volume: %w", err)
	}
	return c.createVM(ctx, conn, inst, pool, p.networks, start)
}

// createVM creates the instance's VM on conn, its host, over the root
// volume in pool and with NICs on nets (one per NIC, in order), ensuring
// each network on the host first; it starts the VM when start is set.
func (c *Cloud) createVM(ctx context.Context, conn hypervisors.Host, inst *Instance, pool *StoragePool, nets []*Network, start bool) error {
	nics := make([]hypervisors.NIC, len(inst.NICs))
	for i, n := range inst.NICs {
		if err := conn.EnsureNetwork(ctx, nets[i].spec()); err != nil {
			return fmt.Errorf("setting up network %s: %w", nets[i].Name, err)
		}
		nics[i] = n.on(nets[i])
	}
	if _, err := conn.CreateVM(ctx, hypervisors.VMSpec{ID: inst.ID, Name: inst.Name, Resources: inst.resources(),
		Disks: []hypervisors.Disk{{VolumeID: inst.RootVolumeID, Pool: pool.ref()}}, NICs: nics,
		UserData: inst.UserData, SSHKeys: inst.SSHKeys}); err != nil {
		return fmt.Errorf("creating the VM: %w", err)
	}
	if start {
		if err := conn.StartVM(ctx, inst.ID); err != nil {
			return fmt.Errorf("starting the VM: %w", err)
		}
	}
	return nil
}

// unrealize removes the instance's VM and root volume from its host; both
// steps succeed when there is nothing to remove.
func (c *Cloud) unrealize(ctx context.Context, inst *Instance) error {
	if inst.HostID == "" {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	conn, err := c.hostOf(ctx, inst)
	if err != nil {
		return err
	}
	if err := conn.DestroyVM(ctx, inst.ID); err != nil {
		return fmt.Errorf("destroying the VM: %w", err)
	}
	pool, err := c.StoragePools.Get(ctx, inst.PoolID)
	if err != nil {
		return err
	}
	if err := conn.DeleteVolume(ctx, pool.ref(), inst.RootVolumeID); err != nil {
		return fmt.Errorf("deleting the root volume: %w", err)
	}
	return nil
}

// place runs the planner inside tx, explaining a failure in terms of the
// request's fields.
func (c *Cloud) place(ctx context.Context, tx store.Tx, inst *Instance, p *deployPlan, exclude []string) (placement.Decision, error) {
	req := placement.Request{InstanceID: inst.ID, ZoneID: inst.ZoneID, CPU: milliCPU(inst.CPUs), Mem: inst.MemoryMiB,
		DiskBytes: inst.RootDiskBytes, Clusters: p.clusters, ExcludeHosts: exclude, Host: p.spec.HostID, Pool: p.pool, Strategy: c.strategy}
	for _, g := range p.groups {
		if g.Type == AntiAffinity {
			req.AntiAffinity = append(req.AntiAffinity, g.ID)
		} else {
			req.Affinity = append(req.Affinity, g.ID)
		}
	}
	d, err := placement.Place(ctx, tx, req)
	if errors.Is(err, ErrNoCapacity) {
		if ferr := c.beyondAnyHost(ctx, tx, inst); ferr != nil {
			return d, ferr
		}
	}
	return d, err
}

// beyondAnyHost returns a field error when no host of the zone could ever
// hold the instance, however empty.
func (c *Cloud) beyondAnyHost(ctx context.Context, tx store.Tx, inst *Instance) error {
	hosts, err := listObj[Host](ctx, tx, store.KindHost, store.Filter{ZoneID: inst.ZoneID})
	if err != nil {
		return err
	}
	var maxCPU, maxMem int64
	for _, h := range hosts {
		hc, err := tx.GetHostCapacity(ctx, h.ID)
		if err != nil {
			return err
		}
		maxCPU, maxMem = max(maxCPU, hc.CPUTotal), max(maxMem, hc.MemTotal)
	}
	switch {
	case len(hosts) == 0:
		return fieldErr(ErrNoCapacity, "zone_id", "the zone has no hosts; add a host first")
	case inst.MemoryMiB > maxMem:
		return fieldErr(ErrNoCapacity, "memory_mib", "%d MiB is more than any host of the zone can hold (the largest takes %d MiB); ask for less", inst.MemoryMiB, maxMem)
	case milliCPU(inst.CPUs) > maxCPU:
		return fieldErr(ErrNoCapacity, "cpus", "%d CPUs are more than any host of the zone has (the largest has %d); ask for fewer", inst.CPUs, maxCPU/1000)
	}
	return nil
}

// allocateNICs gives every NIC of inst an address and a MAC, unique by the
// store's constraints.
func (c *Cloud) allocateNICs(ctx context.Context, tx store.Tx, inst *Instance, p *deployPlan) error {
	for i, net := range p.networks {
		nic, err := c.allocateNIC(ctx, tx, inst, i, net, p.plans[i], p.ips[i], p.macs[i])
		if err != nil {
			return err
		}
		inst.NICs = append(inst.NICs, nic)
	}
	return nil
}

// maxMACTries bounds retries on a (very unlikely) random MAC collision.
const maxMACTries = 8

func (c *Cloud) allocateNIC(ctx context.Context, tx store.Tx, inst *Instance, i int, net *Network, plan *ipam.Plan, ip netip.Addr, mac string) (InstanceNIC, error) {
	field := fmt.Sprintf("network[%d]", i)
	fixedIP, fixedMAC := ip.IsValid(), mac != ""
	var candidates *ipCandidates
	if plan != nil && !fixedIP {
		candidates = &ipCandidates{tx: tx, net: net, plan: plan}
	}
	for macTries := 0; ; {
		if candidates != nil {
			next, err := candidates.next(ctx)
			if err != nil {
				return InstanceNIC{}, err
			}
			ip = next
		}
		if !fixedMAC {
			m, err := ipam.NewMAC(randReader)
			if err != nil {
				return InstanceNIC{}, err
			}
			mac = m
		}
		err := tx.InsertNIC(ctx, store.NIC{ID: newID(), InstanceID: inst.ID, NetworkID: net.ID, ZoneID: net.ZoneID, Index: i, IP: ip, MAC: mac})
		var ce *store.ConflictError
		switch {
		case err == nil:
			return InstanceNIC{NetworkID: net.ID, IP: ip, MAC: mac}, nil
		case !errors.As(err, &ce):
			return InstanceNIC{}, err
		case ce.Constraint == "ip" && fixedIP:
			return InstanceNIC{}, fieldErr(ErrConflict, field+".ip_address", "%s is already in use on network %s; choose another address or leave it empty", ip, net.Name)
		case ce.Constraint == "mac" && fixedMAC:
			return InstanceNIC{}, fieldErr(ErrConflict, field+".mac_address", "%s is already in use in this zone; choose another or leave it empty", mac)
		case ce.Constraint == "mac":
			if macTries++; macTries == maxMACTries {
				return InstanceNIC{}, err
			}
		}
		// An "ip" conflict: a concurrent deploy took the candidate; try the next.
	}
}

// ipCandidates proposes free addresses of a network: the one after the
// highest allocated (an index lookup), and, once that runs off the end of
// the range, the lowest free one.
type ipCandidates struct {
	tx      store.Tx
	net     *Network
	plan    *ipam.Plan
	last    netip.Addr
	wrapped bool
}

func (ic *ipCandidates) next(ctx context.Context) (netip.Addr, error) {
	if !ic.last.IsValid() {
		top, ok, err := ic.tx.MaxIP(ctx, ic.net.ID)
		if err != nil {
			return netip.Addr{}, err
		}
		if ok {
			ic.last = top
		}
	}
	if !ic.wrapped {
		if ip, ok := ic.plan.Next(ic.last); ok {
			ic.last = ip
			return ip, nil
		}
		ic.wrapped = true
	}
	nics, err := ic.tx.ListNICs(ctx, "", ic.net.ID)
	if err != nil {
		return netip.Addr{}, err
	}
	used := make([]netip.Addr, len(nics))
	for i, n := range nics {
		used[i] = n.IP
	}
	ip, ok := ic.plan.FirstFree(used)
	if !ok {
		return netip.Addr{}, fieldErr(ErrNoCapacity, "network", "network %s has no free address left in %s", ic.net.Name, ic.net.CIDR)
	}
	return ip, nil
}

// planDeploy validates a deploy request against the store, reading only.
func (c *Cloud) planDeploy(ctx context.Context, spec InstanceSpec) (*deployPlan, error) {
	if err := validateInstanceSpec(spec); err != nil {
		return nil, err
	}
	p := &deployPlan{spec: spec}
	err := c.store.View(ctx, func(tx store.Tx) error {
		t, err := getObj[Template](ctx, tx, store.KindTemplate, "template_id", spec.TemplateID)
		if err != nil {
			return err
		}
		p.template = t
		if spec.ZoneID != "" && spec.ZoneID != t.ZoneID {
			return invalid("zone_id", "template %s is in zone %s; deploy in that zone or use a template of zone %s", t.Name, t.ZoneID, spec.ZoneID)
		}
		zone, err := getObj[Zone](ctx, tx, store.KindZone, "zone_id", t.ZoneID)
		if err != nil {
			return err
		}
		if !zone.Enabled {
			return fieldErr(ErrConflict, "zone_id", "zone %s is disabled for new instances; enable it first", zone.Name)
		}
		if spec.RootDiskBytes == 0 && t.SizeBytes == 0 {
			return invalid("root_disk_gib", "is required: template %s does not state its size", t.Name)
		}
		if spec.RootDiskBytes != 0 && spec.RootDiskBytes < t.SizeBytes {
			return invalid("root_disk_gib", "%d bytes is smaller than template %s (%d bytes); ask for at least that", spec.RootDiskBytes, t.Name, t.SizeBytes)
		}
		if err := p.readNetworks(ctx, tx, t.ZoneID); err != nil {
			return err
		}
		for i, id := range spec.AffinityGroupIDs {
			g, err := getObj[AffinityGroup](ctx, tx, store.KindAffinityGroup, fmt.Sprintf("affinity_group_ids[%d]", i), id)
			if err != nil {
				return err
			}
			p.groups = append(p.groups, g)
		}
		if spec.HostID != "" {
			h, err := getObj[Host](ctx, tx, store.KindHost, "host_id", spec.HostID)
			if err != nil {
				return err
			}
			if h.ZoneID != t.ZoneID {
				return invalid("host_id", "host %s is not in the template's zone", h.Name)
			}
		}
		return p.readClusters(ctx, tx, t)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func validateInstanceSpec(spec InstanceSpec) error {
	if err := validHostname("name", spec.Name); err != nil {
		return err
	}
	switch {
	case spec.CPUs < 1 || spec.CPUs > MaxCPUs:
		return invalid("cpus", "%d is out of range; use 1 to %d", spec.CPUs, MaxCPUs)
	case spec.MemoryMiB < MinMemoryMiB:
		return invalid("memory_mib", "%d MiB is too little; use at least %d", spec.MemoryMiB, MinMemoryMiB)
	case spec.RootDiskBytes < 0:
		return invalid("root_disk_gib", "must not be negative")
	case len(spec.UserData) > MaxUserDataSize:
		return invalid("user_data", "is %d bytes; the limit is %d", len(spec.UserData), MaxUserDataSize)
	case len(spec.Networks) == 0:
		return invalid("network", "at least one network is required")
	}
	for i, n := range spec.Networks {
		for j := range i {
			if spec.Networks[j].NetworkID == n.NetworkID {
				return invalid(fmt.Sprintf("network[%d].network_id", i), "network %s is listed twice; attach each network once", n.NetworkID)
			}
		}
	}
	return nil
}

func (p *deployPlan) readNetworks(ctx context.Context, tx store.Tx, zoneID string) error {
	for i, req := range p.spec.Networks {
		n, err := readNICNetwork(ctx, tx, zoneID, fmt.Sprintf("network[%d]", i), req)
		if err != nil {
			return err
		}
		p.networks, p.plans, p.ips, p.macs = append(p.networks, n.net), append(p.plans, n.plan), append(p.ips, n.ip), append(p.macs, n.mac)
	}
	return nil
}

// nicNetwork is a NICRequest read and checked: its network, the network's
// address plan (nil on L2) and the requested address and MAC, if any.
type nicNetwork struct {
	net  *Network
	plan *ipam.Plan
	ip   netip.Addr
	mac  string
}

// readNICNetwork reads and checks req, the NIC field names, for an
// instance in zone zoneID.
func readNICNetwork(ctx context.Context, tx store.Tx, zoneID, field string, req NICRequest) (nicNetwork, error) {
	n, err := getObj[Network](ctx, tx, store.KindNetwork, field+".network_id", req.NetworkID)
	if err != nil {
		return nicNetwork{}, err
	}
	if n.ZoneID != zoneID {
		return nicNetwork{}, invalid(field+".network_id", "network %s is in another zone than the instance", n.Name)
	}
	r := nicNetwork{net: n}
	if r.plan, err = n.plan(); err != nil {
		return nicNetwork{}, err
	}
	if req.IP != "" {
		if r.ip, err = requestedAddr(n, r.plan, field+".ip_address", req.IP); err != nil {
			return nicNetwork{}, err
		}
	}
	if req.MAC != "" {
		if r.mac, err = ipam.ParseMAC(req.MAC); err != nil {
			var fe *ipam.FieldError
			if errors.As(err, &fe) {
				return nicNetwork{}, invalid(field+".mac_address", "%s", fe.Reason)
			}
			return nicNetwork{}, err
		}
	}
	return r, nil
}

// readClusters finds the enabled clusters of the zone that can run the
// template; nil when every cluster can.
func (p *deployPlan) readClusters(ctx context.Context, tx store.Tx, t *Template) error {
	clusters, err := listObj[Cluster](ctx, tx, store.KindCluster, store.Filter{ZoneID: t.ZoneID})
	if err != nil {
		return err
	}
	allowed := []string{}
	restricted := false
	for _, cl := range clusters {
		if t.Hypervisor != "" && cl.Hypervisor != t.Hypervisor {
			restricted = true
			continue
		}
		allowed = append(allowed, cl.ID)
	}
	if len(allowed) == 0 {
		return fieldErr(ErrNoCapacity, "template_id", "no cluster in the zone runs %s, which template %s needs", hypervisorOr(t.Hypervisor), t.Name)
	}
	if restricted {
		p.clusters = slices.Clip(allowed)
	}
	return nil
}

func hypervisorOr(h string) string {
	if h == "" {
		return "any hypervisor"
	}
	return h
}
