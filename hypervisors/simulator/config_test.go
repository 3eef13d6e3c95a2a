package simulator_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

func TestConnectRejectsBadURLs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		url, wantInMessage string
	}{
		{"kvm://h1", "scheme"},
		{"simulator:h1", "simulator://<hostname>"},
		{"simulator://", "simulator://<hostname>"},
		{"simulator://h1:22", "port"},
		{"simulator://root@h1", "user"},
		{"simulator://h1/some/path", "path"},
		{"simulator://h1#frag", "fragment"},
		{"simulator://h~1", "hostname"},
		{"simulator://.hidden", "hostname"},
		{"simulator://[::1]", "hostname"},
		{"simulator://h1?colour=red", `"colour": unknown parameter (allowed: cpus`},
		{"simulator://h1?cpus.CreateVM=1", `"cpus.CreateVM": unknown parameter`},
		{"simulator://h1?cpus=0", `"cpus": want an integer from 1 to 4096`},
		{"simulator://h1?cpus=many", `"cpus": want an integer`},
		{"simulator://h1?cpus=2&cpus=4", `"cpus" is given 2 times`},
		{"simulator://h1?cpu_mhz=-1", `"cpu_mhz": want an integer`},
		{"simulator://h1?memory_mib=64G", `"memory_mib": want an integer`},
		{"simulator://h1?hot_resize=maybe", `"hot_resize": want true or false`},
		{"simulator://h1?delay=fast", `"delay": want a duration`},
		{"simulator://h1?delay=-1s", `"delay": want a duration of 0 or more`},
		{"simulator://h1?delay.Teleport=1s", `"delay.Teleport": unknown operation "Teleport" (operations: Info, Ping`},
		{"simulator://h1?delay.StartVM=soon", `"delay.StartVM": want a duration`},
		{"simulator://h1?fail.CreateVM=0", `"fail.CreateVM": want an integer from 1`},
		{"simulator://h1?fail.CreateVM=2:oops", `"fail.CreateVM": want N or N:<error> with <error> one of unreachable, notfound`},
		{"simulator://h1?crash.StartVM=first", `"crash.StartVM": want an integer`},
		{"simulator://h1?crash.StartVM=1:conflict", `"crash.StartVM": want an integer`},
		{"simulator://h1?crash_after.Nope=1", `"crash_after.Nope": unknown operation`},
		{"simulator://h1?%zz=1", "query"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := connectURL(t, dir, tc.url)
			if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), tc.wantInMessage) {
				t.Errorf("Connect(%q) = %v, want an ErrInvalid saying %q", tc.url, err, tc.wantInMessage)
			}
		})
	}
}

func connectURL(t *testing.T, dir, url string) (hypervisors.Host, error) {
	d, err := hypervisors.Lookup(simulator.Name)
	if err != nil {
		t.Fatal(err)
	}
	return d.Connect(t.Context(), hypervisors.HostConfig{URL: url, StateDir: dir})
}

func TestConnectReportsURLSettings(t *testing.T) {
	for _, tc := range []struct {
		query     string
		want      hypervisors.HostInfo
		hotResize bool
	}{
		{"", hypervisors.HostInfo{Hostname: "h1", Hypervisor: "simulator", Version: simulator.Version, CPUs: 16, CPUMHz: 2400, MemoryMiB: 65536}, false},
		{"cpus=4&cpu_mhz=3000&memory_mib=8192&hot_resize=true&delay=0s&delay.CreateVM=1ms&fail.Ping=9:conflict&crash.StartVM=9&crash_after.StartVM=10",
			hypervisors.HostInfo{Hostname: "h1", Hypervisor: "simulator", Version: simulator.Version, CPUs: 4, CPUMHz: 3000, MemoryMiB: 8192}, true},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := connect(t, t.TempDir(), "h1", tc.query)
			info, err := h.Info(t.Context())
			mustDo(t, "Info", err)
			if info != tc.want {
				t.Errorf("Info = %+v, want %+v", info, tc.want)
			}
			want := hypervisors.Capabilities{MemorySnapshots: true, DiskSnapshots: true, HotResize: tc.hotResize, Fencing: true, NICHotplug: true}
			if caps := h.Capabilities(); caps != want {
				t.Errorf("Capabilities = %+v, want %+v", caps, want)
			}
		})
	}
}

func TestStateDirectory(t *testing.T) {
	t.Run("neither StateDir nor environment", func(t *testing.T) {
		t.Setenv(simulator.EnvStateDir, "")
		_, err := connectURL(t, "", "simulator://h1")
		if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), "StateDir") || !strings.Contains(err.Error(), simulator.EnvStateDir) {
			t.Errorf("Connect = %v, want an ErrInvalid naming StateDir and %s", err, simulator.EnvStateDir)
		}
		if _, err := simulator.Control("", "h1"); !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("Control = %v, want ErrInvalid", err)
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(simulator.EnvStateDir, dir)
		h, err := connectURL(t, "", "simulator://h1")
		mustDo(t, "Connect", err)
		newFixture(t, h)
		if _, err := os.Stat(filepath.Join(dir, "hosts", "h1")); err != nil {
			t.Errorf("the host's state is not in $%s: %v", simulator.EnvStateDir, err)
		}
		mustDo(t, "PowerOff", control(t, "", "h1").PowerOff())
		if err := h.Ping(t.Context()); !errors.Is(err, hypervisors.ErrUnreachable) {
			t.Errorf("Ping after a PowerOff through $%s = %v, want ErrUnreachable", simulator.EnvStateDir, err)
		}
	})
}

func TestControlRejectsBadHostnames(t *testing.T) {
	for _, name := range []string{"", "..", "a/b", ".hidden", strings.Repeat("h", 129)} {
		if _, err := simulator.Control(t.TempDir(), name); !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("Control(%q) = %v, want ErrInvalid", name, err)
		}
	}
}
