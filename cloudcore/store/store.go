// Package store persists cloudcore's state in SQLite (the embedded default) or
// PostgreSQL (shared by several management servers and pipelines), with one
// schema and embedded, versioned migrations applied on Open.
//
// The store knows rows, not business rules: the engine decides what to write
// and composes its writes inside one transaction (Store.Update). Correctness
// under concurrency comes from the database itself: compare-and-swap on
// object versions, unique constraints for names, IP addresses and MACs, and
// conditional updates for capacity, so that two processes on one store can
// never both win a race.
package store

import (
	"context"
	"net/netip"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Errors of the store. They are the same values the drivers and the engine
// use, so that errors.Is works across layers; the store wraps them with detail.
var (
	ErrNotFound   = hypervisors.ErrNotFound
	ErrConflict   = hypervisors.ErrConflict
	ErrNoCapacity = hypervisors.ErrNoCapacity
)

// ConflictError is returned (wrapping ErrConflict) when a unique constraint
// or a version check fails. Constraint names what collided: "name", "ip",
// "mac", "version", "id".
type ConflictError struct {
	Constraint string
	Detail     string
}

func (e *ConflictError) Error() string { return "conflict on " + e.Constraint + ": " + e.Detail }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Kind names a kind of object.
type Kind string

const (
	KindZone          Kind = "zone"
	KindPod           Kind = "pod"
	KindCluster       Kind = "cluster"
	KindHost          Kind = "host"
	KindStoragePool   Kind = "storage_pool"
	KindTemplate      Kind = "template"
	KindNetwork       Kind = "network"
	KindInstance      Kind = "instance"
	KindAffinityGroup Kind = "affinity_group"
	KindSnapshot      Kind = "snapshot"
)

// Object is one stored object: a few indexed columns and the engine's JSON
// document of the object.
type Object struct {
	Kind Kind
	ID   string // UUID, unique per kind
	Name string
	// Scope makes names unique per (Kind, Scope): "" for global names, or the
	// ID of the parent the name must be unique in.
	Scope    string
	ZoneID   string
	ParentID string // pod: zone; cluster: pod; host: cluster; instance: host (may be ""); snapshot: instance
	State    string
	// Version is 1 after Insert; Update and Delete require the current value
	// (compare-and-swap) and Update increments it.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Data      []byte // JSON
}

// Filter selects objects of one kind; empty fields match everything.
type Filter struct {
	ZoneID   string
	ParentID string
	State    string
	Name     string
	// After returns only objects created after the object with this ID
	// (keyset paging); Limit caps the result (0: no cap).
	After string
	Limit int
}

// HostCapacity is the allocatable capacity of one host, kept in its own table
// so placement can query and reserve it without touching the host document.
// Totals already include the cluster's over-provisioning factors.
type HostCapacity struct {
	HostID     string
	ZoneID     string
	PodID      string
	ClusterID  string
	Hypervisor string
	// Allocatable is false for a host that is not Up or is in maintenance:
	// it takes no new instances.
	Allocatable bool
	CPUTotal    int64 // milli-CPUs
	CPUUsed     int64
	MemTotal    int64 // MiB
	MemUsed     int64
}

// Strategy orders candidate hosts.
type Strategy string

const (
	FirstFit      Strategy = "first_fit"      // the host added first that fits
	LeastConsumed Strategy = "least_consumed" // the host with the most free memory
)

// HostQuery selects hosts that can take CPU milli-CPUs and Mem MiB.
type HostQuery struct {
	ZoneID       string
	ClusterIDs   []string // only these clusters (nil: any cluster of the zone)
	ExcludeHosts []string
	CPU          int64
	Mem          int64
	Strategy     Strategy
	Limit        int
}

// PoolCapacity is the capacity of one primary storage pool.
type PoolCapacity struct {
	PoolID    string
	ZoneID    string
	ClusterID string // "" for a zone-wide pool
	Total     int64  // bytes, with over-provisioning
	Used      int64
	Enabled   bool
}

// NIC is one allocated address: unique per network by IP and per zone by
// MAC. IP is the zero Addr for a NIC on an L2 network.
type NIC struct {
	ID         string
	InstanceID string
	NetworkID  string
	ZoneID     string
	Index      int // device index on the instance
	IP         netip.Addr
	MAC        string
}

// JournalEntry records a side effect on a hypervisor before it happens.
type JournalEntry struct {
	ID         string
	Op         string // e.g. "instance.deploy"
	ObjectKind Kind
	ObjectID   string
	HostID     string
	Intent     []byte // JSON: what the operation will do, for recovery
	State      string // "pending" until completed or rolled back
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Event records a state change: who did what to which object, and the result.
type Event struct {
	ID         string
	Time       time.Time
	Actor      string
	Action     string // e.g. "instance.start"
	ObjectKind Kind
	ObjectID   string
	Result     string // "ok", "error", "started", ...
	Detail     string
}

// EventFilter selects events, newest last.
type EventFilter struct {
	ObjectID string
	Action   string
	Since    time.Time
	Limit    int
}

// Store is a database with cloudcore's schema.
type Store interface {
	// Update runs fn in a read-write transaction and commits when fn returns
	// nil. When the database reports a transient failure (SQLite busy,
	// PostgreSQL serialization failure or deadlock) the whole transaction is
	// retried, so fn must have no effect outside tx.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Close() error
}

// Tx is one transaction. Methods fail with ErrNotFound, ErrConflict (as
// *ConflictError) or ErrNoCapacity where documented.
type Tx interface {
	Get(ctx context.Context, kind Kind, id string) (Object, error)
	// GetByName finds an object by (kind, scope, name).
	GetByName(ctx context.Context, kind Kind, scope, name string) (Object, error)
	// List returns matching objects in creation order.
	List(ctx context.Context, kind Kind, f Filter) ([]Object, error)
	Count(ctx context.Context, kind Kind, f Filter) (int, error)
	// Insert stores a new object with Version 1 and both timestamps set to
	// now, and writes them back into o. Conflict "id" or "name".
	Insert(ctx context.Context, o *Object) error
	// Update replaces the object when o.Version matches the stored version,
	// then sets o.Version to the new version and o.UpdatedAt. Conflict
	// "version" on a mismatch, "name" on a name clash, ErrNotFound when gone.
	Update(ctx context.Context, o *Object) error
	// Delete removes the object when version matches (0: any version).
	Delete(ctx context.Context, kind Kind, id string, version int64) error

	// PutHostCapacity creates or updates a host's totals and allocatable
	// flag, keeping its used amounts.
	PutHostCapacity(ctx context.Context, c HostCapacity) error
	GetHostCapacity(ctx context.Context, hostID string) (HostCapacity, error)
	DeleteHostCapacity(ctx context.Context, hostID string) error
	// CandidateHosts returns allocatable hosts with room for the query, in
	// the strategy's order, at most q.Limit of them. Its cost must not grow
	// with the number of full hosts (indexes, not scans).
	CandidateHosts(ctx context.Context, q HostQuery) ([]HostCapacity, error)
	// ReserveHost adds cpu and mem to the host's used amounts only if they
	// fit its totals and it is allocatable (one conditional UPDATE), else
	// ErrNoCapacity. Negative amounts release and always succeed (never
	// below zero).
	ReserveHost(ctx context.Context, hostID string, cpu, mem int64) error

	PutPoolCapacity(ctx context.Context, c PoolCapacity) error
	GetPoolCapacity(ctx context.Context, poolID string) (PoolCapacity, error)
	DeletePoolCapacity(ctx context.Context, poolID string) error
	// ListPoolCapacity lists the zone's pools (zone-wide and of any cluster).
	ListPoolCapacity(ctx context.Context, zoneID string) ([]PoolCapacity, error)
	// ReservePool works as ReserveHost for bytes on a pool.
	ReservePool(ctx context.Context, poolID string, bytes int64) error

	// InsertNIC stores an allocation. Conflict "ip" when the network has the
	// IP already, "mac" when the zone has the MAC already.
	InsertNIC(ctx context.Context, n NIC) error
	// ListNICs returns NICs of an instance (instanceID set) or of a network.
	ListNICs(ctx context.Context, instanceID, networkID string) ([]NIC, error)
	// MaxIP returns the highest allocated IP of the network (ok false: none).
	MaxIP(ctx context.Context, networkID string) (ip netip.Addr, ok bool, err error)
	DeleteNICs(ctx context.Context, instanceID string) error

	// AddAffinityMember puts an instance in a group (idempotent).
	AddAffinityMember(ctx context.Context, groupID, instanceID string) error
	// RemoveAffinityMember takes an instance out of all its groups.
	RemoveAffinityMember(ctx context.Context, instanceID string) error
	// AffinityGroupsOf lists the groups an instance is in.
	AffinityGroupsOf(ctx context.Context, instanceID string) ([]string, error)
	// AffinityMembers lists a group's instance IDs.
	AffinityMembers(ctx context.Context, groupID string) ([]string, error)
	// AffinityHosts lists the distinct hosts (instance ParentID) that the
	// members of the groups run on, except the instance exceptID.
	AffinityHosts(ctx context.Context, groupIDs []string, exceptID string) ([]string, error)

	InsertJournal(ctx context.Context, e JournalEntry) error
	// UpdateJournal changes the state and intent of an entry.
	UpdateJournal(ctx context.Context, id, state string, intent []byte) error
	DeleteJournal(ctx context.Context, id string) error
	// ListJournal lists entries in a state ("" for all), oldest first.
	ListJournal(ctx context.Context, state string) ([]JournalEntry, error)

	InsertEvent(ctx context.Context, e Event) error
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
}
