// Package xapitest is an in-memory XenAPI server for tests and demos: a
// stand-in for a XenServer / XCP-ng pool that speaks XenAPI over JSON-RPC
// (POST /jsonrpc, versions 1.0 and 2.0) and accepts raw disk uploads
// (PUT /import_raw_vdi).
//
// The server follows XenAPI's documented semantics and errors, and it is
// strict on purpose: it rejects what a real pool rejects, with the same error
// codes and parameters, so that a client tested against it fails here rather
// than in production. In particular:
//
//   - Errors travel as {"code":1,"message":CODE,"data":[params...]} (v2.0) or
//     as ["CODE", params...] (v1.0). Malformed requests (no id, no params,
//     invalid JSON) get an HTTP 500 page, as from xapi.
//   - int values must be JSON numbers without fraction or exponent; a string
//     where a number is expected is FIELD_TYPE_ERROR [name]. Enum values out
//     of range are INVALID_VALUE [name, value].
//   - Unknown methods are MESSAGE_METHOD_UNKNOWN [method]; a wrong number of
//     parameters is MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected,
//     received], counting the session; unknown sessions SESSION_INVALID
//     [ref]; references of the wrong class or to nothing HANDLE_INVALID
//     [class, ref]; unknown UUIDs UUID_INVALID [class, uuid].
//   - VM operations check, in xapi's order, the power state (VM_BAD_POWER_STATE
//     [vm, expected states joined by ", ", actual], all lowercase), the
//     template and snapshot rules (VM_IS_TEMPLATE / VM_IS_SNAPSHOT [vm,
//     operation]) and the control-domain rules.
//   - Every call is atomic: a call or task that fails leaves nothing behind.
//   - Async.<method> returns a task; the operation runs after a configurable
//     delay and can be cancelled until it starts. A task's result is the
//     XML-RPC encoding of the return value ("<value>OpaqueRef:…</value>"),
//     its error_info the error code followed by its parameters.
//
// # Calls
//
// session.login_with_password, session.logout; for every class below
// get_all, get_all_records, get_record, get_by_uuid, get_by_name_label (named
// classes) and get_<field>; pool.create_VLAN_from_PIF, pool.set_name_label;
// host, host_metrics and PIF (read only); SR (read only); VDI.create, copy,
// resize, destroy, set_name_label, set_name_description,
// add_to/remove_from_other_config; VBD.create, destroy; VIF.create, destroy,
// plug, unplug; network.create, destroy, set_name_label,
// add_to/remove_from_other_config; VLAN.create, destroy; VM.clone, copy,
// provision, snapshot, checkpoint, revert, destroy, start, start_on,
// clean_shutdown, hard_shutdown, shutdown, clean_reboot, hard_reboot, pause,
// unpause, suspend, resume, resume_on, power_state_reset, set_is_a_template,
// set_name_label, set_name_description, set_other_config, set_affinity,
// add_to/remove_from_other_config, set_memory_limits, set_memory,
// set_VCPUs_max, set_VCPUs_at_startup; task.cancel, destroy, create. Every
// call that xapi offers asynchronously has its Async. variant.
//
// VM.revert follows xapi: the VM gets the snapshot's configuration, copies of
// its disks (the disks it had are destroyed unless another VM uses them) and
// its VIFs, and ends Halted after a disk snapshot and Suspended after a
// checkpoint (VM.resume then brings it back running).
//
// The pool has hosts with a control domain each (a VM with
// is_control_domain set, as in a real pool), a management PIF "eth0" per host
// on one physical network, shared "ext" SRs whose VDIs keep their bytes
// sparsely in memory (up to Options.MaxStoredBytes), the built-in template
// "Other install media", and one user.
//
// Field getters (<class>.get_<field>) exist for every field of every modelled
// record. Tests can inject faults (Server.FailNext), slow operations down
// (Server.SetDelay), expire sessions, take hosts down, stop VMs behind the
// pool's back, and inspect the state (Server.Counts and friends).
//
// # What is not modelled
//
// PBDs, SMs, consoles, guest and VM metrics, VGPUs, VUSBs, bonds, tunnels,
// SR-IOV, HA, events (event.from), RBAC roles other than the one user,
// migration, VM.create and VM import/export, VDI snapshot chains and
// coalescing, VHD uploads (import_raw_vdi accepts format=raw only), task
// progress other than 0 and 1, current_operations / allowed_operations (empty,
// but for a pending task's "cancel") and the OTHER_OPERATION_IN_PROGRESS races
// they guard, memory
// overheads and ballooning (a running VM occupies memory_dynamic_max), and
// licensing. SRs enforce their size on virtual allocation (SR_FULL), unlike a
// thinly provisioned ext SR.
package xapitest
