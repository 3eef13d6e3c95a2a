resource "cloudcore_instance" "web" {
  name        = "web-1"
  template_id = cloudcore_template.debian.id
  cpus        = 2
  memory_mib  = 2048
  ha_enabled  = true

  network {
    network_id = cloudcore_network.frontend.id
  }

  network {
    network_id = cloudcore_network.backend.id
    ip_address = "10.20.0.50"
  }

  affinity_group_ids = [cloudcore_affinity_group.web.id]

  user_data = <<-EOT
    #cloud-config
    packages: [nginx]
  EOT

  timeouts = {
    create = "15m"
  }
}
