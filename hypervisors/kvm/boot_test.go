package kvm_test

import (
	"context"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// guestImage builds the tiny bootable guest (testdata/build-guest.sh) into
// the user's cache once (under a lock shared with the engine's KVM test)
// and returns a copy QEMU can read.
func guestImage(t *testing.T, dir string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	built := filepath.Join(cache, "cloudcore", "kvm-guest")
	if err := os.MkdirAll(filepath.Dir(built), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("flock", built+".lock", "testdata/build-guest.sh", built).CombinedOutput(); err != nil {
		testenv.Missing(t, "guest-build", "testdata/build-guest.sh failed: "+strings.TrimSpace(string(out)))
	}
	img, err := os.ReadFile(filepath.Join(built, "guest.img"))
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "guest.img")
	if err := os.WriteFile(copied, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return copied
}

// TestBootGuest boots a real guest through the driver and reads its serial
// console log: the guest finds its config drive and gets from DHCP exactly
// the address IPAM gave its NIC. Then a graceful StopVM powers it off
// through the ACPI power button.
func TestBootGuest(t *testing.T) {
	s := newSystem(t, url.Values{"stop_timeout": {"30s"}})
	ctx := t.Context()
	img := guestImage(t, filepath.Dir(s.logDir))
	tpl := hypervisors.TemplateRef{ID: uuid.NewString(), URL: "file://" + img, Format: "raw"}
	n := hypervisors.NetworkSpec{ID: uuid.NewString(), CIDR: netip.MustParsePrefix("198.18.4.0/24"), Gateway: netip.MustParseAddr("198.18.4.1")}
	// A second network with the same CIDR: the host must not route either.
	twin := n
	twin.ID = uuid.NewString()
	for _, net := range []hypervisors.NetworkSpec{twin, n} {
		mustDo(t, "EnsureNetwork", s.host.EnsureNetwork(ctx, net))
		t.Cleanup(func() { mustDo(t, "RemoveNetwork", s.host.RemoveNetwork(context.Background(), net.ID)) })
	}
	vol, err := s.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &tpl})
	mustDo(t, "CreateVolume", err)
	t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, vol.ID)) })
	spec := hypervisors.VMSpec{
		ID: uuid.NewString(), Name: "boot test", Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 256},
		Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}},
		NICs: []hypervisors.NIC{{NetworkID: n.ID, MAC: "02:00:00:00:04:0a", Address: netip.MustParsePrefix("198.18.4.10/24"),
			Gateway: n.Gateway, DNS: []netip.Addr{n.Gateway}}},
	}
	t.Cleanup(func() { mustDo(t, "DestroyVM", s.host.DestroyVM(context.Background(), spec.ID)) })
	_, err = s.host.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	mustDo(t, "StartVM", s.host.StartVM(ctx, spec.ID))

	console := filepath.Join(s.logDir, "cloudcore-"+spec.ID+".serial.log")
	want := []string{"cloudcore-guest: instance-id " + spec.ID, "cloudcore-guest: address 198.18.4.10"}
	var log []byte
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		log, _ = os.ReadFile(console)
		if strings.Contains(string(log), want[0]) && strings.Contains(string(log), want[1]) {
			break
		}
	}
	for _, w := range want {
		if !strings.Contains(string(log), w) {
			t.Errorf("the serial console never showed %q; it shows:\n%s", w, log)
		}
	}
	mustDo(t, "StopVM", s.host.StopVM(ctx, spec.ID, false))
	if st, err := s.host.VMStatus(ctx, spec.ID); err != nil || st.Power != hypervisors.PowerStopped {
		t.Errorf("after a graceful StopVM: %+v, %v; want it stopped", st, err)
	}
}
