package kvm

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want hostConfig
	}{
		{"qemu:///system", hostConfig{uri: "qemu:///system", local: true, domainType: "auto", stopTimeout: time.Minute, detachTimeout: time.Minute,
			stopFallback: "error", configDrive: true, consoleLogDir: "/var/log/libvirt/qemu", segments: bridgePerVLAN{}}},
		{"qemu+ssh://root@kvm1/system?keyfile=/k&domain_type=qemu&stop_timeout=5s&stop_fallback=destroy&config_drive=false&nic_detach_timeout=2m",
			hostConfig{uri: "qemu+ssh://root@kvm1/system?keyfile=%2Fk", domainType: "qemu", stopTimeout: 5 * time.Second, detachTimeout: 2 * time.Minute,
				stopFallback: "destroy", consoleLogDir: "/var/log/libvirt/qemu", segments: bridgePerVLAN{}}},
		{"qemu:///system?vlan_uplink=bond0.%25d&console_log_dir=/srv/log", hostConfig{uri: "qemu:///system", local: true,
			domainType: "auto", stopTimeout: time.Minute, detachTimeout: time.Minute, stopFallback: "error", configDrive: true, consoleLogDir: "/srv/log",
			segments: bridgePerVLAN{uplink: "bond0.%d"}}},
		{"qemu:///system?vlan_mode=vxlan&vxlan_group=239.1.1.1&vxlan_dev=eth0&vxlan_port=8472", hostConfig{uri: "qemu:///system",
			local: true, domainType: "auto", stopTimeout: time.Minute, detachTimeout: time.Minute, stopFallback: "error", configDrive: true,
			consoleLogDir: "/var/log/libvirt/qemu",
			segments:      vxlanSegments{group: netip.MustParseAddr("239.1.1.1"), dev: "eth0", port: 8472}}},
		{"test:///default", hostConfig{uri: "test:///default", testDriver: true, domainType: "auto", stopTimeout: time.Minute, detachTimeout: time.Minute,
			stopFallback: "error", configDrive: true, consoleLogDir: "/var/log/libvirt/qemu", segments: bridgePerVLAN{}}},
	} {
		got, err := parseURL(tc.url)
		if err != nil || got != tc.want {
			t.Errorf("parseURL(%q) =\n%+v, %v\nwant\n%+v", tc.url, got, err, tc.want)
		}
	}
}

func TestParseURLRejects(t *testing.T) {
	for _, url := range []string{
		"http://kvm1/",
		"qemu:///system?domain_type=xen",
		"qemu:///system?stop_timeout=-1s",
		"qemu:///system?stop_fallback=later",
		"qemu:///system?nic_detach_timeout=soon",
		"qemu:///system?config_drive=maybe",
		"qemu:///system?console_log_dir=relative",
		"qemu:///system?vlan_mode=ovs",
		"qemu:///system?vlan_uplink=bond0",
		"qemu:///system?vxlan_remote=10.0.0.1",
		"qemu:///system?vlan_mode=vxlan",
		"qemu:///system?vlan_mode=vxlan&vxlan_group=10.0.0.1&vxlan_dev=eth0",
		"qemu:///system?vlan_mode=vxlan&vxlan_group=239.1.1.1",
		"qemu:///system?vlan_mode=vxlan&vxlan_remote=10.0.0.1&vxlan_port=0",
		"qemu+ssh://kvm1/system?vlan_mode=vxlan&vxlan_remote=10.0.0.1",
		"qemu+tcp://kvm1/system?vlan_uplink=eth0.%25d",
	} {
		if _, err := parseURL(url); !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("parseURL(%q): %v, want ErrInvalid", url, err)
		}
	}
}
