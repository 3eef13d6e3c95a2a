# By ID:
terraform import cloudcore_snapshot.before_upgrade 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d

# By instance ID and snapshot name:
terraform import cloudcore_snapshot.before_upgrade 6f1c2d3e-4a5b-4c6d-8e7f-901234567890/before-upgrade
