package kvm

import "github.com/cloudcore/terraform-provider-cloudcore/hypervisors"

// The steps of CreateVM and AttachNIC a test can break them after.
const (
	StepConfigDrive  = stepConfigDrive
	StepReservations = stepReservations
	StepDefined      = stepDefined
	StepNICReserved  = stepNICReserved
)

// SetStepHook makes fn run after each step of CreateVM and AttachNIC on h
// (a host of this driver); its error fails the call. nil removes the hook.
func SetStepHook(h hypervisors.Host, fn func(step string) error) {
	h.(*host).stepHook = fn
}

// DomainType returns the domain type h's VMs run as.
func DomainType(h hypervisors.Host) string { return h.(*host).platform.domainType }

// MarkBroken makes h take its connection for broken, as after a call that
// found libvirtd gone, and returns a function that reports whether h has
// reopened it since.
func MarkBroken(h hypervisors.Host) (reopened func() bool) {
	s := h.(*host).s
	s.mu.RLock()
	old := s.conn
	s.mu.RUnlock()
	s.broken.Store(true)
	return func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.conn != old && !s.broken.Load()
	}
}
