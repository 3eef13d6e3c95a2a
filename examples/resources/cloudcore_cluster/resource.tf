resource "cloudcore_zone" "dc1" {
  name = "dc1"
}

resource "cloudcore_pod" "rack1" {
  name    = "rack1"
  zone_id = cloudcore_zone.dc1.id
}

# A KVM cluster whose hosts are counted with twice their CPUs and one and a
# half times their memory for placement. Its hosts are checked every 30
# seconds and fenced after 90 seconds of silence; the other HA settings come
# from the zone or the defaults.
resource "cloudcore_cluster" "kvm" {
  name              = "kvm-1"
  pod_id            = cloudcore_pod.rack1.id
  hypervisor        = "kvm"
  cpu_overcommit    = 2
  memory_overcommit = 1.5
  ha = {
    ping_interval = "30s"
    ping_timeout  = "90s"
  }
}

# A cluster of simulated hosts, for development; no new instances go there.
resource "cloudcore_cluster" "lab" {
  name       = "lab"
  pod_id     = cloudcore_pod.rack1.id
  hypervisor = "simulator"
  enabled    = false
}
