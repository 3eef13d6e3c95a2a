# A template is imported by its ID or as <zone name>/<template name>.
terraform import cloudcore_template.debian 4d8e0f2a-9b1c-4d3e-8f5a-6b7c8d9e0f1a
terraform import cloudcore_template.debian dc1/debian-12
