resource "cloudcore_snapshot" "before_upgrade" {
  name        = "before-upgrade"
  instance_id = cloudcore_instance.db.id
  memory      = true
}
