terraform {
  required_providers {
    cloudcore = {
      source = "cloudcore/cloudcore"
    }
  }
}

# With no settings, the provider keeps its state in cloudcore.db in the
# working directory (or in $CLOUDCORE_DATABASE) and encrypts credentials
# with a key file, cloudcore.db.key, created beside it.
provider "cloudcore" {}

# Several pipelines and management servers sharing one cloud: a PostgreSQL
# database, and the key that encrypts host credentials (better given as
# CLOUDCORE_SECRET_KEY in the environment than written here).
#
# provider "cloudcore" {
#   database   = "postgres://cloudcore@db.example/cloudcore"
#   secret_key = var.cloudcore_secret_key
# }
