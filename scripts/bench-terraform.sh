#!/usr/bin/env bash
# Measures the provider with a real Terraform CLI, in one run on one machine:
#   - `terraform apply` of 300 cloudcore_instance resources (on simulated hosts);
#   - `terraform plan` over those 300 instances against the same plan over 300
#     terraform_data resources (the baseline: Terraform's own cost), as a ratio;
#   - the same ratio for 300 cloudcore_zone resources, the provider's simplest
#     resource: what any resource served over the plugin protocol costs beside
#     a built-in one (the floor of the first ratio).
# Usage: scripts/bench-terraform.sh [COUNT]   (default 300; plans run 3 times each)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

count=${1:-300}
rounds=3
tf=$(scripts/terraform.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CHECKPOINT_DISABLE=1

go build -o "$work/bin/terraform-provider-cloudcore" .
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudcore/cloudcore" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"

mkdir -p "$work/cloud" "$work/baseline" "$work/zones"
cat >"$work/cloud/main.tf" <<TF
terraform {
  required_providers {
    cloudcore = { source = "cloudcore/cloudcore" }
  }
}
provider "cloudcore" {}
resource "cloudcore_zone" "z" { name = "bench" }
resource "cloudcore_pod" "p" {
  name    = "pod"
  zone_id = cloudcore_zone.z.id
}
resource "cloudcore_cluster" "c" {
  name       = "sim"
  pod_id     = cloudcore_pod.p.id
  hypervisor = "simulator"
}
resource "cloudcore_host" "h" {
  count      = 10
  name       = "hv\${count.index}"
  cluster_id = cloudcore_cluster.c.id
  url        = "simulator://hv\${count.index}?cpus=64&memory_mib=262144"
}
resource "cloudcore_storage_pool" "s" {
  name         = "primary"
  zone_id      = cloudcore_zone.z.id
  url          = "file:///srv/primary"
  capacity_gib = 100000
}
resource "cloudcore_template" "t" {
  name     = "tiny"
  zone_id  = cloudcore_zone.z.id
  url      = "http://images.example/tiny.qcow2"
  format   = "qcow2"
  size_gib = 1
}
resource "cloudcore_network" "n" {
  name    = "guests"
  zone_id = cloudcore_zone.z.id
  cidr    = "10.0.0.0/16"
}
resource "cloudcore_instance" "vm" {
  count       = $count
  name        = "vm-\${count.index}"
  template_id = cloudcore_template.t.id
  cpus        = 1
  memory_mib  = 256
  network {
    network_id = cloudcore_network.n.id
  }
  depends_on = [cloudcore_host.h, cloudcore_storage_pool.s]
}
TF
cat >"$work/zones/main.tf" <<TF
terraform {
  required_providers {
    cloudcore = { source = "cloudcore/cloudcore" }
  }
}
provider "cloudcore" {}
resource "cloudcore_zone" "z" {
  count = $count
  name  = "zone-\${count.index}"
}
TF
cat >"$work/baseline/main.tf" <<TF
resource "terraform_data" "d" {
  count = $count
  input = "vm-\${count.index}"
}
TF

seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null; awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }

(cd "$work/baseline" && "$tf" init -input=false >/dev/null && "$tf" apply -auto-approve -input=false >/dev/null)
(cd "$work/zones" && "$tf" apply -auto-approve -input=false >/dev/null)
apply=$(cd "$work/cloud" && seconds "$tf" apply -auto-approve -input=false)

plan_cloud=0 plan_base=0 plan_zones=0
for _ in $(seq "$rounds"); do
	plan_cloud=$(add "$plan_cloud" "$(cd "$work/cloud" && seconds "$tf" plan -input=false -detailed-exitcode)")
	plan_base=$(add "$plan_base" "$(cd "$work/baseline" && seconds "$tf" plan -input=false -detailed-exitcode)")
	plan_zones=$(add "$plan_zones" "$(cd "$work/zones" && seconds "$tf" plan -input=false -detailed-exitcode)")
done
printf 'terraform apply of %d cloudcore_instance (plus 17 other resources): %.2f s\n' "$count" "$apply"
awk -v n="$count" -v r="$rounds" -v c="$plan_cloud" -v b="$plan_base" 'BEGIN {
	printf "terraform plan, %d cloudcore_instance: %.2f s; %d terraform_data: %.2f s; ratio %.2f (target <= 1.5)\n", n, c / r, n, b / r, c / b
}'
awk -v n="$count" -v r="$rounds" -v z="$plan_zones" -v b="$plan_base" 'BEGIN {
	printf "terraform plan, %d cloudcore_zone (the simplest resource; the floor of the ratio above): %.2f s; ratio %.2f\n", n, z / r, z / b
}'
