resource "cloudcore_zone" "dc1" {
  name = "dc1"
  dns  = ["192.0.2.53"]
}

# An isolated network: cloudcore hands out addresses of 10.1.0.0/24 to the
# instances attached to it. The gateway defaults to 10.1.0.1 and the DNS
# resolvers to the zone's.
resource "cloudcore_network" "web" {
  name            = "web"
  zone_id         = cloudcore_zone.dc1.id
  cidr            = "10.1.0.0/24"
  vlan            = 101
  reserved_ranges = ["10.1.0.200-10.1.0.250"]
  description     = "web tier"
}

# A shared network with its own gateway and resolvers.
resource "cloudcore_network" "services" {
  name    = "services"
  zone_id = cloudcore_zone.dc1.id
  type    = "shared"
  cidr    = "10.2.0.0/22"
  gateway = "10.2.3.254"
  vlan    = 102
  dns     = ["10.2.0.53", "10.2.0.54"]
}

# A bare layer-2 segment: instances get MAC addresses only.
resource "cloudcore_network" "storage" {
  name    = "storage"
  zone_id = cloudcore_zone.dc1.id
  type    = "l2"
  vlan    = 200
}
