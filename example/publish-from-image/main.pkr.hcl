# Publish an existing managed image to an Azure Compute Gallery, with no build at all: the null builder
# runs nothing and the post-processor publishes `source_image_id`.
#
# Credentials and the endpoint come from variables, so the same template runs against real Azure or the
# offline emulator. Set them with PKR_VAR_* (for example PKR_VAR_client_secret) or -var.

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
  description = "Resource ID of the generalized managed image to publish."
}
variable "resource_group" {
  type    = string
  default = "images-rg"
}
variable "gallery_name" {
  type    = string
  default = "golden"
}
variable "image_name" {
  type    = string
  default = "ubuntu-server"
}
variable "os_type" {
  type    = string
  default = "" # empty: taken from the source image
}
variable "image_version" {
  type    = string
  default = "1.0.0"
}
variable "regions" {
  type    = list(string)
  default = ["eastus", "westeurope", "westus2"]
}
variable "cleanup_on_failure" {
  type    = bool
  default = false
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

    resource_group = var.resource_group
    gallery_name   = var.gallery_name
    create_gallery = true

    image_name  = var.image_name
    publisher   = "contoso"
    offer       = "ubuntu-server"
    sku         = "22.04-lts"
    os_type     = var.os_type
    description = "Ubuntu Server golden image"

    image_version = var.image_version
    dynamic "target_region" {
      for_each = var.regions
      content {
        name = target_region.value
      }
    }
    replica_count      = 1
    cleanup_on_failure = var.cleanup_on_failure
    tags = {
      team   = "platform"
      source = "packer"
    }
  }
}
