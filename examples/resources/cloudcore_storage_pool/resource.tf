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

# Zone-wide primary storage on NFS: every host of the zone reaches it.
resource "cloudcore_storage_pool" "shared" {
  name         = "nfs-primary"
  zone_id      = cloudcore_zone.dc1.id
  url          = "nfs://filer.dc1.example/export/primary"
  capacity_gib = 4096
}

# Cluster-wide storage: a directory on the hosts of one cluster. Its zone is
# the cluster's.
resource "cloudcore_storage_pool" "local" {
  name         = "kvm-1-local"
  cluster_id   = cloudcore_cluster.kvm.id
  url          = "file:///var/lib/cloudcore/primary"
  capacity_gib = 1024
}

resource "cloudcore_cluster" "xen" {
  name       = "xen-pool-1"
  pod_id     = cloudcore_pod.rack1.id
  hypervisor = "xenserver"
}

# A storage repository the XenServer pool has, by its name label.
resource "cloudcore_storage_pool" "xen_sr" {
  name         = "xen-shared"
  cluster_id   = cloudcore_cluster.xen.id
  url          = "sr:Shared NFS storage"
  capacity_gib = 2048
}
