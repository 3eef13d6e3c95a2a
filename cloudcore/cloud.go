// Package cloudcore is the engine of the cloudcore control plane: zones,
// pods, clusters and hosts of several hypervisors, primary storage,
// templates, guest networks with IPAM, instances with placement, snapshots,
// events, and the journal that makes every hypervisor side effect
// recoverable after a crash.
//
// Open a cloud, then use its services:
//
//	c, err := cloudcore.Open(ctx, cloudcore.Config{Database: "cloud.db"})
//	zone, err := c.Zones.Create(ctx, cloudcore.ZoneSpec{Name: "zone1"})
//
// Drivers are linked in by importing them, usually all at once with
// `import _ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"`.
//
// Every method is safe for concurrent use, also by several processes on one
// store. Errors wrap ErrNotFound, ErrConflict, ErrInvalid, ErrNoCapacity,
// ErrUnreachable or ErrNotSupported; input errors are *FieldError naming the
// field.
package cloudcore

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/secrets"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Config opens a cloud.
type Config struct {
	// Database is a PostgreSQL URL (postgres://...) or an SQLite file path
	// (default "cloudcore.db" in the working directory).
	Database string
	// SecretKey encrypts host credentials at rest (32 bytes, base64 or hex).
	// Empty with SQLite: a key file "<database>.key" beside the database is
	// created (0600) or read. Required with PostgreSQL.
	SecretKey string
	// StateDir is where drivers that keep local state (the simulator) keep
	// it. Default: "<database>.state" beside an SQLite file; with
	// PostgreSQL, the env CLOUDCORE_STATE_DIR or the user's cache directory.
	StateDir string
	// Actor names who acts in recorded events (default: the OS user).
	Actor string
	// Allocator orders hosts for placement: "least_consumed" (default: the
	// host with the most free memory) or "first_fit" (the oldest host that
	// fits).
	Allocator string
	// SkipRecovery leaves interrupted operations for a later Recover call
	// instead of finishing them in Open.
	SkipRecovery bool
	// Logger receives structured logs (default: discard).
	Logger *slog.Logger
}

// Cloud is an open cloud. Its services are safe for concurrent use.
type Cloud struct {
	store    store.Store
	key      secrets.Key
	stateDir string
	actor    string
	strategy store.Strategy
	log      *slog.Logger

	Zones          *ZoneService
	Pods           *PodService
	Clusters       *ClusterService
	Hosts          *HostService
	StoragePools   *StoragePoolService
	Templates      *TemplateService
	Networks       *NetworkService
	Instances      *InstanceService
	AffinityGroups *AffinityGroupService
	Snapshots      *SnapshotService
	Events         *EventService

	session *session

	connMu sync.Mutex
	conns  map[string]*hostConn
}

// Open opens (creating and migrating as needed) the store, loads the secret
// key and, unless cfg.SkipRecovery, finishes or rolls back operations that a
// crashed process left behind.
func Open(ctx context.Context, cfg Config) (*Cloud, error) {
	if cfg.Database == "" {
		cfg.Database = "cloudcore.db"
	}
	postgres := strings.HasPrefix(cfg.Database, "postgres://") || strings.HasPrefix(cfg.Database, "postgresql://")
	key, err := loadKey(cfg, postgres)
	if err != nil {
		return nil, err
	}
	stateDir, err := resolveStateDir(cfg, postgres)
	if err != nil {
		return nil, err
	}
	strategy, err := parseAllocator(cfg.Allocator)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	c := &Cloud{
		store:    st,
		key:      key,
		stateDir: stateDir,
		actor:    cfg.Actor,
		strategy: strategy,
		log:      cfg.Logger,
		conns:    map[string]*hostConn{},
	}
	if c.actor == "" {
		c.actor = defaultActor()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.Zones = &ZoneService{c}
	c.Pods = &PodService{c}
	c.Clusters = &ClusterService{c}
	c.Hosts = &HostService{c}
	c.StoragePools = &StoragePoolService{c}
	c.Templates = &TemplateService{c}
	c.Networks = &NetworkService{c}
	c.Instances = &InstanceService{c}
	c.AffinityGroups = &AffinityGroupService{c}
	c.Snapshots = &SnapshotService{c}
	c.Events = &EventService{c}
	if err := c.startSession(ctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("registering with the store: %w", err)
	}
	if !cfg.SkipRecovery {
		if _, err := c.RecoverInterrupted(ctx); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("recovering interrupted operations: %w", err)
		}
	}
	return c, nil
}

// Close closes the host connections and the store.
func (c *Cloud) Close() error {
	c.endSession()
	c.connMu.Lock()
	for id, hc := range c.conns {
		_ = hc.host.Close()
		delete(c.conns, id)
	}
	c.connMu.Unlock()
	return c.store.Close()
}

// Store returns the underlying store (for the management server, which
// shares it).
func (c *Cloud) Store() store.Store { return c.store }

func loadKey(cfg Config, postgres bool) (secrets.Key, error) {
	if cfg.SecretKey != "" {
		k, err := secrets.ParseKey(cfg.SecretKey)
		if err != nil {
			return k, &FieldError{Field: "secret_key", Reason: err.Error(), Err: ErrInvalid}
		}
		return k, nil
	}
	if postgres {
		return secrets.Key{}, invalid("secret_key", "a PostgreSQL store is shared, so its secret key must be given (32 bytes, base64 or hex; e.g. from `openssl rand -base64 32`)")
	}
	return secrets.LoadOrCreateKeyFile(sqlitePath(cfg.Database) + ".key")
}

func resolveStateDir(cfg Config, postgres bool) (string, error) {
	dir := cfg.StateDir
	switch {
	case dir != "":
	case !postgres:
		dir = sqlitePath(cfg.Database) + ".state"
	case os.Getenv("CLOUDCORE_STATE_DIR") != "":
		dir = os.Getenv("CLOUDCORE_STATE_DIR")
	default:
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", invalid("state_dir", "no state directory given and no user cache directory: %v", err)
		}
		dir = filepath.Join(cache, "cloudcore", "state")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", invalid("state_dir", "cannot create %s: %v", dir, err)
	}
	return dir, nil
}

// sqlitePath strips the DSN prefixes the store accepts for SQLite.
func sqlitePath(dsn string) string {
	for _, p := range []string{"sqlite://", "file:"} {
		dsn = strings.TrimPrefix(dsn, p)
	}
	if i := strings.IndexByte(dsn, '?'); i >= 0 {
		dsn = dsn[:i]
	}
	return dsn
}

func parseAllocator(s string) (store.Strategy, error) {
	switch s {
	case "", string(store.LeastConsumed):
		return store.LeastConsumed, nil
	case string(store.FirstFit):
		return store.FirstFit, nil
	}
	return "", invalid("allocator", "unknown allocator %q; use first_fit or least_consumed", s)
}

func defaultActor() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cloudcore"
}

func newID() string { return uuid.NewString() }

func now() time.Time { return time.Now().UTC() }

// randReader is the entropy source for MACs; a variable so tests can script it.
var randReader = rand.Reader
