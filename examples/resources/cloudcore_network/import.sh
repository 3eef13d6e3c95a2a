# A network is imported by its ID or as <zone name>/<network name>.
terraform import cloudcore_network.web 0b5c3f4e-8d4a-4d0e-9a55-6d2f3c1e7b90
terraform import cloudcore_network.web dc1/web
