resource "cloudcore_zone" "dc1" {
  name = "dc1"
}

# A pod: a rack or row of the zone that groups clusters.
resource "cloudcore_pod" "rack1" {
  name        = "rack1"
  zone_id     = cloudcore_zone.dc1.id
  description = "row A, rack 1"
}
