package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/oobm"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// HostState is whether the management plane reaches a host.
type HostState string

const (
	HostUp           HostState = "Up"
	HostDown         HostState = "Down"
	HostDisconnected HostState = "Disconnected"
	// HostMaintenance is reported for a host whose operator put it in
	// maintenance: it takes no new instances; running ones stay.
	HostMaintenance HostState = "Maintenance"
)

// Host is one hypervisor host of a cluster.
type Host struct {
	Meta
	Name       string `json:"name"`
	ZoneID     string `json:"zone_id"`
	PodID      string `json:"pod_id"`
	ClusterID  string `json:"cluster_id"`
	Hypervisor string `json:"hypervisor"`
	URL        string `json:"url"`
	Username   string `json:"username,omitempty"`
	// SealedPassword is the password encrypted with the cloud's secret key,
	// bound to the host ID; the plain text is never stored or returned.
	SealedPassword string `json:"sealed_password,omitempty"`
	// State is Up, Down or Disconnected as last observed, or Maintenance.
	State       HostState `json:"state"`
	Maintenance bool      `json:"maintenance"`
	// Observed from the hypervisor when the host was added or refreshed.
	Hostname  string    `json:"hostname"`
	Version   string    `json:"version"`
	CPUs      int       `json:"cpus"`
	CPUMHz    int       `json:"cpu_mhz"`
	MemoryMiB int64     `json:"memory_mib"`
	LastSeen  time.Time `json:"last_seen"`
	// OOBM is the host's out-of-band management, through which the HA
	// monitor fences it; nil when it has none.
	OOBM *OOBM `json:"oobm,omitempty"`
	// HAState is where the HA monitor stands with the host, and HADetail
	// why (see HAState).
	HAState  HAState `json:"ha_state,omitempty"`
	HADetail string  `json:"ha_detail,omitempty"`
}

// HAState is the HA monitor's view of a host.
type HAState string

const (
	// HAAvailable: the host answers its health checks.
	HAAvailable HAState = "Available"
	// HASuspect: the host missed its checks for longer than the ping
	// timeout; it is about to be investigated, or fencing is held back by
	// the mass-failure guard.
	HASuspect HAState = "Suspect"
	// HADegraded: the host does not answer, but a peer sees it running;
	// it is not fenced and its instances stay where they are.
	HADegraded HAState = "Degraded"
	// HAFenceFailed: fencing the host failed; its instances stay where
	// they are until fencing succeeds or the host answers again.
	HAFenceFailed HAState = "FenceFailed"
	// HAFenced: the host was powered off; its HA instances are restarted
	// elsewhere. The host is Down until it answers again.
	HAFenced HAState = "Fenced"
)

// OOBM is a host's out-of-band management: its BMC, reached over IPMI
// v2.0 LAN to read and switch the host's power.
type OOBM struct {
	// Address is the BMC's host name or IP, with an optional port (623).
	Address  string `json:"address"`
	Username string `json:"username"`
	// SealedPassword is the BMC password encrypted with the cloud's key.
	SealedPassword string `json:"sealed_password,omitempty"`
}

// OOBMSpec configures a host's out-of-band management.
type OOBMSpec struct {
	Address  string // BMC host name or IP, optionally with ":port"
	Username string
	Password string
}

func (h *Host) columns() store.Object {
	return store.Object{Kind: store.KindHost, Name: h.Name, Scope: h.ClusterID, ZoneID: h.ZoneID, ParentID: h.ClusterID, State: string(h.State)}
}

// capacity is the host's row in the capacity table under cluster cl.
func (h *Host) capacity(cl *Cluster) store.HostCapacity {
	return store.HostCapacity{
		HostID: h.ID, ZoneID: h.ZoneID, PodID: h.PodID, ClusterID: h.ClusterID, Hypervisor: h.Hypervisor,
		Allocatable: h.State == HostUp && !h.Maintenance && cl.Enabled,
		CPUTotal:    int64(float64(h.CPUs) * 1000 * cl.CPUOvercommit),
		MemTotal:    int64(float64(h.MemoryMiB) * cl.MemoryOvercommit),
	}
}

// HostSpec adds a host.
type HostSpec struct {
	Name      string
	ClusterID string
	// URL in the driver's scheme: simulator://name, qemu:///system,
	// qemu+ssh://user@host/system, https://esxi.example/sdk, https://xen-pool-master.
	URL      string
	Username string
	Password string
	// OOBM, when set, lets the HA monitor fence the host through its BMC.
	OOBM *OOBMSpec
}

// HostUpdate changes a host; nil fields stay. A new URL or credentials are
// verified by connecting before they are stored.
type HostUpdate struct {
	Name        *string
	URL         *string
	Username    *string
	Password    *string
	Maintenance *bool
	// OOBM replaces the out-of-band management; an empty Address removes it.
	OOBM *OOBMSpec
}

// HostService manages hosts.
type HostService struct{ c *Cloud }

// HostURLSchemes lists, per hypervisor, the URL schemes its hosts use.
// Adding a host whose URL scheme does not fit its cluster's hypervisor is
// refused; front ends use this table to refuse it earlier.
var HostURLSchemes = map[string][]string{
	"simulator": {"simulator"},
	"kvm":       {"qemu", "qemu+ssh", "qemu+tcp", "qemu+tls", "qemu+unix", "test"},
	"vmware":    {"https"},
	"xenserver": {"https", "http"},
}

func validHostURL(hypervisor, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return invalid("url", "%q is not a URL; a %s host URL looks like %s", raw, hypervisor, HostURLSchemes[hypervisor][0]+"://...")
	}
	if !slices.Contains(HostURLSchemes[hypervisor], u.Scheme) {
		return invalid("url", "scheme %q does not fit a %s cluster; use one of %v", u.Scheme, hypervisor, HostURLSchemes[hypervisor])
	}
	return nil
}

// Create connects to the host through its cluster's driver, records its
// capacity and state, and stores the credentials encrypted. When the host
// does not answer, nothing is written.
func (s *HostService) Create(ctx context.Context, spec HostSpec) (*Host, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	cl, err := s.c.Clusters.Get(ctx, spec.ClusterID)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound("cluster_id", store.KindCluster, spec.ClusterID)
		}
		return nil, err
	}
	if err := validHostURL(cl.Hypervisor, spec.URL); err != nil {
		return nil, err
	}
	h := &Host{Meta: Meta{ID: newID()}, Name: spec.Name, ZoneID: cl.ZoneID, PodID: cl.PodID, ClusterID: cl.ID,
		Hypervisor: cl.Hypervisor, URL: spec.URL, Username: spec.Username}
	if err := s.c.sealPassword(h, spec.Password); err != nil {
		return nil, err
	}
	if spec.OOBM != nil {
		if h.OOBM, err = s.c.sealOOBM(h.ID, *spec.OOBM); err != nil {
			return nil, err
		}
	}
	if err := s.c.observeHost(ctx, h); err != nil {
		return nil, err
	}
	created, err := create(ctx, s.c, h, " in this cluster", nil, func(tx store.Tx) error { return s.c.putCapacity(ctx, tx, h) })
	if err != nil {
		s.c.dropConn(h.ID)
	}
	return created, err
}

// observeHost connects to h and fills in what the hypervisor reports; the
// host is Up afterwards.
func (c *Cloud) observeHost(ctx context.Context, h *Host) error {
	conn, err := c.connect(ctx, h)
	if err != nil {
		return err
	}
	info, err := conn.Info(ctx)
	if err != nil {
		c.dropConn(h.ID)
		return fmt.Errorf("reading host %s: %w", h.URL, err)
	}
	h.Hostname, h.Version, h.CPUs, h.CPUMHz, h.MemoryMiB = info.Hostname, info.Version, info.CPUs, info.CPUMHz, info.MemoryMiB
	h.State, h.LastSeen, h.HAState, h.HADetail = HostUp, now(), HAAvailable, ""
	if h.Maintenance {
		h.State = HostMaintenance
	}
	return nil
}

func (c *Cloud) sealPassword(h *Host, password string) error {
	if password == "" {
		h.SealedPassword = ""
		return nil
	}
	sealed, err := c.key.Seal([]byte(password), []byte(h.ID))
	if err != nil {
		return fmt.Errorf("encrypting the password of host %s: %w", h.Name, err)
	}
	h.SealedPassword = sealed
	return nil
}

// Get returns a host.
func (s *HostService) Get(ctx context.Context, id string) (*Host, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Host, error) { return getObj[Host](ctx, tx, store.KindHost, "", id) })
}

// HostFilter selects hosts; empty fields match all.
type HostFilter struct {
	ZoneID    string
	ClusterID string
	State     HostState
	Name      string
}

// List returns matching hosts in creation order.
func (s *HostService) List(ctx context.Context, f HostFilter) ([]*Host, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Host, error) {
		return listObj[Host](ctx, tx, store.KindHost, store.Filter{ZoneID: f.ZoneID, ParentID: f.ClusterID, State: string(f.State), Name: f.Name})
	})
}

// Capacity reports the host's allocatable and used capacity (milli-CPUs
// and MiB, over-provisioning included).
func (s *HostService) Capacity(ctx context.Context, id string) (store.HostCapacity, error) {
	return view(ctx, s.c, func(tx store.Tx) (store.HostCapacity, error) { return tx.GetHostCapacity(ctx, id) })
}

// Update changes a host in place. A changed URL or credentials are tried
// before anything is written.
func (s *HostService) Update(ctx context.Context, id string, u HostUpdate) (*Host, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	probe := *cur
	reconnect := u.URL != nil || u.Username != nil || u.Password != nil
	if u.URL != nil {
		if err := validHostURL(cur.Hypervisor, *u.URL); err != nil {
			return nil, err
		}
		probe.URL = *u.URL
	}
	if u.Username != nil {
		probe.Username = *u.Username
	}
	if u.Password != nil {
		if err := s.c.sealPassword(&probe, *u.Password); err != nil {
			return nil, err
		}
	}
	var bmc *OOBM
	if u.OOBM != nil && u.OOBM.Address != "" {
		if bmc, err = s.c.sealOOBM(id, *u.OOBM); err != nil {
			return nil, err
		}
	}
	if reconnect {
		s.c.dropConn(id)
		if err := s.c.observeHost(ctx, &probe); err != nil {
			return nil, err
		}
	}
	return modify(ctx, s.c, store.KindHost, "host.update", id, func(tx store.Tx, h *Host) error {
		if err := setName(&h.Name, u.Name); err != nil {
			return err
		}
		if reconnect {
			h.URL, h.Username, h.SealedPassword = probe.URL, probe.Username, probe.SealedPassword
			h.Hostname, h.Version, h.CPUs, h.CPUMHz, h.MemoryMiB, h.LastSeen = probe.Hostname, probe.Version, probe.CPUs, probe.CPUMHz, probe.MemoryMiB, probe.LastSeen
			h.State = HostUp
		}
		if u.OOBM != nil {
			h.OOBM = bmc
		}
		set(&h.Maintenance, u.Maintenance)
		h.State = hostStateWith(h.State, h.Maintenance)
		return s.c.putCapacity(ctx, tx, h)
	})
}

// sealOOBM validates spec and encrypts its password, bound to the host.
func (c *Cloud) sealOOBM(hostID string, spec OOBMSpec) (*OOBM, error) {
	if _, _, err := oobm.ParseAddress(spec.Address); err != nil {
		return nil, invalid("oobm.address", "%v", err)
	}
	if spec.Username == "" {
		return nil, invalid("oobm.username", "the BMC needs a user name; give the IPMI user that may control the chassis power")
	}
	o := &OOBM{Address: spec.Address, Username: spec.Username}
	if spec.Password != "" {
		sealed, err := c.key.Seal([]byte(spec.Password), oobmAAD(hostID))
		if err != nil {
			return nil, fmt.Errorf("encrypting the BMC password: %w", err)
		}
		o.SealedPassword = sealed
	}
	return o, nil
}

// oobmAAD binds a sealed BMC password to its host.
func oobmAAD(hostID string) []byte { return []byte(hostID + "/oobm") }

func hostStateWith(st HostState, maintenance bool) HostState {
	switch {
	case maintenance:
		return HostMaintenance
	case st == HostMaintenance:
		return HostUp
	}
	return st
}

func (c *Cloud) putCapacity(ctx context.Context, tx store.Tx, h *Host) error {
	cl, err := getObj[Cluster](ctx, tx, store.KindCluster, "cluster_id", h.ClusterID)
	if err != nil {
		return err
	}
	return tx.PutHostCapacity(ctx, h.capacity(cl))
}

// Refresh pings the host and records what it reports: Up with fresh
// capacity when it answers, Disconnected when it does not. It returns the
// updated host; an unreachable host is not an error here.
func (s *HostService) Refresh(ctx context.Context, id string) (*Host, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	probe := *cur
	obsErr := s.c.observeHost(ctx, &probe)
	return modify(ctx, s.c, store.KindHost, "host.refresh", id, func(tx store.Tx, h *Host) error {
		if obsErr != nil {
			h.State = HostDisconnected
		} else {
			h.Hostname, h.Version, h.CPUs, h.CPUMHz, h.MemoryMiB, h.LastSeen = probe.Hostname, probe.Version, probe.CPUs, probe.CPUMHz, probe.MemoryMiB, probe.LastSeen
			h.State = HostUp
		}
		h.State = hostStateWith(h.State, h.Maintenance)
		return s.c.putCapacity(ctx, tx, h)
	})
}

// Delete removes a host that runs no instances. It first takes the zone's
// guest networks off the host (bridges, portgroups), as nothing would once
// the host is forgotten; a host that does not answer keeps them, and an
// event says so.
func (s *HostService) Delete(ctx context.Context, id string) error {
	h, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	n, err := view(ctx, s.c, func(tx store.Tx) (int, error) {
		return tx.Count(ctx, store.KindInstance, store.Filter{ParentID: id})
	})
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("host %q still has %d instance(s); destroy or move them first: %w", h.Name, n, ErrConflict)
	}
	if err := s.c.unplumbNetworks(ctx, h); err != nil {
		s.c.recordAlone(ctx, "host.unplumb", store.KindHost, id, EventFailed, err.Error())
	}
	err = remove[Host](ctx, s.c, store.KindHost, "host.delete", id, func(tx store.Tx, h *Host) error {
		if err := mustBeEmpty(ctx, tx, "host", h.Name, child{store.KindInstance, store.Filter{ParentID: id}}); err != nil {
			return err
		}
		return tx.DeleteHostCapacity(ctx, id)
	})
	if err == nil {
		s.c.dropConn(id)
	}
	return err
}

// unplumbNetworks removes every guest network of the host's zone from it.
func (c *Cloud) unplumbNetworks(ctx context.Context, h *Host) error {
	nets, err := c.Networks.List(ctx, h.ZoneID)
	if err != nil || len(nets) == 0 {
		return err
	}
	conn, err := c.connect(ctx, h)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range nets {
		if err := conn.RemoveNetwork(ctx, n.ID); err != nil {
			errs = append(errs, fmt.Errorf("network %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Connect returns the driver connection to a host, for callers (the HA
// monitor) that need to talk to the hypervisor directly.
func (s *HostService) Connect(ctx context.Context, id string) (hypervisors.Host, error) {
	h, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.c.connect(ctx, h)
}
