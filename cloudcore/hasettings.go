package cloudcore

import (
	"cmp"
	"context"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// HASettings tune the HA monitor for a zone or a cluster. A zero field
// inherits: a cluster's from its zone, a zone's from DefaultHASettings.
type HASettings struct {
	// PingInterval is how often the monitor checks each host.
	PingInterval time.Duration `json:"ping_interval,omitempty"`
	// PingTimeout is how long a host may go unanswered before it becomes
	// Suspect (at least PingInterval).
	PingTimeout time.Duration `json:"ping_timeout,omitempty"`
	// InvestigationAttempts is how many peers of the cluster are asked
	// whether a Suspect host still runs before it is fenced.
	InvestigationAttempts int `json:"investigation_attempts,omitempty"`
	// FenceTimeout bounds one attempt to fence a host.
	FenceTimeout time.Duration `json:"fence_timeout,omitempty"`
	// RestartRetries is how many times an HA instance of a fenced host is
	// tried on other hosts before it is put in Error.
	RestartRetries int `json:"restart_retries,omitempty"`
	// MaxFenceFraction is the largest fraction of a cluster's hosts that
	// may look down at once for the monitor to fence any of them; beyond
	// it nothing is fenced and an alert is raised, since so many hosts
	// failing at once is more likely a partition of the management network.
	MaxFenceFraction float64 `json:"max_fence_fraction,omitempty"`
}

// DefaultHASettings are CloudStack's defaults: ping.interval 60 s, a host
// unanswered for 2.5 intervals is suspect, kvm.ha.fence.timeout 60 s, five
// restart attempts; at most half of a cluster is fenced at once.
var DefaultHASettings = HASettings{
	PingInterval:          60 * time.Second,
	PingTimeout:           150 * time.Second,
	InvestigationAttempts: 2,
	FenceTimeout:          60 * time.Second,
	RestartRetries:        5,
	MaxFenceFraction:      0.5,
}

// over returns s with its zero fields taken from base.
func (s HASettings) over(base HASettings) HASettings {
	return HASettings{
		PingInterval:          cmp.Or(s.PingInterval, base.PingInterval),
		PingTimeout:           cmp.Or(s.PingTimeout, base.PingTimeout),
		InvestigationAttempts: cmp.Or(s.InvestigationAttempts, base.InvestigationAttempts),
		FenceTimeout:          cmp.Or(s.FenceTimeout, base.FenceTimeout),
		RestartRetries:        cmp.Or(s.RestartRetries, base.RestartRetries),
		MaxFenceFraction:      cmp.Or(s.MaxFenceFraction, base.MaxFenceFraction),
	}
}

// Validate checks the fields that are set. Its errors are FieldErrors
// naming the field as "ha.<field>" (e.g. "ha.ping_timeout").
func (s HASettings) Validate() error {
	const prefix = "ha."
	for _, d := range []struct {
		field string
		v     time.Duration
		min   time.Duration
	}{
		{"ping_interval", s.PingInterval, 100 * time.Millisecond},
		{"ping_timeout", s.PingTimeout, 100 * time.Millisecond},
		{"fence_timeout", s.FenceTimeout, time.Second},
	} {
		if d.v != 0 && d.v < d.min {
			return invalid(prefix+d.field, "%v is too short; use at least %v, or leave it unset to inherit", d.v, d.min)
		}
	}
	switch {
	case s.PingInterval != 0 && s.PingTimeout != 0 && s.PingTimeout < s.PingInterval:
		return invalid(prefix+"ping_timeout", "%v is shorter than ping_interval %v: a host would be suspect before it was checked twice; use at least the interval", s.PingTimeout, s.PingInterval)
	case s.InvestigationAttempts < 0:
		return invalid(prefix+"investigation_attempts", "%d is negative; use 1 or more, or 0 to inherit", s.InvestigationAttempts)
	case s.RestartRetries < 0:
		return invalid(prefix+"restart_retries", "%d is negative; use 1 or more, or 0 to inherit", s.RestartRetries)
	case s.MaxFenceFraction < 0 || s.MaxFenceFraction > 1:
		return invalid(prefix+"max_fence_fraction", "%v is not a fraction; use a value above 0 and at most 1, or 0 to inherit", s.MaxFenceFraction)
	}
	return nil
}

// HASettings returns the settings the HA monitor applies to a cluster: the
// cluster's, then its zone's, then DefaultHASettings.
func (s *ClusterService) HASettings(ctx context.Context, clusterID string) (HASettings, error) {
	return view(ctx, s.c, func(tx store.Tx) (HASettings, error) {
		cl, err := getObj[Cluster](ctx, tx, store.KindCluster, "cluster_id", clusterID)
		if err != nil {
			return HASettings{}, err
		}
		z, err := getObj[Zone](ctx, tx, store.KindZone, "zone_id", cl.ZoneID)
		if err != nil {
			return HASettings{}, err
		}
		return effectiveHA(z, cl), nil
	})
}

func effectiveHA(z *Zone, cl *Cluster) HASettings {
	eff := cl.HA.over(z.HA.over(DefaultHASettings))
	// A timeout inherited from above may fall below an interval set here.
	eff.PingTimeout = max(eff.PingTimeout, eff.PingInterval)
	return eff
}
