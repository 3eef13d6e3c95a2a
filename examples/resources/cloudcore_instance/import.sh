# By ID:
terraform import cloudcore_instance.web 6f1c2d3e-4a5b-4c6d-8e7f-901234567890

# By zone ID and instance name:
terraform import cloudcore_instance.web 0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a/web-1
