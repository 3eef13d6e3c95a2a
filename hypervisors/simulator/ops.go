package simulator

import (
	"slices"
	"strings"
)

// Op names one operation of a simulated host, as delays and faults refer to
// it. The values are the method names of hypervisors.Host, plus FenceHost of
// hypervisors.Fencer (the driver's), InvestigatePeer of
// hypervisors.Investigator and AttachNIC and DetachNIC of
// hypervisors.NICHotplugger.
type Op string

// The operations of a simulated host.
const (
	OpInfo            Op = "Info"
	OpPing            Op = "Ping"
	OpEnsureNetwork   Op = "EnsureNetwork"
	OpRemoveNetwork   Op = "RemoveNetwork"
	OpCreateVolume    Op = "CreateVolume"
	OpResizeVolume    Op = "ResizeVolume"
	OpDeleteVolume    Op = "DeleteVolume"
	OpListVolumes     Op = "ListVolumes"
	OpCreateVM        Op = "CreateVM"
	OpStartVM         Op = "StartVM"
	OpStopVM          Op = "StopVM"
	OpRebootVM        Op = "RebootVM"
	OpReconfigureVM   Op = "ReconfigureVM"
	OpDestroyVM       Op = "DestroyVM"
	OpVMStatus        Op = "VMStatus"
	OpListVMs         Op = "ListVMs"
	OpCreateSnapshot  Op = "CreateSnapshot"
	OpListSnapshots   Op = "ListSnapshots"
	OpRevertSnapshot  Op = "RevertSnapshot"
	OpDeleteSnapshot  Op = "DeleteSnapshot"
	OpFenceHost       Op = "FenceHost"
	OpInvestigatePeer Op = "InvestigatePeer"
	OpAttachNIC       Op = "AttachNIC"
	OpDetachNIC       Op = "DetachNIC"
)

// Ops lists every operation of a simulated host.
var Ops = []Op{
	OpInfo, OpPing,
	OpEnsureNetwork, OpRemoveNetwork,
	OpCreateVolume, OpResizeVolume, OpDeleteVolume, OpListVolumes,
	OpCreateVM, OpStartVM, OpStopVM, OpRebootVM, OpReconfigureVM, OpDestroyVM, OpVMStatus, OpListVMs,
	OpCreateSnapshot, OpListSnapshots, OpRevertSnapshot, OpDeleteSnapshot,
	OpFenceHost, OpInvestigatePeer,
	OpAttachNIC, OpDetachNIC,
}

func (op Op) valid() bool { return slices.Contains(Ops, op) }

// opNames lists the operations for error messages.
func opNames() string {
	names := make([]string, len(Ops))
	for i, op := range Ops {
		names[i] = string(op)
	}
	return strings.Join(names, ", ")
}
