package nocloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kdomanski/iso9660"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/internal/testenv"
)

// testID is the VM ID of the seeds under test.
const testID = "0b4e6f64-5d4c-4d9a-9a6c-3c8a3f0f6b11"

// seedSpec is a VM with two NICs, user data and SSH keys.
var seedSpec = hypervisors.VMSpec{
	ID:       testID,
	Name:     "Web Server #1",
	UserData: "#cloud-config\npackages: [nginx]\n",
	SSHKeys:  []string{"ssh-ed25519 AAAA one", "ssh-ed25519 BBBB two"},
	NICs: []hypervisors.NIC{
		{MAC: "02:AA:00:00:00:01", Address: netip.MustParsePrefix("10.0.0.5/24"), Gateway: netip.MustParseAddr("10.0.0.1"),
			DNS: []netip.Addr{netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("9.9.9.9")}},
		{MAC: "02:aa:00:00:00:02", Address: netip.MustParsePrefix("fd00::5/64"), Gateway: netip.MustParseAddr("fd00::1")},
		{MAC: "02:aa:00:00:00:03"},
	},
}

// TestSeedImage reads the config drive back as an ISO 9660 image: the
// label cloud-init looks for and the three files with their content.
func TestSeedImage(t *testing.T) {
	img, err := Image(seedSpec)
	if err != nil {
		t.Fatal(err)
	}
	iso, err := iso9660.OpenImage(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if label, err := iso.Label(); err != nil || label != cidataLabel {
		t.Errorf("label %q, %v; want %q", label, err, cidataLabel)
	}
	root, err := iso.RootDir()
	if err != nil {
		t.Fatal(err)
	}
	children, err := root.GetChildren()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range children {
		data, err := io.ReadAll(f.Reader())
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name()] = string(data)
	}
	want, err := seedFiles(seedSpec)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("the image holds %v, want %d files", got, len(want))
	}
	for name, data := range want {
		if got[name] != string(data) {
			t.Errorf("%s = %q, want %q", name, got[name], data)
		}
	}
}

// TestSeedImageXorriso reads the config drive with xorriso, an ISO 9660
// reader of its own, as Linux would mount it.
func TestSeedImageXorriso(t *testing.T) {
	if _, err := exec.LookPath("xorriso"); err != nil {
		testenv.Missing(t, "guest-build", "xorriso is not on the PATH")
	}
	img, err := Image(seedSpec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	iso := filepath.Join(dir, "seed.iso")
	if err := os.WriteFile(iso, img, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xorriso", "-indev", iso, "-pvd_info").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Volume Id    : cidata") {
		t.Errorf("xorriso -pvd_info: %v\n%s", err, out)
	}
	extracted := filepath.Join(dir, "files")
	if out, err := exec.Command("xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/", extracted).CombinedOutput(); err != nil {
		t.Fatalf("xorriso -extract: %v\n%s", err, out)
	}
	want, err := seedFiles(seedSpec)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range want {
		if got, err := os.ReadFile(filepath.Join(extracted, name)); err != nil || string(got) != string(data) {
			t.Errorf("%s = %q, %v; want %q", name, got, err, data)
		}
	}
}

func TestSeedFiles(t *testing.T) {
	files, err := seedFiles(seedSpec)
	if err != nil {
		t.Fatal(err)
	}
	if string(files["user-data"]) != seedSpec.UserData {
		t.Errorf("user-data = %q", files["user-data"])
	}
	var meta map[string]any
	if err := json.Unmarshal(files["meta-data"], &meta); err != nil {
		t.Fatal(err)
	}
	wantMeta := map[string]any{"instance-id": testID, "local-hostname": "web-server-1", "public-keys": []any{"ssh-ed25519 AAAA one", "ssh-ed25519 BBBB two"}}
	if !reflect.DeepEqual(meta, wantMeta) {
		t.Errorf("meta-data = %v, want %v", meta, wantMeta)
	}
	var network netplanConfig
	if err := json.Unmarshal(files["network-config"], &network); err != nil {
		t.Fatal(err)
	}
	wantNetwork := netplanConfig{Version: 2, Ethernets: map[string]netplanEthernet{
		"nic0": {
			Match:       map[string]string{"macaddress": "02:aa:00:00:00:01"},
			Addresses:   []string{"10.0.0.5/24"},
			Routes:      []netplanRoute{{To: "0.0.0.0/0", Via: "10.0.0.1"}},
			Nameservers: &netplanNameservers{Addresses: []string{"10.0.0.2", "9.9.9.9"}},
		},
		"nic1": {Match: map[string]string{"macaddress": "02:aa:00:00:00:02"}, Addresses: []string{"fd00::5/64"}},
		"nic2": {Match: map[string]string{"macaddress": "02:aa:00:00:00:03"}, DHCP4: true},
	}}
	if !reflect.DeepEqual(network, wantNetwork) {
		t.Errorf("network-config = %s\nwant %+v", files["network-config"], wantNetwork)
	}
}

func TestHostname(t *testing.T) {
	for name, want := range map[string]string{
		"web1":                    "web1",
		"  Web -- Server_2 ":      "web-server-2",
		"***":                     "vm-0b4e6f64",
		"":                        "vm-0b4e6f64",
		strings.Repeat("ab-", 30): strings.Repeat("ab-", 20) + "ab",
	} {
		if got := hostname(hypervisors.VMSpec{ID: testID, Name: name}); got != want {
			t.Errorf("hostname(%q) = %q, want %q", name, got, want)
		}
	}
}
