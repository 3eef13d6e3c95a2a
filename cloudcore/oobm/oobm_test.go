//go:build linux

package oobm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/oobm"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/bmcsim"
)

// TestPowerOffThroughARealBMC drives ipmi_sim: the power command is a
// shell that notes its start and the SIGTERM of the chassis power-off.
func TestPowerOffThroughARealBMC(t *testing.T) {
	log := filepath.Join(t.TempDir(), "power.log")
	bmc := bmcsim.Start(t, []string{"LOG=" + log}, "sh", "-c",
		`echo on >>"$LOG"; trap 'echo off >>"$LOG"; exit 0' TERM; while :; do sleep 0.1; done`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := oobm.Config{Address: bmc.Address, Username: bmcsim.Username, Password: bmcsim.Password}

	for i := range 5 { // sessions are closed: the BMC's session table does not fill up
		on, err := oobm.PowerIsOn(ctx, cfg)
		if err != nil || !on {
			t.Fatalf("PowerIsOn #%d = %v, %v; want true", i+1, on, err)
		}
	}
	if err := oobm.PowerOff(ctx, cfg); err != nil {
		t.Fatalf("PowerOff: %v", err)
	}
	if bmc.PowerIsOn() {
		t.Error("ipmitool reads power on after PowerOff returned")
	}
	if got, _ := os.ReadFile(log); string(got) != "on\noff\n" {
		t.Errorf("the host's power command logged %q, want it started and then stopped by the power-off", got)
	}
	if on, err := oobm.PowerIsOn(ctx, cfg); err != nil || on {
		t.Errorf("PowerIsOn after PowerOff = %v, %v; want false", on, err)
	}
	if err := oobm.PowerOff(ctx, cfg); err != nil {
		t.Errorf("PowerOff of a chassis that is off: %v, want success", err)
	}

	bmc.PowerOn()
	waitFor(t, "the chassis on again", func() bool { on, err := oobm.PowerIsOn(ctx, cfg); return err == nil && on })
}

func TestBMCErrors(t *testing.T) {
	bmc := bmcsim.Start(t, nil, "sleep", "3600")
	tests := []struct {
		name string
		cfg  oobm.Config
	}{
		{"wrong password", oobm.Config{Address: bmc.Address, Username: bmcsim.Username, Password: "wrong"}},
		{"unknown user", oobm.Config{Address: bmc.Address, Username: "nobody", Password: bmcsim.Password}},
		{"no BMC at the address", oobm.Config{Address: bmcsim.FreeUDPAddr(t), Username: bmcsim.Username, Password: bmcsim.Password}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			err := oobm.PowerOff(ctx, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), "BMC "+tc.cfg.Address) {
				t.Fatalf("PowerOff = %v, want an error that names the BMC", err)
			}
			t.Log(err)
		})
	}
	if !bmc.PowerIsOn() {
		t.Error("a failed login powered the chassis off")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := oobm.PowerIsOn(ctx, oobm.Config{Address: bmc.Address, Username: bmcsim.Username, Password: bmcsim.Password}); err != nil {
		t.Errorf("the right credentials after failed logins: %v", err)
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, host string
		port     int
		bad      bool
	}{
		{in: "10.0.0.5", host: "10.0.0.5", port: oobm.DefaultPort},
		{in: "bmc1.example:6230", host: "bmc1.example", port: 6230},
		{in: "[fd00::5]:623", host: "fd00::5", port: 623},
		{in: "10.0.0.5:0", bad: true},
		{in: "10.0.0.5:x", bad: true},
		{in: "http://bmc/", bad: true},
		{in: "", bad: true},
	}
	for _, tc := range tests {
		host, port, err := oobm.ParseAddress(tc.in)
		if tc.bad != (err != nil) || host != tc.host || port != tc.port {
			t.Errorf("ParseAddress(%q) = %q, %d, %v", tc.in, host, port, err)
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 15 s", what)
		}
	}
}
