package vmware

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// maxUserData is the most user data a VM takes, as vSphere's cloud-init
// customization takes it.
const maxUserData = 512 << 10

// The guestinfo ExtraConfig keys cloud-init's VMware datasource reads.
const (
	guestinfoMetadata         = "guestinfo.metadata"
	guestinfoMetadataEncoding = "guestinfo.metadata.encoding"
	guestinfoUserdata         = "guestinfo.userdata"
	guestinfoUserdataEncoding = "guestinfo.userdata.encoding"
	guestinfoEncoding         = "base64"
)

// metadata is the instance metadata of cloud-init's VMware datasource.
type metadata struct {
	InstanceID    string        `json:"instance-id"`
	LocalHostname string        `json:"local-hostname"`
	PublicKeys    []string      `json:"public-keys,omitempty"`
	Network       networkConfig `json:"network"`
}

// networkConfig is cloud-init's network configuration, version 2.
type networkConfig struct {
	Version   int                 `json:"version"`
	Ethernets map[string]ethernet `json:"ethernets"`
}

// ethernet configures one NIC, matched by its MAC address.
type ethernet struct {
	Match       macMatch     `json:"match"`
	SetName     string       `json:"set-name"`
	Addresses   []string     `json:"addresses,omitempty"`
	Routes      []route      `json:"routes,omitempty"`
	Nameservers *nameservers `json:"nameservers,omitempty"`
}

type macMatch struct {
	MACAddress string `json:"macaddress"`
}

type route struct {
	To  string `json:"to"`
	Via string `json:"via"`
}

type nameservers struct {
	Addresses []string `json:"addresses"`
}

// hostnameLabel is a DNS label a display name can be used as.
var hostnameLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// guestinfo returns the ExtraConfig that hands spec's identity, network
// configuration, SSH keys and user data to cloud-init: guestinfo.metadata
// and, with user data, guestinfo.userdata, both base64. The first NIC with
// a gateway carries the default route.
func guestinfo(spec hypervisors.VMSpec) ([]types.BaseOptionValue, error) {
	if len(spec.UserData) > maxUserData {
		return nil, fmt.Errorf("%w: VM %s: user data has %d bytes, more than %d", hypervisors.ErrInvalid, spec.ID, len(spec.UserData), maxUserData)
	}
	md := metadata{
		InstanceID:    spec.ID,
		LocalHostname: vmName(spec.ID),
		PublicKeys:    spec.SSHKeys,
		Network:       networkConfig{Version: 2, Ethernets: map[string]ethernet{}},
	}
	if hostnameLabel.MatchString(spec.Name) {
		md.LocalHostname = spec.Name
	}
	defaultRoute := false
	for i, nic := range spec.NICs {
		name := fmt.Sprintf("eth%d", i)
		e := ethernet{Match: macMatch{MACAddress: nic.MAC}, SetName: name}
		if nic.Address.IsValid() {
			e.Addresses = []string{nic.Address.String()}
		}
		if nic.Gateway.IsValid() && !defaultRoute {
			e.Routes = []route{{To: defaultDestination(nic.Gateway), Via: nic.Gateway.String()}}
			defaultRoute = true
		}
		if len(nic.DNS) > 0 {
			ns := &nameservers{}
			for _, a := range nic.DNS {
				ns.Addresses = append(ns.Addresses, a.String())
			}
			e.Nameservers = ns
		}
		md.Network.Ethernets[name] = e
	}
	js, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	opts := []types.BaseOptionValue{
		&types.OptionValue{Key: guestinfoMetadata, Value: base64.StdEncoding.EncodeToString(js)},
		&types.OptionValue{Key: guestinfoMetadataEncoding, Value: guestinfoEncoding},
	}
	if spec.UserData != "" {
		opts = append(opts,
			&types.OptionValue{Key: guestinfoUserdata, Value: base64.StdEncoding.EncodeToString([]byte(spec.UserData))},
			&types.OptionValue{Key: guestinfoUserdataEncoding, Value: guestinfoEncoding})
	}
	return opts, nil
}

// defaultDestination is the default route's destination in gw's family.
func defaultDestination(gw netip.Addr) string {
	if gw.Is4() {
		return "0.0.0.0/0"
	}
	return "::/0"
}
