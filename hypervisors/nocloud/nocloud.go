// Package nocloud builds cloud-init NoCloud seeds: the config drive
// (ISO 9660, volume label cidata) that drivers attach to a VM so that
// cloud-init in the guest finds its instance ID, hostname, SSH keys, user
// data and the addresses IPAM gave its NICs.
package nocloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/kdomanski/iso9660"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// cidataLabel is the volume label cloud-init's NoCloud data source looks
// for.
const cidataLabel = "cidata"

// seedFiles returns the files of the NoCloud seed of spec, by name:
//
//	user-data       VMSpec.UserData as it is
//	meta-data       instance-id (the VM ID), local-hostname (from the
//	                display name) and public-keys (VMSpec.SSHKeys)
//	network-config  network configuration version 2: each NIC matched by
//	                MAC, with its IPAM address, the first gateway as the
//	                default route, and its DNS servers; DHCP for a NIC
//	                without an address
//
// meta-data and network-config are JSON, which YAML readers take as it is.
func seedFiles(spec hypervisors.VMSpec) (map[string][]byte, error) {
	meta, err := json.Marshal(map[string]any{
		"instance-id":    spec.ID,
		"local-hostname": hostname(spec),
		"public-keys":    append([]string{}, spec.SSHKeys...),
	})
	if err != nil {
		return nil, err
	}
	network, err := json.Marshal(networkConfig(spec.NICs))
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"user-data":      []byte(spec.UserData),
		"meta-data":      meta,
		"network-config": network,
	}, nil
}

// netplanConfig is network configuration version 2 as cloud-init reads it.
type netplanConfig struct {
	Version   int                        `json:"version"`
	Ethernets map[string]netplanEthernet `json:"ethernets"`
}

type netplanEthernet struct {
	Match       map[string]string   `json:"match"`
	DHCP4       bool                `json:"dhcp4,omitempty"`
	Addresses   []string            `json:"addresses,omitempty"`
	Routes      []netplanRoute      `json:"routes,omitempty"`
	Nameservers *netplanNameservers `json:"nameservers,omitempty"`
}

type netplanRoute struct {
	To  string `json:"to"`
	Via string `json:"via"`
}

type netplanNameservers struct {
	Addresses []string `json:"addresses"`
}

// networkConfig configures nics statically with the addresses IPAM gave
// them. Only the first NIC with a gateway gets a default route, so a guest
// with several NICs has one.
func networkConfig(nics []hypervisors.NIC) netplanConfig {
	cfg := netplanConfig{Version: 2, Ethernets: map[string]netplanEthernet{}}
	routed := false
	for i, n := range nics {
		e := netplanEthernet{Match: map[string]string{"macaddress": strings.ToLower(n.MAC)}}
		if !n.Address.IsValid() {
			e.DHCP4 = true
		} else {
			e.Addresses = []string{n.Address.String()}
		}
		if n.Gateway.IsValid() && n.Address.IsValid() && !routed {
			e.Routes = []netplanRoute{{To: defaultRoute(n.Gateway), Via: n.Gateway.String()}}
			routed = true
		}
		if len(n.DNS) > 0 {
			e.Nameservers = &netplanNameservers{}
			for _, d := range n.DNS {
				e.Nameservers.Addresses = append(e.Nameservers.Addresses, d.String())
			}
		}
		cfg.Ethernets[fmt.Sprintf("nic%d", i)] = e
	}
	return cfg
}

func defaultRoute(gw netip.Addr) string {
	if gw.Is4() {
		return "0.0.0.0/0"
	}
	return "::/0"
}

// hostname makes a DNS label of the VM's display name (lower case letters,
// digits and inner dashes, at most 63 characters), or "vm-" and the start
// of its ID when the name has nothing of that.
func hostname(spec hypervisors.VMSpec) string {
	var b strings.Builder
	for _, r := range strings.ToLower(spec.Name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	if name == "" {
		name = "vm-" + spec.ID[:8]
	}
	return name
}

// Image returns the NoCloud seed of spec as an ISO 9660 image labelled
// cidata.
func Image(spec hypervisors.VMSpec) (_ []byte, err error) {
	files, err := seedFiles(spec)
	if err != nil {
		return nil, err
	}
	w, err := iso9660.NewWriter()
	if err != nil {
		return nil, fmt.Errorf("building the config drive: %w", err)
	}
	defer func() { err = errors.Join(err, w.Cleanup()) }() // its staging directory
	for name, data := range files {
		if err := w.AddFile(bytes.NewReader(data), name); err != nil {
			return nil, fmt.Errorf("building the config drive: %w", err)
		}
	}
	var img bytes.Buffer
	if err := w.WriteTo(&img, cidataLabel); err != nil {
		return nil, fmt.Errorf("building the config drive: %w", err)
	}
	return img.Bytes(), nil
}
