# An affinity group is imported by its ID or by its name.
terraform import cloudcore_affinity_group.db 3a7d2c1b-5e6f-4a8b-9c0d-1e2f3a4b5c6d
terraform import cloudcore_affinity_group.db db-replicas
