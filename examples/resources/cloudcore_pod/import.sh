# A pod is imported by its ID or as <zone name>/<pod name>.
terraform import cloudcore_pod.rack1 5c2e8f1a-3b4d-4e6f-8a9b-0c1d2e3f4a5b
terraform import cloudcore_pod.rack1 dc1/rack1
