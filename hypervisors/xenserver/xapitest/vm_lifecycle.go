package xapitest

import (
	"slices"
	"strings"
)

// VM operations, named as in VM_IS_TEMPLATE and VM_IS_SNAPSHOT.
const (
	opStart                = "start"
	opStartOn              = "start_on"
	opCleanShutdown        = "clean_shutdown"
	opHardShutdown         = "hard_shutdown"
	opShutdown             = "shutdown"
	opCleanReboot          = "clean_reboot"
	opHardReboot           = "hard_reboot"
	opPause                = "pause"
	opUnpause              = "unpause"
	opSuspend              = "suspend"
	opResume               = "resume"
	opResumeOn             = "resume_on"
	opDestroy              = "destroy"
	opClone                = "clone"
	opCopy                 = "copy"
	opSnapshot             = "snapshot"
	opCheckpoint           = "checkpoint"
	opRevert               = "revert"
	opProvision            = "provision"
	opMakeIntoTemplate     = "make_into_template"
	opChangingVCPUs        = "changing_VCPUs"
	opChangingMemoryLimits = "changing_memory_limits"
	opChangingStaticRange  = "changing_static_range"
)

// allowedStates are the power states in which each operation may run, in
// the order VM_BAD_POWER_STATE lists them.
var allowedStates = map[string][]string{
	opStart: {halted}, opStartOn: {halted}, opProvision: {halted}, opMakeIntoTemplate: {halted},
	opChangingVCPUs: {halted}, opChangingMemoryLimits: {halted}, opChangingStaticRange: {halted},
	opUnpause: {paused}, opResume: {suspended}, opResumeOn: {suspended},
	opCleanReboot: {running}, opCleanShutdown: {running}, opPause: {running}, opSuspend: {running},
	opClone: {halted}, opCopy: {halted},
	opDestroy:    {halted, suspended},
	opHardReboot: {paused, running},
	opCheckpoint: {paused, suspended, running}, opShutdown: {paused, suspended, running},
	opHardShutdown: {paused, suspended, running},
	opRevert:       {halted, paused, suspended, running}, opSnapshot: {halted, paused, suspended, running},
}

// templateOps are the operations a template allows (destroy only when it is
// not a default template).
var templateOps = []string{opChangingVCPUs, opChangingMemoryLimits, opChangingStaticRange,
	opClone, opCopy, opProvision}

// snapshotOps are the operations a snapshot allows.
var snapshotOps = []string{opRevert, opClone, opCopy, opDestroy, opHardShutdown}

// controlDomainOps are the operations a control domain allows.
var controlDomainOps = []string{opChangingMemoryLimits, opChangingStaticRange, opStart, opStartOn,
	opChangingVCPUs, opDestroy}

// checkOp is xapi's check of a VM operation, in its order: power state,
// template rules, snapshot rules, provision and revert, control domains.
func (s *Server) checkOp(v *vm, op string) error {
	allowed := allowedStates[op]
	if (op == opClone || op == opCopy) && v.snapshot {
		allowed = []string{halted, suspended}
	}
	if !slices.Contains(allowed, v.power) {
		lower := make([]string, len(allowed))
		for i, p := range allowed {
			lower[i] = strings.ToLower(p)
		}
		return xerr(errVMBadPowerState, v.ref, strings.Join(lower, ", "), strings.ToLower(v.power))
	}
	if v.template && !v.snapshot &&
		!slices.Contains(templateOps, op) && !(op == opDestroy && !v.defaultTemplate) {
		return xerr(errVMIsTemplate, v.ref, op)
	}
	if v.snapshot && !slices.Contains(snapshotOps, op) {
		return xerr(errVMIsSnapshot, v.ref, op)
	}
	if op == opProvision && !v.template {
		return xerr(errOnlyProvisionTemplate)
	}
	if op == opRevert && !v.snapshot {
		return xerr(errOnlyRevertSnapshot)
	}
	if v.controlDomain {
		if op == opChangingVCPUs || op == opDestroy {
			return xerr(errOperationNotAllowed, "This operation is not allowed on dom0")
		}
		if !slices.Contains(controlDomainOps, op) {
			return xerr(errOperationNotAllowed, "This operation is not allowed on a control domain")
		}
	}
	if v.live() && op != opSnapshot {
		// Operations on a running domain need its host.
		if err := s.hostUp(v.residentOn); err != nil {
			return err
		}
	}
	return nil
}
