package xapitest

import (
	"testing"
)

func TestDestroyKeepsDisks(t *testing.T) {
	s, c := newPool(t, Options{})
	vm := c.newVM("gone")
	c.newVIF(vm, c.managementNetwork(), "0")
	disks := c.diskVDIs(vm)
	before := s.Counts()
	c.must("VM.destroy", vm)
	after := s.Counts()
	if after.VMs != before.VMs-1 || after.VBDs != before.VBDs-1 || after.VIFs != before.VIFs-1 || after.VDIs != before.VDIs {
		t.Errorf("counts before %+v, after %+v: want the VM, its VBD and VIF gone and its VDI kept", before, after)
	}
	r := c.rec("VDI", disks[0])
	if len(r["VBDs"].([]any)) != 0 {
		t.Errorf("orphaned VDI still lists VBDs %v", r["VBDs"])
	}
}

func TestSnapshot(t *testing.T) {
	_, c := newPool(t, Options{})
	vm := c.newVM("orig")
	c.newVIF(vm, c.managementNetwork(), "0")
	c.must("VM.start", vm, false, false)
	snap := c.str("VM.snapshot", vm, "snap1")
	r := c.rec("VM", snap)
	if r["is_a_snapshot"] != true || r["is_a_template"] != true || r["snapshot_of"] != vm ||
		r["power_state"] != "Halted" || r["snapshot_time"] == "19700101T00:00:00Z" || r["name_label"] != "snap1" {
		t.Errorf("snapshot record: %v", r)
	}
	if snaps := c.refs(c.must("VM.get_snapshots", vm)); len(snaps) != 1 || snaps[0] != snap {
		t.Errorf("VM.snapshots = %v", snaps)
	}
	orig, copied := c.diskVDIs(vm)[0], c.diskVDIs(snap)[0]
	d := c.rec("VDI", copied)
	if copied == orig || d["is_a_snapshot"] != true || d["snapshot_of"] != orig {
		t.Errorf("snapshot VDI %s: %v", copied, d)
	}
	if c.rec("VIF", c.refs(c.must("VM.get_VIFs", snap))[0])["MAC"] != c.rec("VIF", c.refs(c.must("VM.get_VIFs", vm))[0])["MAC"] {
		t.Error("a snapshot's VIF has another MAC")
	}
	c.wantErr("VM.start", []any{snap, false, false}, "VM_IS_SNAPSHOT", snap, "start")
	c.wantErr("VM.snapshot", []any{snap, "x"}, "VM_IS_SNAPSHOT", snap, "snapshot")
	// A clone of a snapshot is a template, with new MACs.
	tmpl := c.str("VM.clone", snap, "from-snap")
	if r := c.rec("VM", tmpl); r["is_a_template"] != true || r["is_a_snapshot"] != false {
		t.Errorf("clone of a snapshot: %v", r)
	}
	// Destroying a snapshot keeps its disks.
	c.must("VM.destroy", snap)
	c.rec("VDI", copied)
}

func TestCheckpointAndRevert(t *testing.T) {
	s, c := newPool(t, Options{})
	vm := c.newVM("orig")
	c.must("VM.set_memory_limits", vm, 1<<30, 1<<30, 1<<30, 1<<30)
	c.wantErr("VM.checkpoint", []any{vm, "cp"}, "VM_BAD_POWER_STATE", vm, "paused, suspended, running", "halted")
	c.must("VM.start", vm, false, false)
	before := s.Counts().VDIs
	cp := c.str("VM.checkpoint", vm, "cp")
	r := c.rec("VM", cp)
	img := r["suspend_VDI"].(string)
	if r["power_state"] != "Suspended" || img == "OpaqueRef:NULL" || c.power(vm) != "Running" {
		t.Fatalf("checkpoint: %v; VM %s", r, c.power(vm))
	}
	if d := c.rec("VDI", img); d["type"] != "suspend" || num(d["virtual_size"]) != 1<<30 {
		t.Errorf("suspend VDI: %v", d)
	}
	if got := s.Counts().VDIs; got != before+2 {
		t.Errorf("VDIs after checkpoint = %d, want %d (disk copy and memory image)", got, before+2)
	}
	disk := c.diskVDIs(vm)[0]

	// Change the VM after the checkpoint, then revert.
	c.must("VM.hard_shutdown", vm)
	c.must("VM.set_name_label", vm, "changed")
	c.must("VM.set_VCPUs_max", vm, 4)
	c.wantErr("VM.revert", []any{vm}, "ONLY_REVERT_SNAPSHOT")
	c.must("VM.revert", cp)
	r = c.rec("VM", vm)
	if r["power_state"] != "Suspended" || r["name_label"] != "orig" || num(r["VCPUs_max"]) != 1 || r["parent"] != cp {
		t.Errorf("after revert to a checkpoint: power %v, name %v, VCPUs_max %v, parent %v",
			r["power_state"], r["name_label"], r["VCPUs_max"], r["parent"])
	}
	if r["suspend_VDI"] == "OpaqueRef:NULL" || r["suspend_VDI"] == img {
		t.Errorf("reverted VM's suspend_VDI = %v, want a copy of %s", r["suspend_VDI"], img)
	}
	if now := c.diskVDIs(vm); len(now) != 1 || now[0] == disk {
		t.Errorf("disks after revert = %v, want one new copy (not %s)", now, disk)
	}
	c.wantErr("VDI.get_record", []any{disk}, "HANDLE_INVALID", "VDI", disk)
	c.must("VM.resume", vm, false, false)
	if c.power(vm) != "Running" {
		t.Error("resume after revert")
	}

	// A disk-only snapshot brings a running VM back halted.
	snap := c.str("VM.snapshot", vm, "disk-only")
	c.must("VM.revert", snap)
	if c.power(vm) != "Halted" {
		t.Errorf("after revert to a disk snapshot: %s, want Halted", c.power(vm))
	}
	c.must("VM.destroy", cp)
	c.must("VM.destroy", snap)
	if got := c.refs(c.must("VM.get_snapshots", vm)); len(got) != 0 {
		t.Errorf("snapshots after destroying them: %v", got)
	}
}

func TestRevertIsAtomic(t *testing.T) {
	s, c := newPool(t, Options{SRs: []SRSpec{{SizeBytes: 20 << 30}}})
	vm := c.newVM("orig") // 8 GiB disk
	disk := c.diskVDIs(vm)[0]
	snap := c.str("VM.snapshot", vm, "s") // 16 GiB allocated
	// Another VM shares the disk, so revert cannot free it.
	other := c.str("VM.clone", c.template(), "sharer")
	c.must("VM.remove_from_other_config", other, "disks")
	c.must("VM.set_is_a_template", other, false)
	ro := vbdArgs(other, disk, "0")
	ro["mode"] = "RO"
	c.must("VBD.create", ro)
	c.newVDI(3 << 30) // 19 GiB allocated
	c.must("VM.set_name_label", vm, "after")
	c.must("VM.start", vm, false, false)
	before := s.Counts()
	c.wantErr("VM.revert", []any{snap}, "SR_FULL", itoa(27<<30), itoa(20<<30))
	if after := s.Counts(); after != before {
		t.Errorf("counts changed by a failed revert: %+v -> %+v", before, after)
	}
	if r := c.rec("VM", vm); r["name_label"] != "after" || r["power_state"] != "Running" || c.diskVDIs(vm)[0] != disk {
		t.Errorf("a failed revert changed the VM: %v %v %v", r["name_label"], r["power_state"], c.diskVDIs(vm))
	}
}
