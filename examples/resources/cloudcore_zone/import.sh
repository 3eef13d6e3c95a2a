# By ID:
terraform import cloudcore_zone.main 0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a

# By name:
terraform import cloudcore_zone.main fra-1
