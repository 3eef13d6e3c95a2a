// Package all links every hypervisor driver into a program. Import it for
// its side effect, as one imports a database/sql driver:
//
//	import _ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/all"
//
// after which hypervisors.Lookup finds each driver by name.
package all

import (
	// KVM through libvirt, loaded at run time (build tag libvirt_dlopen):
	// programs start on machines without libvirt and use it when present.
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/kvm"
	// The simulator: hosts kept as files, for development and tests.
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
	// VMware ESXi, standalone or under vCenter, through govmomi.
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/vmware"
	// XenServer and XCP-ng pools through XenAPI.
	_ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver"
)
