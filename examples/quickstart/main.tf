# A small cloud on simulated hosts: one zone with a pod, a cluster of three
# hosts, primary storage, a template, two networks, four instances (two with
# HA) spread over the hosts by an anti-affinity group, and a snapshot.
#
# Run it with `make demo`; `make demo-destroy` tears it down.

terraform {
  required_providers {
    cloudcore = {
      source = "cloudcore/cloudcore"
    }
  }
}

# The state of the cloud lives in an SQLite file beside this configuration
# (with its secret key in cloudcore.db.key); set CLOUDCORE_DATABASE to a
# postgres:// URL to share one cloud between pipelines.
provider "cloudcore" {}

resource "cloudcore_zone" "main" {
  name = "quickstart"
  dns  = ["9.9.9.9"]
}

resource "cloudcore_pod" "a" {
  name    = "pod-a"
  zone_id = cloudcore_zone.main.id
}

resource "cloudcore_cluster" "sim" {
  name              = "sim-cluster"
  pod_id            = cloudcore_pod.a.id
  hypervisor        = "simulator"
  cpu_overcommit    = 2
  memory_overcommit = 1.5
}

resource "cloudcore_host" "hv" {
  count      = 3
  name       = "hv${count.index + 1}"
  cluster_id = cloudcore_cluster.sim.id
  url        = "simulator://hv${count.index + 1}?cpus=16&memory_mib=65536"
  username   = "root"
  password   = "demo-password"
}

resource "cloudcore_storage_pool" "primary" {
  name         = "primary"
  cluster_id   = cloudcore_cluster.sim.id
  url          = "file:///var/lib/cloudcore/primary"
  capacity_gib = 2048
}

resource "cloudcore_template" "debian" {
  name     = "debian-12"
  zone_id  = cloudcore_zone.main.id
  url      = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2"
  format   = "qcow2"
  size_gib = 2
}

resource "cloudcore_network" "frontend" {
  name    = "frontend"
  zone_id = cloudcore_zone.main.id
  cidr    = "10.10.0.0/24"
  vlan    = 110
}

resource "cloudcore_network" "backend" {
  name            = "backend"
  zone_id         = cloudcore_zone.main.id
  cidr            = "10.20.0.0/24"
  vlan            = 120
  reserved_ranges = ["10.20.0.2-10.20.0.9"]
}

resource "cloudcore_affinity_group" "web" {
  name = "web-spread"
  type = "host anti-affinity"
}

locals {
  instances = [
    { name = "web-1", cpus = 2, memory_mib = 2048, ha = true, web = true, running = true },
    { name = "web-2", cpus = 2, memory_mib = 2048, ha = true, web = true, running = true },
    { name = "db-1", cpus = 4, memory_mib = 8192, ha = false, web = false, running = true },
    { name = "batch-1", cpus = 1, memory_mib = 1024, ha = false, web = false, running = false },
  ]
}

resource "cloudcore_instance" "vm" {
  count       = length(local.instances)
  name        = local.instances[count.index].name
  template_id = cloudcore_template.debian.id
  cpus        = local.instances[count.index].cpus
  memory_mib  = local.instances[count.index].memory_mib
  ha_enabled  = local.instances[count.index].ha
  running     = local.instances[count.index].running

  dynamic "network" {
    for_each = local.instances[count.index].web ? [cloudcore_network.frontend.id] : []
    content {
      network_id = network.value
    }
  }
  network {
    network_id = cloudcore_network.backend.id
  }

  affinity_group_ids = local.instances[count.index].web ? [cloudcore_affinity_group.web.id] : null

  # Storage and hosts must exist before placement.
  depends_on = [cloudcore_host.hv, cloudcore_storage_pool.primary]
}

resource "cloudcore_snapshot" "db_baseline" {
  name        = "db-1-baseline"
  instance_id = cloudcore_instance.vm[2].id # db-1
  memory      = true
}

output "instances" {
  description = "Where each instance runs and its addresses."
  value = {
    for vm in cloudcore_instance.vm : vm.name => {
      state     = vm.state
      host      = [for h in cloudcore_host.hv : h.name if h.id == vm.host_id][0]
      addresses = [for n in vm.network : n.ip_address]
      ha        = vm.ha_enabled
    }
  }
}

output "snapshot" {
  value = "${cloudcore_snapshot.db_baseline.name}: ${cloudcore_snapshot.db_baseline.state}"
}
