resource "cloudcore_zone" "main" {
  name        = "fra-1"
  description = "Frankfurt, hall 3"
  dns         = ["192.0.2.53", "192.0.2.54"]
}
