package vmware

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

const (
	sha1Print   = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
	sha256Print = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want config
	}{
		{"https://esxi.example/sdk", config{vswitch: defaultVSwitch}},
		{"https://esxi.example", config{vswitch: defaultVSwitch}},
		{"https://esxi.example:8443/", config{vswitch: defaultVSwitch}},
		{"https://vcenter.example/sdk?host=/DC0/host/DC0_C0/DC0_C0_H0", config{host: "/DC0/host/DC0_C0/DC0_C0_H0", vswitch: defaultVSwitch}},
		{"https://vcenter.example/sdk?host=esxi7.example&dvs=DSwitch", config{host: "esxi7.example", vswitch: defaultVSwitch, dvs: "DSwitch"}},
		{"https://esxi.example/sdk?thumbprint=" + strings.ToLower(strings.ReplaceAll(sha1Print, ":", "")), config{thumbprint: sha1Print, vswitch: defaultVSwitch}},
		{"https://esxi.example/sdk?thumbprint=" + sha256Print, config{thumbprint: sha256Print, vswitch: defaultVSwitch}},
		{"https://esxi.example/sdk?insecure=true&vswitch=vSwitch1", config{insecure: true, vswitch: "vSwitch1"}},
		{"https://esxi.example/sdk?insecure=false", config{vswitch: defaultVSwitch}},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := parseURL(tc.url)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			if got.sdk.Scheme != "https" || got.sdk.Path != "/sdk" || got.sdk.RawQuery != "" || !strings.Contains(tc.url, got.sdk.Host) {
				t.Errorf("endpoint = %s, want https://<the URL's server>/sdk", got.sdk)
			}
			got.sdk = nil
			if got != tc.want {
				t.Errorf("parseURL = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseURLRejects(t *testing.T) {
	for _, tc := range []struct {
		url, wantInMessage string
	}{
		{"http://esxi.example/sdk", "scheme must be https"},
		{"vmware://esxi.example", "scheme must be https"},
		{"https:esxi.example", "server name is required"},
		{"https:///sdk", "server name is required"},
		{"https://root:pw@esxi.example/sdk", "user information is not allowed"},
		{"https://esxi.example/api", `path must be /sdk, not "/api"`},
		{"https://esxi.example/sdk#x", "fragment"},
		{"https://esxi.example:99999/sdk", `port "99999"`},
		{"https://esxi.example/sdk?colour=red", `"colour": unknown parameter (allowed: host, thumbprint`},
		{"https://esxi.example/sdk?host=", `"host": want a host's inventory path`},
		{"https://esxi.example/sdk?host=a&host=b", `"host" is given 2 times`},
		{"https://esxi.example/sdk?thumbprint=zz", `"thumbprint": want the certificate's SHA-1 or SHA-256 fingerprint`},
		{"https://esxi.example/sdk?thumbprint=ABCD", `"thumbprint": want`},
		{"https://esxi.example/sdk?insecure=yes-please", `"insecure": want true or false`},
		{"https://esxi.example/sdk?vswitch=", `"vswitch": want a switch name`},
		{"https://esxi.example/sdk?insecure=true&thumbprint=" + sha1Print, "give one of them"},
		{"https://esxi.example/sdk?%zz", "query"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := parseURL(tc.url)
			if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), tc.wantInMessage) || !strings.Contains(err.Error(), urlFormat) {
				t.Errorf("parseURL(%q) = %v, want an ErrInvalid saying %q and showing the URL format", tc.url, err, tc.wantInMessage)
			}
		})
	}
}

// TestConnectRejects checks what Connect refuses before or right after it
// reaches the server.
func TestConnectRejects(t *testing.T) {
	esx, vpx := newESX(t), newVPX(t)
	for _, tc := range []struct {
		name          string
		s             *sim
		url           string
		want          error
		wantInMessage string
	}{
		{"bad URL", esx, "https://" + esx.addr + "/api", hypervisors.ErrInvalid, "path must be /sdk"},
		{"vCenter without host", vpx, "https://" + vpx.addr + "/sdk?insecure=true", hypervisors.ErrInvalid, "add host=<inventory path or name>"},
		{"unknown host path", vpx, "https://" + vpx.addr + "/sdk?insecure=true&host=/DC0/host/nowhere", hypervisors.ErrInvalid, `no object at inventory path "/DC0/host/nowhere"`},
		{"path of a cluster", vpx, "https://" + vpx.addr + "/sdk?insecure=true&host=/DC0/host/DC0_C0", hypervisors.ErrInvalid, "names a ClusterComputeResource, not a host"},
		{"unknown host name", vpx, "https://" + vpx.addr + "/sdk?insecure=true&host=esxi99", hypervisors.ErrInvalid, `no host named "esxi99"`},
		{"unknown distributed switch", vpx, vpx.url("insecure=true&dvs=DVS9"), hypervisors.ErrInvalid, `no distributed switch "DVS9"`},
		{"distributed switch on an ESXi", esx, esx.url("insecure=true&dvs=DVS0"), hypervisors.ErrInvalid, "need a vCenter"},
		{"server down", esx, "https://127.0.0.1:1/sdk?insecure=true", hypervisors.ErrUnreachable, "connecting to 127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.dial(t.Context(), tc.url)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.wantInMessage) {
				t.Errorf("Connect(%s) = %v, want an error wrapping %q saying %q", tc.url, err, tc.want, tc.wantInMessage)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		d, err := hypervisors.Lookup(Name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.Connect(t.Context(), hypervisors.HostConfig{URL: esx.url("insecure=true"), Username: simUser, Password: "wrong"})
		if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), "refused the username and password") {
			t.Errorf("Connect with a wrong password = %v, want an ErrInvalid about the credentials", err)
		}
	})
	t.Run("by host name", func(t *testing.T) {
		h, err := vpx.dial(t.Context(), "https://"+vpx.addr+"/sdk?insecure=true&host=DC0_C0_H0")
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if h.(*host).inv.host.Value == "" || h.(*host).inv.hostName != "DC0_C0_H0" {
			t.Errorf("Connect by host name found %+v", h.(*host).inv)
		}
	})
}
