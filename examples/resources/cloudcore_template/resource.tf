resource "cloudcore_zone" "dc1" {
  name = "dc1"
}

# A cloud image any cluster can boot from; root disks are at least 2 GiB.
resource "cloudcore_template" "debian" {
  name     = "debian-12"
  zone_id  = cloudcore_zone.dc1.id
  url      = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2"
  format   = "qcow2"
  size_gib = 2
  os_type  = "debian-12"
}

# An OVA for VMware clusters only.
resource "cloudcore_template" "appliance" {
  name       = "appliance"
  zone_id    = cloudcore_zone.dc1.id
  url        = "file:///srv/images/appliance.ova"
  format     = "ova"
  hypervisor = "vmware"
  size_gib   = 20
}

# A disk the XenServer pool has already, for XenServer clusters only.
resource "cloudcore_template" "xen_debian" {
  name       = "debian-12-xen"
  zone_id    = cloudcore_zone.dc1.id
  url        = "vdi:debian-12-template"
  format     = "raw"
  hypervisor = "xenserver"
  size_gib   = 2
}
