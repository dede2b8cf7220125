# A public image pipeline, as a distribution publishing to every Azure user would run it: publish a
# managed image into a community gallery (created on the first run), with soft delete so that a version
# pruned by retention stays recoverable, zone-redundant storage where the region has zones, and
# PremiumV2 direct drive replicas in the main region. `image_version = "auto"` never reuses the number of
# a soft-deleted version; `packer build -force` republishes a version this plugin published.
#
# A consumer reads the public versions with the data source (see the end of this file).

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
variable "metadata_host" {
  type    = string
  default = env("ARM_METADATA_HOST")
}
variable "source_image_id" {
  type        = string
  description = "Resource ID of the generalized managed image to publish."
}
variable "resource_group" {
  type    = string
  default = "public-images-rg"
}
variable "gallery_name" {
  type    = string
  default = "acme_public"
}
variable "image_version" {
  type    = string
  default = "auto"
}

source "null" "publish" {
  communicator = "none"
}

build {
  sources = ["source.null.publish"]

  post-processor "azure-gallery" {
    subscription_id = var.subscription_id
    tenant_id       = var.tenant_id
    client_id       = var.client_id
    client_secret   = var.client_secret
    metadata_host   = var.metadata_host

    source_image_id = var.source_image_id
    resource_group  = var.resource_group
    gallery_name    = var.gallery_name
    create_gallery  = true

    share_with_community {
      public_name_prefix = "acme-os"
      publisher_email    = "images@example.com"
      publisher_uri      = "https://example.com"
      eula               = "https://example.com/eula"
    }
    soft_delete {
      retention_days = 14
    }

    image_name = "acme-os"
    publisher  = "acme"
    offer      = "acme-os"
    sku        = "1"

    image_version = var.image_version
    keep_versions = 5

    storage_account_strategy = "PreferStandard_ZRS"
    target_region {
      name     = "eastus"
      replicas = 2
      additional_replica_set {
        storage_account_type = "PremiumV2_LRS"
        replicas             = 1
      }
    }
    target_region {
      name = "westeurope"
    }
  }
}

# A consumer template picks the latest public 1.x the same way it picks its own images:
#
# data "azure-gallery-version" "acme" {
#   community_gallery_name = "acme-os-<GUID>"   # the artifact's CommunityImageVersionIDs name it
#   location               = "eastus"
#   image_name             = "acme-os"
#   version_constraint     = "~> 1.0"
# }
