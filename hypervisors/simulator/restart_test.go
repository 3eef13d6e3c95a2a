package simulator_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

func TestStateSurvivesReconnecting(t *testing.T) {
	dir := t.TempDir()
	before := connect(t, dir, "h1", "")
	fx := newFixture(t, before).withSnapshot(t, before)
	wantVMs, err := before.ListVMs(t.Context())
	mustDo(t, "ListVMs", err)
	wantSnaps, err := before.ListSnapshots(t.Context(), fx.vm.ID)
	mustDo(t, "ListSnapshots", err)
	wantVols, err := before.ListVolumes(t.Context(), testPool)
	mustDo(t, "ListVolumes", err)
	mustDo(t, "Close", before.Close())

	after := connect(t, dir, "h1", "")
	vms, err := after.ListVMs(t.Context())
	mustDo(t, "ListVMs", err)
	if !slices.Equal(vms, wantVMs) || len(vms) != 1 || vms[0].Power != hypervisors.PowerRunning {
		t.Errorf("after reconnecting, ListVMs = %+v, want %+v (one running VM)", vms, wantVMs)
	}
	snaps, err := after.ListSnapshots(t.Context(), fx.vm.ID)
	mustDo(t, "ListSnapshots", err)
	if len(snaps) != 1 || len(wantSnaps) != 1 || snaps[0].ID != wantSnaps[0].ID || !snaps[0].CreatedAt.Equal(wantSnaps[0].CreatedAt) {
		t.Errorf("after reconnecting, ListSnapshots = %+v, want %+v", snaps, wantSnaps)
	}
	vols, err := after.ListVolumes(t.Context(), testPool)
	mustDo(t, "ListVolumes", err)
	if !slices.Equal(vols, wantVols) || len(vols) != 1 {
		t.Errorf("after reconnecting, ListVolumes = %+v, want %+v", vols, wantVols)
	}
	if err := after.RemoveNetwork(t.Context(), fx.network.ID); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("after reconnecting, RemoveNetwork of the VM's network = %v, want ErrConflict", err)
	}
}

func TestHostsShareStoragePools(t *testing.T) {
	dir := t.TempDir()
	h1, h2 := connect(t, dir, "h1", ""), connect(t, dir, "h2", "")
	fx := newFixture(t, h1)
	mustDo(t, "DestroyVM on h1", h1.DestroyVM(t.Context(), fx.vm.ID))
	mustDo(t, "EnsureNetwork on h2", h2.EnsureNetwork(t.Context(), fx.network))
	if _, err := h2.CreateVM(t.Context(), fx.vm); err != nil {
		t.Fatalf("CreateVM on h2 with the volume h1 created: %v", err)
	}
	for name, h := range map[string]hypervisors.Host{"h1": h1, "h2": h2} {
		vms, err := h.ListVMs(t.Context())
		mustDo(t, "ListVMs", err)
		want := 0
		if name == "h2" {
			want = 1
		}
		if len(vms) != want {
			t.Errorf("ListVMs on %s = %+v, want %d VMs: each host lists its own", name, vms, want)
		}
	}
}
