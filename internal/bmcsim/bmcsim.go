//go:build linux

// Package bmcsim starts a real IPMI v2.0 BMC for tests: ipmi_sim, the BMC
// simulator of OpenIPMI (installed by `make deps`), serving RMCP+ on a
// 127.0.0.1 UDP port. The BMC controls the power of a "host" that is a
// command: ipmi_sim runs it when the chassis powers on, and sends it
// SIGTERM (SIGKILL after 5 s) when the chassis powers off. The chassis
// reads "on" while the command runs.
package bmcsim

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// Username and Password are the BMC's administrator credentials.
const (
	Username = "admin"
	Password = "bmc-secret"
)

// BMC is a running ipmi_sim.
type BMC struct {
	// Address is the BMC's "127.0.0.1:port".
	Address string
	t       testing.TB
}

// Start starts a BMC whose chassis power runs power (a command and its
// arguments) with env added to its environment, powered on; the test
// stops it and its command at the end. Without ipmi_sim or ipmitool the
// test skips, or fails in strict mode (testenv).
func Start(t testing.TB, env []string, power ...string) *BMC {
	t.Helper()
	sim, err := exec.LookPath("ipmi_sim")
	if err != nil {
		testenv.Missing(t, "ipmi_sim", "OpenIPMI's BMC simulator is not on PATH")
	}
	if _, err := exec.LookPath("ipmitool"); err != nil {
		testenv.Missing(t, "ipmitool", "ipmitool is not on PATH")
	}
	dir := t.TempDir()
	addr := FreeUDPAddr(t)
	host, port, _ := net.SplitHostPort(addr)

	// ipmi_sim runs startcmd through the shell; a script keeps the
	// command's quoting and environment ours, and exec makes the
	// command itself receive the power-off signal.
	script := "#!/bin/sh\n"
	for _, e := range env {
		script += "export " + shellQuote(e) + "\n"
	}
	script += "exec"
	for _, a := range power {
		script += " " + shellQuote(a)
	}
	writeFile(t, filepath.Join(dir, "power.sh"), script+"\n", 0o755)
	writeFile(t, filepath.Join(dir, "lan.conf"), fmt.Sprintf(lanConf, host, port, Username, Password, filepath.Join(dir, "power.sh")), 0o600)
	writeFile(t, filepath.Join(dir, "bmc.emu"), bmcEmu, 0o600)
	if err := os.Mkdir(filepath.Join(dir, "state"), 0o700); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	cmd := exec.Command(sim, "-n", "-p", "-c", filepath.Join(dir, "lan.conf"), "-f", filepath.Join(dir, "bmc.emu"), "-s", filepath.Join(dir, "state"))
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that the power command dies with it; and
	// it dies with the test process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting ipmi_sim: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})

	b := &BMC{Address: addr, t: t}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := b.tool("chassis", "power", "status"); err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("ipmi_sim exited at start: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ipmi_sim does not answer on %s after 10 s: %s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b
}

// PowerIsOn reads the chassis power state with ipmitool, a client
// independent of the code under test.
func (b *BMC) PowerIsOn() bool {
	b.t.Helper()
	out, err := b.tool("chassis", "power", "status")
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.Contains(out, "is on")
}

// PowerOn powers the chassis on with ipmitool: ipmi_sim runs the power
// command again.
func (b *BMC) PowerOn() {
	b.t.Helper()
	if _, err := b.tool("chassis", "power", "on"); err != nil {
		b.t.Fatal(err)
	}
}

// tool runs ipmitool against the BMC over lanplus.
func (b *BMC) tool(args ...string) (string, error) {
	host, port, _ := net.SplitHostPort(b.Address)
	base := []string{"-I", "lanplus", "-C", "3", "-N", "1", "-R", "2", "-H", host, "-p", port, "-U", Username, "-P", Password}
	out, err := exec.Command("ipmitool", append(base, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ipmitool %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// FreeUDPAddr returns a 127.0.0.1 UDP address no socket is bound to now
// (where no BMC answers). ipmi_sim binds with SO_REUSEADDR, so a port in
// use would be shared silently rather than refused: its port must be free.
func FreeUDPAddr(t testing.TB) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().String()
}

func writeFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// lanConf configures one LAN channel with MD5 and RMCP+ logins for an
// administrator, and a chassis whose power is the startcmd; power control
// needs the "VM" serial codec to be configured, although nothing connects
// to it. Arguments: host, port, user, password, power script.
const lanConf = `name "cloudcore-test"
set_working_mc 0x20
startlan 1
  addr %s %s
  priv_limit admin
  allowed_auths_callback md5
  allowed_auths_user md5
  allowed_auths_operator md5
  allowed_auths_admin md5
  guid a123456789abcdefa123456789abcdef
endlan
serial 15 127.0.0.1 0 codec VM
user 2 true %q %q admin 10 md5
startcmd %q
startnow true
kill_wait 5
`

// bmcEmu declares the BMC (IPMB address 0x20) to the emulator.
const bmcEmu = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
mc_enable 0x20
`
