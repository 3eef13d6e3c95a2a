data "cloudcore_zone" "main" {
  name = "fra-1"
}
