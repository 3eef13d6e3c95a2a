package xenserver

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

func TestParseURL(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		want hostConfig
	}{
		{"https://xen1.example", hostConfig{endpoint: "https://xen1.example", urlHost: "xen1.example",
			baseTemplate: "Other install media", mtu: 1500, configDrive: true}},
		{"https://10.0.0.5:8443/?host=xen2&pif=eth1&mtu=9000&config_drive=false&base_template=Debian&ca_file=" + ca,
			hostConfig{endpoint: "https://10.0.0.5:8443", host: "xen2", urlHost: "10.0.0.5", caPEM: []byte("PEM"),
				baseTemplate: "Debian", pifDevice: "eth1", mtu: 9000}},
		{"http://127.0.0.1:8181?insecure=true", hostConfig{endpoint: "http://127.0.0.1:8181", urlHost: "127.0.0.1", insecure: true,
			baseTemplate: "Other install media", mtu: 1500, configDrive: true}},
	} {
		got, err := parseURL(tc.url)
		if err != nil || got.endpoint != tc.want.endpoint || got.host != tc.want.host || got.urlHost != tc.want.urlHost ||
			string(got.caPEM) != string(tc.want.caPEM) || got.insecure != tc.want.insecure || got.baseTemplate != tc.want.baseTemplate ||
			got.pifDevice != tc.want.pifDevice || got.mtu != tc.want.mtu || got.configDrive != tc.want.configDrive {
			t.Errorf("parseURL(%q) =\n%+v, %v\nwant\n%+v", tc.url, got, err, tc.want)
		}
	}
}

func TestParseURLRejects(t *testing.T) {
	for _, tc := range []struct{ url, names string }{
		{"qemu:///system", "https://"},
		{"https:///", "https://"},
		{"https://xen1/jsonrpc", "path"},
		{"https://xen1?insecure=maybe", "insecure"},
		{"https://xen1?mtu=20", "mtu"},
		{"https://xen1?config_drive=perhaps", "config_drive"},
		{"https://xen1?base_template=", "base_template"},
		{"https://xen1?ca_file=/does/not/exist", "ca_file"},
		{"https://xen1?thumbprint=ab", `unknown parameter "thumbprint"`},
	} {
		_, err := parseURL(tc.url)
		if !errors.Is(err, hypervisors.ErrInvalid) || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("parseURL(%q): %v, want ErrInvalid naming %s", tc.url, err, tc.names)
		}
	}
}
