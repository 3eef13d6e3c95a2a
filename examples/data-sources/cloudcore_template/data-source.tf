data "cloudcore_zone" "dc1" {
  name = "dc1"
}

# By zone and name.
data "cloudcore_template" "debian" {
  zone_id = data.cloudcore_zone.dc1.id
  name    = "debian-12"
}

# By ID.
data "cloudcore_template" "by_id" {
  id = "4d8e0f2a-9b1c-4d3e-8f5a-6b7c8d9e0f1a"
}

output "debian_min_root_disk_gib" {
  value = data.cloudcore_template.debian.size_gib
}
