package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Event actions of the HA monitor, in the order a failing host and its
// instances go through them.
const (
	EventHASuspect       = "ha.suspect"       // host: silent beyond the ping timeout
	EventHAInvestigating = "ha.investigating" // host: peers asked whether it runs
	EventHAFencing       = "ha.fencing"       // host: being powered off
	EventHAFenced        = "ha.fenced"        // host: powered off, marked Down
	EventHARestarting    = "ha.restarting"    // instance: to be started again
	EventHARestarted     = "ha.restarted"     // instance: running again
	EventHAFailed        = "ha.failed"        // instance: will not be restarted
	EventHAStopped       = "ha.stopped"       // instance: not HA, stays stopped
	EventHAAlert         = "ha.alert"         // host: needs an operator
	EventHARecovered     = "ha.recovered"     // host: answers again
)

// pingDeadline bounds one health check, whatever the ping interval.
const pingDeadline = 30 * time.Second

// restartWorkers is how many instances the monitor restarts at once.
const restartWorkers = 8

// HAReport counts what one pass of the HA monitor did.
type HAReport struct {
	Checked     int // hosts health-checked
	Suspect     int // hosts that became Suspect
	Held        int // silent hosts not fenced because of the mass-failure guard
	Degraded    int // silent hosts a peer sees running: not fenced
	FenceFailed int // hosts whose fencing failed
	Fenced      int // hosts fenced
	Stopped     int // instances of fenced hosts left stopped (not HA)
	Restarted   int // HA instances running again
	Failed      int // HA restarts that failed (retried later, or given up)
}

// Add adds o's counts to r.
func (r *HAReport) Add(o HAReport) {
	r.Checked += o.Checked
	r.Suspect += o.Suspect
	r.Held += o.Held
	r.Degraded += o.Degraded
	r.FenceFailed += o.FenceFailed
	r.Fenced += o.Fenced
	r.Stopped += o.Stopped
	r.Restarted += o.Restarted
	r.Failed += o.Failed
}

// HAMonitor watches the hosts of a cloud and keeps its HA instances
// running, as CloudStack's HA manager does:
//
//  1. Every host is health-checked (connect and ping) once per ping
//     interval of its cluster. A host that answers is Up and Available.
//  2. A host silent for longer than the ping timeout becomes Suspect and is
//     investigated: up to investigation_attempts peers of its cluster that
//     can (hypervisors.Investigator) are asked whether it runs. A host a
//     peer sees running is Degraded: not fenced, its instances stay, and an
//     alert is raised.
//  3. Otherwise it is fenced (powered off through its BMC, or through its
//     driver) and marked Down. When fencing fails, its instances stay where
//     they are and an alert says why: no HA instance is started elsewhere
//     while it may still run on its old host.
//  4. When more than max_fence_fraction of a cluster's hosts are silent at
//     once, none is fenced and an alert is raised: that many failures at
//     once is more likely a partition of the management network.
//  5. The HA instances of a fenced host are started on other hosts of the
//     cluster through normal placement, keeping their root volumes on
//     shared storage, up to restart_retries times (one try per ping
//     interval) before they are put in Error. Its other instances stay
//     stopped on it. An HA instance whose VM stops without cloudcore
//     asking is started again on its host.
//
// Every step is an event (EventHA*). Run one monitor per store: the
// management server runs it under a leader lease.
type HAMonitor struct {
	c *Cloud

	mu      sync.Mutex
	checked map[string]time.Time // host ID → last health check
	tried   map[string]time.Time // instance ID → last restart attempt
	total   HAReport
}

// NewHAMonitor returns a monitor of c's hosts.
func NewHAMonitor(c *Cloud) *HAMonitor {
	return &HAMonitor{c: c, checked: map[string]time.Time{}, tried: map[string]time.Time{}}
}

// Totals returns the sums of every pass's report so far.
func (m *HAMonitor) Totals() HAReport {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// Run runs Check every tick until ctx ends; errors of a pass are logged
// and the next pass tries again. It returns ctx's error.
func (m *HAMonitor) Run(ctx context.Context, tick time.Duration) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := m.Check(ctx); err != nil && ctx.Err() == nil {
			m.c.log.Error("HA pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Check runs one pass: it health-checks the hosts whose ping interval has
// passed, settles silent hosts (investigate, guard, fence) and restarts the
// HA instances that are owed a restart.
func (m *HAMonitor) Check(ctx context.Context) (HAReport, error) {
	var r HAReport
	hosts, err := m.c.Hosts.List(ctx, HostFilter{})
	if err != nil {
		return r, err
	}
	var clusters []string
	byCluster := map[string][]*Host{}
	for _, h := range hosts {
		if byCluster[h.ClusterID] == nil {
			clusters = append(clusters, h.ClusterID)
		}
		byCluster[h.ClusterID] = append(byCluster[h.ClusterID], h)
	}
	settings := map[string]HASettings{}
	var errs []error
	for _, id := range clusters {
		s, err := m.c.Clusters.HASettings(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		settings[id] = s
		if err := m.checkCluster(ctx, s, byCluster[id], &r); err != nil {
			errs = append(errs, fmt.Errorf("cluster %s: %w", id, err))
		}
	}
	if err := m.restartPending(ctx, settings, &r); err != nil {
		errs = append(errs, err)
	}
	m.mu.Lock()
	m.total.Add(r)
	m.mu.Unlock()
	return r, errors.Join(errs...)
}

// due reports whether host id's next health check is due, and if so
// records it as checked now.
func (m *HAMonitor) due(id string, at time.Time, interval time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if last, ok := m.checked[id]; ok && at.Sub(last) < interval {
		return false
	}
	m.checked[id] = at
	return true
}

// checkCluster runs one pass over the hosts of one cluster.
func (m *HAMonitor) checkCluster(ctx context.Context, s HASettings, hosts []*Host, r *HAReport) error {
	var (
		answering, silent []*Host
		answered          []*Host // in this pass
		watched           int
		errs              []error
	)
	for _, h := range hosts {
		if h.Maintenance {
			continue
		}
		watched++
		if !m.due(h.ID, now(), s.PingInterval) {
			if h.State == HostUp {
				answering = append(answering, h)
			} else if now().Sub(h.LastSeen) >= s.PingTimeout {
				silent = append(silent, h)
			}
			continue
		}
		r.Checked++
		pingErr := m.ping(ctx, h)
		if err := m.recordPing(ctx, h, pingErr); err != nil {
			errs = append(errs, err)
			continue
		}
		switch {
		case pingErr == nil:
			answering, answered = append(answering, h), append(answered, h)
		case now().Sub(h.LastSeen) >= s.PingTimeout:
			silent = append(silent, h)
		}
	}
	var unfenced []*Host
	for _, h := range silent {
		if h.HAState != HAFenced {
			unfenced = append(unfenced, h)
		}
	}
	if len(unfenced) > 0 && float64(len(silent)) > s.MaxFenceFraction*float64(watched) {
		detail := fmt.Sprintf("%d of the cluster's %d hosts do not answer, more than max_fence_fraction %.2f allows: none is fenced, since so many at once is more likely a partition of the management network; check it, or fence the hosts by hand",
			len(silent), watched, s.MaxFenceFraction)
		for _, h := range unfenced {
			if err := m.setHostHA(ctx, h, HASuspect, detail, EventHAAlert, EventFailed); err != nil {
				errs = append(errs, err)
			}
		}
		r.Held += len(unfenced)
	} else {
		for _, h := range unfenced {
			if err := m.settleSilent(ctx, s, h, answering, r); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, h := range silent {
		if h.HAState == HAFenced {
			if err := m.evacuate(ctx, h, r); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, h := range answered {
		if err := m.watchInstances(ctx, h); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ping connects to h and pings it, within pingDeadline. A failed check
// drops the cached connection, so the next one connects afresh.
func (m *HAMonitor) ping(ctx context.Context, h *Host) error {
	ctx, cancel := context.WithTimeout(ctx, pingDeadline)
	defer cancel()
	conn, err := m.c.connect(ctx, h)
	if err == nil {
		err = conn.Ping(ctx)
	}
	if err != nil {
		m.c.dropConn(h.ID)
	}
	return err
}

// recordPing records a health check of h: a host that answered is Up and
// Available, seen now (and a host that was fenced has the VMs that moved
// away swept off it); an Up host that did not answer is Disconnected, so
// that placement avoids it. h is updated to what was stored.
func (m *HAMonitor) recordPing(ctx context.Context, h *Host, pingErr error) error {
	before := h.HAState
	var event string
	err := m.c.update(ctx, func(tx store.Tx) error {
		cur, err := getObj[Host](ctx, tx, store.KindHost, "", h.ID)
		if err != nil {
			return err
		}
		was := cur.State
		switch {
		case pingErr == nil:
			cur.State, cur.HAState, cur.HADetail, cur.LastSeen = hostStateWith(HostUp, cur.Maintenance), HAAvailable, "", now()
			if before != HAAvailable && before != "" {
				event = fmt.Sprintf("host %s answers again (it was %s)", cur.Name, before)
			}
		case cur.State == HostUp:
			cur.State = HostDisconnected
		default:
			*h = *cur
			return nil
		}
		if err := updateObj(ctx, tx, cur); err != nil {
			return err
		}
		*h = *cur
		if event != "" {
			if err := m.c.record(ctx, tx, EventHARecovered, store.KindHost, h.ID, EventOK, event); err != nil {
				return err
			}
		}
		if cur.State == was {
			return nil // allocatable as before
		}
		return m.c.putCapacity(ctx, tx, cur)
	})
	if err != nil || before != HAFenced || pingErr != nil {
		return err
	}
	_, err = m.c.sweepHost(ctx, h)
	return err
}

// setHostHA moves h to HA state st with detail, recording action with
// result; nothing is written when h is in st with that detail already.
// Silent hosts are Disconnected, fenced ones Down.
func (m *HAMonitor) setHostHA(ctx context.Context, h *Host, st HAState, detail, action, result string) error {
	if h.HAState == st && h.HADetail == detail {
		return nil
	}
	return m.c.update(ctx, func(tx store.Tx) error {
		cur, err := getObj[Host](ctx, tx, store.KindHost, "", h.ID)
		if err != nil {
			return err
		}
		cur.HAState, cur.HADetail = st, detail
		cur.State = HostDisconnected
		if st == HAFenced {
			cur.State = HostDown
		}
		cur.State = hostStateWith(cur.State, cur.Maintenance)
		if err := updateObj(ctx, tx, cur); err != nil {
			return err
		}
		*h = *cur
		if err := m.c.putCapacity(ctx, tx, cur); err != nil {
			return err
		}
		return m.c.record(ctx, tx, action, store.KindHost, h.ID, result, detail)
	})
}

// settleSilent takes a host silent beyond its ping timeout through
// Suspect, investigation and fencing.
func (m *HAMonitor) settleSilent(ctx context.Context, s HASettings, h *Host, answering []*Host, r *HAReport) error {
	if h.HAState != HASuspect && h.HAState != HADegraded && h.HAState != HAFenceFailed {
		detail := fmt.Sprintf("no answer since %s (ping timeout %s)", h.LastSeen.Format(time.RFC3339), s.PingTimeout)
		if err := m.setHostHA(ctx, h, HASuspect, detail, EventHASuspect, EventOK); err != nil {
			return err
		}
		r.Suspect++
	}
	live, peer, verdicts := m.investigate(ctx, s, h, answering)
	if live == hypervisors.LivenessAlive {
		r.Degraded++
		detail := fmt.Sprintf("does not answer, but its peer %s sees it running: it is not fenced and its instances stay where they are; check the host's management network", peer)
		if h.HAState != HADegraded {
			m.c.recordAlone(ctx, EventHAInvestigating, store.KindHost, h.ID, EventOK, verdicts)
		}
		return m.setHostHA(ctx, h, HADegraded, detail, EventHAAlert, EventFailed)
	}
	m.c.recordAlone(ctx, EventHAInvestigating, store.KindHost, h.ID, EventOK, verdicts)
	m.c.recordAlone(ctx, EventHAFencing, store.KindHost, h.ID, EventStarted, "")
	fctx, cancel := context.WithTimeout(ctx, s.FenceTimeout)
	err := m.c.fenceHost(fctx, h)
	cancel()
	if err != nil {
		r.FenceFailed++
		detail := fmt.Sprintf("fencing failed, so its instances stay where they are (they may still run) until it is fenced or answers again: %v", err)
		return m.setHostHA(ctx, h, HAFenceFailed, detail, EventHAAlert, EventFailed)
	}
	r.Fenced++
	return m.setHostHA(ctx, h, HAFenced, "powered off; its HA instances are restarted on other hosts of the cluster", EventHAFenced, EventOK)
}

// investigate asks up to s.InvestigationAttempts answering peers that can
// investigate whether h runs. It returns the first definite answer and the
// peer that gave it (LivenessUnknown when none could tell), and a summary
// of every answer for the event.
func (m *HAMonitor) investigate(ctx context.Context, s HASettings, h *Host, answering []*Host) (hypervisors.Liveness, string, string) {
	_, cfg, err := m.c.driverOf(h)
	if err != nil {
		return hypervisors.LivenessUnknown, "", err.Error()
	}
	summary := ""
	asked := 0
	for _, p := range answering {
		if asked == s.InvestigationAttempts {
			break
		}
		conn, err := m.c.connect(ctx, p)
		if err != nil {
			continue
		}
		inv, ok := conn.(hypervisors.Investigator)
		if !ok {
			continue
		}
		asked++
		live, err := inv.InvestigatePeer(ctx, cfg)
		if err != nil {
			summary += fmt.Sprintf("%s could not tell: %v; ", p.Name, err)
			continue
		}
		summary += fmt.Sprintf("%s sees it %s; ", p.Name, live)
		if live != hypervisors.LivenessUnknown {
			return live, p.Name, summary
		}
	}
	if asked == 0 {
		summary = "no peer of the cluster can investigate it; "
	}
	return hypervisors.LivenessUnknown, "", summary + "no peer sees it running"
}

// evacuate takes the instances off fenced host h: HA ones give the host up
// and are owed a restart elsewhere (unless their root volume is on storage
// only h reached), the others stay stopped on h.
func (m *HAMonitor) evacuate(ctx context.Context, h *Host, r *HAReport) error {
	insts, err := m.c.Instances.List(ctx, InstanceFilter{HostID: h.ID})
	if err != nil {
		return err
	}
	var errs []error
	for _, inst := range insts {
		if inst.State == Stopped || inst.State == Error || inst.State == Destroyed || inst.Task != "" {
			continue
		}
		err := m.c.update(ctx, func(tx store.Tx) error {
			cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
			if err != nil || cur.HostID != h.ID || cur.Task != "" {
				return err
			}
			action, result := EventHAStopped, EventOK
			detail := fmt.Sprintf("host %s was fenced; the instance is not HA-enabled and stays stopped on it", h.Name)
			cur.State = Stopped
			if cur.HAEnabled {
				pool, err := getObj[StoragePool](ctx, tx, store.KindStoragePool, "", cur.PoolID)
				if err != nil {
					return err
				}
				if pool.hostLocal(h.Hypervisor) {
					action, result = EventHAFailed, EventFailed
					detail = fmt.Sprintf("host %s was fenced, but the root volume is on storage pool %s (%s), which only that host reaches: local storage is not HA-capable, so the instance stays stopped on the host until it returns", h.Name, pool.Name, pool.URL)
				} else {
					if err := releaseHost(ctx, tx, cur); err != nil {
						return err
					}
					cur.HAPending, cur.HAAttempts = true, 0
					action, result = EventHARestarting, EventStarted
					detail = fmt.Sprintf("host %s was fenced; restarting the instance on another host of the cluster", h.Name)
				}
			}
			if action == EventHAStopped || action == EventHAFailed {
				r.Stopped++
			}
			if err := updateObj(ctx, tx, cur); err != nil {
				return err
			}
			return m.c.record(ctx, tx, action, store.KindInstance, cur.ID, result, detail)
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// watchInstances finds the HA instances on answering host h whose VMs
// stopped without cloudcore asking, and marks them owed a restart there.
func (m *HAMonitor) watchInstances(ctx context.Context, h *Host) error {
	insts, err := m.c.Instances.List(ctx, InstanceFilter{HostID: h.ID, State: Running})
	if err != nil {
		return err
	}
	insts = slices.DeleteFunc(insts, func(i *Instance) bool { return !i.HAEnabled || i.Task != "" })
	if len(insts) == 0 {
		return nil
	}
	conn, err := m.c.connect(ctx, h)
	if err != nil {
		return err
	}
	vms, err := conn.ListVMs(ctx)
	if err != nil {
		return err
	}
	stopped := map[string]bool{}
	for _, vm := range vms {
		stopped[vm.ID] = vm.Power == hypervisors.PowerStopped
	}
	var errs []error
	for _, inst := range insts {
		if !stopped[inst.ID] {
			continue
		}
		err := m.c.update(ctx, func(tx store.Tx) error {
			cur, err := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
			if err != nil || cur.State != Running || cur.Task != "" || cur.HostID != h.ID {
				return err
			}
			cur.State, cur.HAPending, cur.HAAttempts = Stopped, true, 0
			if err := updateObj(ctx, tx, cur); err != nil {
				return err
			}
			return m.c.record(ctx, tx, EventHARestarting, store.KindInstance, cur.ID, EventStarted,
				fmt.Sprintf("the VM stopped without cloudcore asking (it crashed, or its guest halted); starting it again on host %s", h.Name))
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// restartPending restarts the instances owed a restart, restartWorkers at
// a time, each at most once per ping interval of its cluster.
func (m *HAMonitor) restartPending(ctx context.Context, settings map[string]HASettings, r *HAReport) error {
	insts, err := m.c.Instances.List(ctx, InstanceFilter{State: Stopped})
	if err != nil {
		return err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, restartWorkers)
	)
	for _, inst := range insts {
		s, known := settings[inst.ClusterID]
		if !inst.HAPending || inst.Task != "" || !known || !m.dueRestart(inst.ID, s.PingInterval) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			restarted, err := m.restart(ctx, s, inst)
			mu.Lock()
			defer mu.Unlock()
			if restarted {
				r.Restarted++
			} else {
				r.Failed++
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// dueRestart reports whether instance id may be tried now, and if so
// records the try.
func (m *HAMonitor) dueRestart(id string, interval time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if last, ok := m.tried[id]; ok && time.Since(last) < interval {
		return false
	}
	m.tried[id] = time.Now()
	return true
}

// restart starts inst: on its host when it still has one, else on another
// host of its cluster (Start places an instance without a host). A failure counts against s.RestartRetries; the last
// one puts the instance in Error. The error returned is the store's, not
// the restart's (that one is in the events).
func (m *HAMonitor) restart(ctx context.Context, s HASettings, inst *Instance) (bool, error) {
	_, err := m.c.Instances.Start(ctx, inst.ID)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return err == nil, m.c.update(ctx, func(tx store.Tx) error {
		cur, gerr := getObj[Instance](ctx, tx, store.KindInstance, "", inst.ID)
		if gerr != nil {
			return gerr
		}
		if err == nil {
			cur.HAPending, cur.HAAttempts = false, 0
			if uerr := updateObj(ctx, tx, cur); uerr != nil {
				return uerr
			}
			return m.c.record(ctx, tx, EventHARestarted, store.KindInstance, cur.ID, EventOK, "running on host "+m.hostName(ctx, tx, cur.HostID))
		}
		if !cur.HAPending {
			return nil // someone else settled it meanwhile
		}
		cur.HAAttempts++
		action, result := EventHARestarting, EventFailed
		detail := fmt.Sprintf("attempt %d of %d failed, trying again in %s: %v", cur.HAAttempts, s.RestartRetries, s.PingInterval, err)
		if cur.HAAttempts >= s.RestartRetries {
			cur.HAPending, cur.LastError = false, fmt.Sprintf("HA gave up after %d restart attempts: %v", cur.HAAttempts, err)
			if terr := transition(cur, Error); terr != nil {
				return terr
			}
			action, detail = EventHAFailed, cur.LastError
		}
		if uerr := updateObj(ctx, tx, cur); uerr != nil {
			return uerr
		}
		return m.c.record(ctx, tx, action, store.KindInstance, cur.ID, result, detail)
	})
}

// hostName names host id for events, falling back to its ID.
func (m *HAMonitor) hostName(ctx context.Context, tx store.Tx, id string) string {
	if h, err := getObj[Host](ctx, tx, store.KindHost, "", id); err == nil {
		return h.Name
	}
	return id
}

// hostLocal reports whether the pool is storage of one host only (a local
// directory of a KVM host), which no other host can restart an instance
// from. Simulator pools, NFS, datastores and SRs are shared.
func (p *StoragePool) hostLocal(hypervisor string) bool {
	u, err := url.Parse(p.URL)
	return err == nil && hypervisor == "kvm" && u.Scheme == "file"
}
