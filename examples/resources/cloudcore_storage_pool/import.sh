# A storage pool is imported by its ID or as <zone name>/<pool name>.
terraform import cloudcore_storage_pool.shared 2b6c8d0e-7f1a-4b2c-9d3e-4f5a6b7c8d9e
terraform import cloudcore_storage_pool.shared dc1/nfs-primary
