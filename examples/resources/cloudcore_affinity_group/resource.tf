# Instances that join this group are placed on different hosts, so that the
# failure of one host takes down at most one database replica.
resource "cloudcore_affinity_group" "db" {
  name        = "db-replicas"
  type        = "host anti-affinity"
  description = "keep database replicas on separate hosts"
}

# Instances that join this group are placed on the same host.
resource "cloudcore_affinity_group" "cache" {
  name = "app-with-cache"
  type = "host affinity"
}
