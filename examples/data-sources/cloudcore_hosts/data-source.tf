data "cloudcore_zone" "dc1" {
  name = "dc1"
}

# Every host of the zone that is up.
data "cloudcore_hosts" "up" {
  zone_id = data.cloudcore_zone.dc1.id
  state   = "Up"
}

# The hosts of one cluster, whatever their state.
data "cloudcore_hosts" "kvm" {
  cluster_id = "7d3f9a2b-4c5e-4f6a-9b8c-1d2e3f4a5b6c"
}

output "zone_cpus_up" {
  value = sum([for h in data.cloudcore_hosts.up.hosts : h.cpus])
}

output "hosts_in_maintenance" {
  value = [for h in data.cloudcore_hosts.kvm.hosts : h.name if h.maintenance]
}
