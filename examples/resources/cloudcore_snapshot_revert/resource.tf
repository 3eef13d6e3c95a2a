# Roll db-1 back to the snapshot taken before the upgrade. Bump the trigger
# to revert again later; destroying this resource reverts nothing.
resource "cloudcore_snapshot_revert" "rollback" {
  snapshot_id = cloudcore_snapshot.before_upgrade.id
  triggers = {
    ticket = "OPS-1234"
  }
}
