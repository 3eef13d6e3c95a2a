# A cluster is imported by its ID or as <zone name>/<pod name>/<cluster name>.
terraform import cloudcore_cluster.kvm 7d3f9a2b-4c5e-4f6a-9b8c-1d2e3f4a5b6c
terraform import cloudcore_cluster.kvm dc1/rack1/kvm-1
