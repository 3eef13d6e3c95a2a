data "cloudcore_zone" "dc1" {
  name = "dc1"
}

# By zone and name.
data "cloudcore_network" "web" {
  zone_id = data.cloudcore_zone.dc1.id
  name    = "web"
}

# By ID.
data "cloudcore_network" "by_id" {
  id = "0b5c3f4e-8d4a-4d0e-9a55-6d2f3c1e7b90"
}

output "web_gateway" {
  value = data.cloudcore_network.web.gateway
}
