data "cloudcore_instance" "db" {
  zone_id = data.cloudcore_zone.main.id
  name    = "db-1"
}

output "db_addresses" {
  value = data.cloudcore_instance.db.ip_addresses
}
