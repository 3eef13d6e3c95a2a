package kvm

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

const testID = "0b4e6f64-5d4c-4d9a-9a6c-3c8a3f0f6b11"

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name, prefix, suffix string
		want                 string
	}{
		{volumeName(testID), volumePrefix, volumeSuffix, testID},
		{domainName(testID), domainPrefix, "", testID},
		{snapshotName(testID), snapshotPrefix, "", testID},
		{cidataName(testID), volumePrefix, volumeSuffix, ""},
		{"cloudcore-vol-0B4E6F64-5D4C-4D9A-9A6C-3C8A3F0F6B11.qcow2", volumePrefix, volumeSuffix, ""},
		{"cloudcore-" + testID + "-nic0", domainPrefix, "", ""},
		{"test", domainPrefix, "", ""},
	} {
		got, ok := idFrom(tc.name, tc.prefix, tc.suffix)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("idFrom(%q) = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
	for i, want := range map[int]string{0: "vda", 25: "vdz", 26: "vdaa", 27: "vdab", 701: "vdzz", 702: "vdaaa"} {
		if got := virtioName(i); got != want {
			t.Errorf("virtioName(%d) = %q, want %q", i, got, want)
		}
	}
	for _, tc := range []struct {
		n    hypervisors.NetworkSpec
		want string
		vlan int
	}{
		{hypervisors.NetworkSpec{ID: testID}, "ccn0b4e6f645d4c", 0},
		{hypervisors.NetworkSpec{ID: testID, VLAN: 4094}, "ccv4094", 4094},
	} {
		if got := bridgeName(tc.n); got != tc.want || bridgeVLAN(got) != tc.vlan {
			t.Errorf("bridgeName(%+v) = %q (VLAN %d), want %q", tc.n, got, bridgeVLAN(got), tc.want)
		}
	}
}
