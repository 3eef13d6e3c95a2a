package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/ipam"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Network types, as in CloudStack.
const (
	NetworkIsolated = "isolated" // one tenant's L3 network with its own CIDR
	NetworkShared   = "shared"   // an L3 network several tenants attach to
	NetworkL2       = "l2"       // a layer-2 segment without IP management
)

// NetworkTypes lists the network types.
var NetworkTypes = []string{NetworkIsolated, NetworkShared, NetworkL2}

// Network is a guest network of a zone. IP addresses of isolated and shared
// networks are allocated from CIDR by cloudcore's IPAM; L2 networks only
// get MAC addresses.
type Network struct {
	Meta
	Name           string       `json:"name"`
	ZoneID         string       `json:"zone_id"`
	Type           string       `json:"type"`
	CIDR           netip.Prefix `json:"cidr"`
	Gateway        netip.Addr   `json:"gateway"`
	VLAN           int          `json:"vlan,omitempty"`
	DNS            []netip.Addr `json:"dns,omitempty"`
	ReservedRanges []string     `json:"reserved_ranges,omitempty"`
	Description    string       `json:"description,omitempty"`
}

func (n *Network) columns() store.Object {
	return store.Object{Kind: store.KindNetwork, Name: n.Name, Scope: n.ZoneID, ZoneID: n.ZoneID}
}

// plan returns the address plan; nil for an L2 network.
func (n *Network) plan() (*ipam.Plan, error) {
	if n.Type == NetworkL2 {
		return nil, nil
	}
	return ipam.ParseNetwork(n.CIDR.String(), n.Gateway.String(), n.ReservedRanges)
}

func (n *Network) spec() hypervisors.NetworkSpec {
	return hypervisors.NetworkSpec{ID: n.ID, Name: n.Name, VLAN: n.VLAN, CIDR: n.CIDR, Gateway: n.Gateway, DNS: n.DNS}
}

// NetworkSpec creates a network.
type NetworkSpec struct {
	Name   string
	ZoneID string
	Type   string // isolated (default), shared or l2
	// CIDR and Gateway: required for isolated and shared networks (the
	// gateway defaults to the first address), absent for l2.
	CIDR    string
	Gateway string
	// VLAN is the 802.1Q tag or VXLAN segment; 0 for none. Unique in a zone.
	VLAN           int
	DNS            []string
	ReservedRanges []string // addresses IPAM never hands out: "10.0.0.10-10.0.0.20" or one address
	Description    string
}

// NetworkUpdate changes a network in place; nil fields stay. The address
// plan cannot change: create a new network instead.
type NetworkUpdate struct {
	Name        *string
	DNS         *[]string
	Description *string
}

// NetworkService manages guest networks.
type NetworkService struct{ c *Cloud }

// Create adds a network. Its CIDR must not overlap another network of the
// zone and its VLAN must be free in the zone.
func (s *NetworkService) Create(ctx context.Context, spec NetworkSpec) (*Network, error) {
	n, err := newNetwork(spec)
	if err != nil {
		return nil, err
	}
	return create(ctx, s.c, n, " in this zone", func(tx store.Tx) error {
		zone, err := getObj[Zone](ctx, tx, store.KindZone, "zone_id", spec.ZoneID)
		if err != nil {
			return err
		}
		// Touching the zone serializes network creation per zone, so that two
		// overlapping networks created at once cannot both pass the check.
		if err := updateObj(ctx, tx, zone); err != nil {
			return err
		}
		if len(n.DNS) == 0 {
			n.DNS = zone.DNS
		}
		return checkNetworkFits(ctx, tx, n)
	}, nil)
}

// checkNetworkFits refuses a network whose VLAN is taken or whose CIDR
// overlaps another network of its zone.
func checkNetworkFits(ctx context.Context, tx store.Tx, n *Network) error {
	others, err := listObj[Network](ctx, tx, store.KindNetwork, store.Filter{ZoneID: n.ZoneID})
	if err != nil {
		return err
	}
	for _, o := range others {
		if n.VLAN != 0 && o.VLAN == n.VLAN {
			return fieldErr(ErrConflict, "vlan", "VLAN %d is used by network %s; choose a free VLAN", n.VLAN, o.Name)
		}
		if n.CIDR.IsValid() && o.CIDR.IsValid() && ipam.Overlaps(n.CIDR, o.CIDR) {
			return fieldErr(ErrConflict, "cidr", "%s overlaps network %s (%s); choose a CIDR that does not", n.CIDR, o.Name, o.CIDR)
		}
	}
	return nil
}

// newNetwork validates a spec into a network, without touching the store.
func newNetwork(spec NetworkSpec) (*Network, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	if spec.Type == "" {
		spec.Type = NetworkIsolated
	}
	if !slices.Contains(NetworkTypes, spec.Type) {
		return nil, invalid("type", "unknown network type %q; use one of %v", spec.Type, NetworkTypes)
	}
	if spec.VLAN < 0 || spec.VLAN > 4094 {
		return nil, invalid("vlan", "%d is out of range; use 1 to 4094, or 0 for none", spec.VLAN)
	}
	dns, err := parseAddrs("dns", spec.DNS)
	if err != nil {
		return nil, err
	}
	n := &Network{Name: spec.Name, ZoneID: spec.ZoneID, Type: spec.Type, VLAN: spec.VLAN, DNS: dns,
		ReservedRanges: spec.ReservedRanges, Description: spec.Description}
	if spec.Type == NetworkL2 {
		if spec.CIDR != "" || spec.Gateway != "" || len(spec.ReservedRanges) > 0 {
			return nil, invalid("cidr", "an l2 network has no IP addresses; remove cidr, gateway and reserved_ranges, or use type isolated")
		}
		return n, nil
	}
	if spec.CIDR == "" {
		return nil, invalid("cidr", "is required for a %s network, e.g. 10.1.1.0/24", spec.Type)
	}
	plan, err := ipam.ParseNetwork(spec.CIDR, spec.Gateway, spec.ReservedRanges)
	if err != nil {
		return nil, fromIPAM(err)
	}
	n.CIDR, n.Gateway = plan.Prefix(), plan.Gateway()
	return n, nil
}

// requestedAddr checks an address a user asks for on network n with plan
// (nil for an L2 network): it must be allocatable there. Whether another
// instance holds it is the store's to say when it is allocated.
func requestedAddr(n *Network, plan *ipam.Plan, field, ip string) (netip.Addr, error) {
	if plan == nil {
		return netip.Addr{}, invalid(field, "network %s is an l2 network without IP addresses; leave ip_address empty", n.Name)
	}
	addr, err := plan.ParseAddr(field, ip)
	return addr, fromIPAM(err)
}

// CheckAddress tells whether ip may be requested on the network: inside its
// CIDR and not its network, broadcast, gateway or a reserved address. It
// does not say whether an instance holds it already. Errors are
// *FieldError on field (ErrNotFound when the network does not exist).
func (s *NetworkService) CheckAddress(ctx context.Context, networkID, field, ip string) error {
	n, err := s.Get(ctx, networkID)
	if err != nil {
		return err
	}
	plan, err := n.plan()
	if err != nil {
		return err
	}
	_, err = requestedAddr(n, plan, field, ip)
	return err
}

// fromIPAM turns an ipam field error into the engine's.
func fromIPAM(err error) error {
	var fe *ipam.FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: fe.Field, Reason: fe.Reason, Err: ErrInvalid}
	}
	return err
}

// Get returns a network.
func (s *NetworkService) Get(ctx context.Context, id string) (*Network, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Network, error) { return getObj[Network](ctx, tx, store.KindNetwork, "", id) })
}

// GetByName returns the network of a zone with that name.
func (s *NetworkService) GetByName(ctx context.Context, zoneID, name string) (*Network, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Network, error) {
		return getByName[Network](ctx, tx, store.KindNetwork, zoneID, name)
	})
}

// List returns the networks of a zone ("" for all).
func (s *NetworkService) List(ctx context.Context, zoneID string) ([]*Network, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Network, error) {
		return listObj[Network](ctx, tx, store.KindNetwork, store.Filter{ZoneID: zoneID})
	})
}

// Addresses lists the allocated addresses (NICs) of a network.
func (s *NetworkService) Addresses(ctx context.Context, id string) ([]store.NIC, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]store.NIC, error) { return tx.ListNICs(ctx, "", id) })
}

// Update changes a network in place. New DNS servers reach instances
// deployed afterwards.
func (s *NetworkService) Update(ctx context.Context, id string, u NetworkUpdate) (*Network, error) {
	return modify(ctx, s.c, store.KindNetwork, "network.update", id, func(tx store.Tx, n *Network) error {
		if err := setName(&n.Name, u.Name); err != nil {
			return err
		}
		if u.DNS != nil {
			dns, err := parseAddrs("dns", *u.DNS)
			if err != nil {
				return err
			}
			n.DNS = dns
		}
		set(&n.Description, u.Description)
		return nil
	})
}

// Delete removes a network no instance uses, and takes it off the zone's
// hosts that are up (a host that is down keeps an unused bridge until it
// is reused or removed by hand; an event says so).
func (s *NetworkService) Delete(ctx context.Context, id string) error {
	n, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	nics, err := s.Addresses(ctx, id)
	if err != nil {
		return err
	}
	if len(nics) > 0 {
		return fmt.Errorf("network %s has %d NIC(s) attached; destroy those instances first: %w", n.Name, len(nics), ErrConflict)
	}
	hosts, err := s.c.Hosts.List(ctx, HostFilter{ZoneID: n.ZoneID, State: HostUp})
	if err != nil {
		return err
	}
	for _, h := range hosts {
		conn, err := s.c.connect(ctx, h)
		if err == nil {
			err = conn.RemoveNetwork(ctx, id)
		}
		if err != nil {
			s.c.recordAlone(ctx, "network.unplumb", store.KindNetwork, id, EventFailed, fmt.Sprintf("host %s: %v", h.Name, err))
		}
	}
	return remove[Network](ctx, s.c, store.KindNetwork, "network.delete", id, func(tx store.Tx, n *Network) error {
		nics, err := tx.ListNICs(ctx, "", id)
		if err != nil {
			return err
		}
		if len(nics) > 0 {
			return fmt.Errorf("network %s got a NIC while being deleted: %w", n.Name, ErrConflict)
		}
		return nil
	})
}
