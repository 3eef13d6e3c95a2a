resource "cloudcore_zone" "dc1" {
  name = "dc1"
}

resource "cloudcore_pod" "rack1" {
  name    = "rack1"
  zone_id = cloudcore_zone.dc1.id
}

resource "cloudcore_cluster" "kvm" {
  name       = "kvm-1"
  pod_id     = cloudcore_pod.rack1.id
  hypervisor = "kvm"
}

resource "cloudcore_cluster" "lab" {
  name       = "lab"
  pod_id     = cloudcore_pod.rack1.id
  hypervisor = "simulator"
}

variable "kvm_password" {
  type      = string
  sensitive = true
}

variable "bmc_password" {
  type      = string
  sensitive = true
}

# A KVM host reached over SSH, with its BMC for HA fencing. The passwords are
# write-only (Terraform 1.11 or later): they never reach the state; bump the
# password_wo_version next to one to rotate it.
resource "cloudcore_host" "kvm1" {
  name                = "kvm1"
  cluster_id          = cloudcore_cluster.kvm.id
  url                 = "qemu+ssh://cloudcore@kvm1.dc1.example/system"
  username            = "cloudcore"
  password_wo         = var.kvm_password
  password_wo_version = 1
  oobm = {
    address             = "10.0.100.11"
    username            = "cloudcore"
    password_wo         = var.bmc_password
    password_wo_version = 1
  }
}

output "kvm1_ha_state" {
  value = cloudcore_host.kvm1.ha_state
}

# Simulated hosts: the URL sets the capacity they report.
resource "cloudcore_host" "sim" {
  for_each   = toset(["sim1", "sim2"])
  name       = each.key
  cluster_id = cloudcore_cluster.lab.id
  url        = "simulator://${each.key}?cpus=16&memory_mib=65536"
}

# A host taken out of service: it keeps its instances but takes no new ones.
resource "cloudcore_host" "spare" {
  name        = "spare"
  cluster_id  = cloudcore_cluster.lab.id
  url         = "simulator://spare"
  maintenance = true
}

resource "cloudcore_cluster" "xen" {
  name       = "xen-pool-1"
  pod_id     = cloudcore_pod.rack1.id
  hypervisor = "xenserver"
}

variable "xen_password" {
  type      = string
  sensitive = true
}

# Two members of a XenServer pool, named in the pool; cloudcore follows the
# pool to its master and verifies the pool's self-signed certificate.
resource "cloudcore_host" "xen" {
  for_each   = toset(["xen1", "xen2"])
  name       = each.key
  cluster_id = cloudcore_cluster.xen.id
  url        = "https://xen-pool.dc1.example?host=${each.key}&ca_file=/etc/cloudcore/xen-pool-ca.pem"
  username   = "root"
  password   = var.xen_password
}
