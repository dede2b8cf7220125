# A scheduled refresh: run this every night (cron, a CI schedule) to publish the latest managed image as
# the next version of the definition, keep only the newest few versions this plugin published, and shrink
# the superseded ones to the source region so only the latest pays for wide replication.
#
#   image_version = "auto"       → 1.0.0, 1.0.1, 1.0.2, ... (version_bump = "minor" gives 1.1.0, 1.2.0)
#   keep_versions = 5            → older versions this plugin published are deleted once the new one has
#                                  fully replicated; versions published by anything else are never touched
#   demote_superseded_to_source_region = true
#                                → the versions kept but superseded keep only their source region
#
# For date-based versions instead, set image_version = formatdate("YYYY.MMDD.hhmm", timestamp()).

packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}

variable "subscription_id" {
  type    = string
  default = env("ARM_SUBSCRIPTION_ID")
}
variable "tenant_id" {
  type    = string
  default = env("ARM_TENANT_ID")
}
variable "client_id" {
  type    = string
  default = env("ARM_CLIENT_ID")
}
variable "client_secret" {
  type      = string
  default   = env("ARM_CLIENT_SECRET")
  sensitive = true
}
# Empty for Azure's public cloud; host:port of the emulator or an Azure Stack Hub for a custom cloud.
variable "metadata_host" {
  type    = string
  default = env("ARM_METADATA_HOST")
}

variable "source_image_id" {
  type        = string
  description = "Resource ID of tonight's generalized managed image."
}
variable "regions" {
  type    = list(string)
  default = ["eastus", "westeurope", "westus2"]
}
variable "keep_versions" {
  type    = number
  default = 5
}
variable "demote" {
  type        = bool
  default     = true
  description = "Shrink superseded versions to their source region."
}
variable "dry_run" {
  type    = bool
  default = false
}

source "null" "nightly" {
  communicator = "none"
}

build {
  sources = ["source.null.nightly"]

  post-processor "azure-gallery" {
    subscription_id = var.subscription_id
    tenant_id       = var.tenant_id
    client_id       = var.client_id
    client_secret   = var.client_secret
    metadata_host   = var.metadata_host

    source_image_id = var.source_image_id

    resource_group = "images-rg"
    gallery_name   = "golden"
    create_gallery = true
    image_name     = "ubuntu-server"
    publisher      = "contoso"
    offer          = "ubuntu-server"
    sku            = "22.04-lts"

    image_version = "auto"
    version_bump  = "patch"

    dynamic "target_region" {
      for_each = var.regions
      content {
        name = target_region.value
      }
    }

    keep_versions                      = var.keep_versions
    demote_superseded_to_source_region = var.demote
    retention_dry_run                  = var.dry_run

    tags = {
      team   = "platform"
      source = "packer"
    }
  }
}
