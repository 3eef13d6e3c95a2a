# A host is imported by its ID, as <zone name>/<pod name>/<cluster name>/<host name>,
# or as <cluster ID>/<host name>. cloudcore never returns a password: the next
# apply sends the configured password (or password_wo) again.
terraform import cloudcore_host.kvm1 9e4a0b3c-5d6f-4a7b-8c9d-2e3f4a5b6c7d
terraform import cloudcore_host.kvm1 dc1/rack1/kvm-1/kvm1
terraform import cloudcore_host.kvm1 7d3f9a2b-4c5e-4f6a-9b8c-1d2e3f4a5b6c/kvm1
