# The main job: import a local raw disk as a managed image with the azure-gallery-import builder, then
# publish it as a gallery image version replicated to three regions with the azure-gallery
# post-processor.
#
# `make demo` runs it against the offline emulator. Against real Azure, set ARM_SUBSCRIPTION_ID and a
# credential (ARM_CLIENT_ID/ARM_CLIENT_SECRET/ARM_TENANT_ID, or use_azure_cli_auth), leave
# ARM_METADATA_HOST empty, and point source_file at a generalized raw or fixed-VHD disk.

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

variable "source_file" {
  type        = string
  description = "A generalized OS disk: raw, or a fixed VHD."
}
variable "resource_group" {
  type    = string
  default = "images-rg"
}
variable "location" {
  type    = string
  default = "eastus"
}
variable "image_version" {
  type    = string
  default = "1.0.0"
}
variable "regions" {
  type    = list(string)
  default = ["eastus", "westeurope", "westus2"]
}

locals {
  auth = {
    subscription_id = var.subscription_id
    tenant_id       = var.tenant_id
    client_id       = var.client_id
    client_secret   = var.client_secret
    metadata_host   = var.metadata_host
  }
}

source "azure-gallery-import" "disk" {
  subscription_id = local.auth.subscription_id
  tenant_id       = local.auth.tenant_id
  client_id       = local.auth.client_id
  client_secret   = local.auth.client_secret
  metadata_host   = local.auth.metadata_host

  source_file        = var.source_file
  resource_group     = var.resource_group
  location           = var.location
  image_name         = "demo-linux-${replace(var.image_version, ".", "-")}"
  os_type            = "Linux"
  hyper_v_generation = "V2"
  # This job keeps the managed image route (the default for V2 is a snapshot, as in example/arm64).
  publish_source = "managed_image"
}

build {
  sources = ["source.azure-gallery-import.disk"]

  post-processor "azure-gallery" {
    subscription_id = local.auth.subscription_id
    tenant_id       = local.auth.tenant_id
    client_id       = local.auth.client_id
    client_secret   = local.auth.client_secret
    metadata_host   = local.auth.metadata_host

    resource_group = var.resource_group
    gallery_name   = "demo_gallery"
    create_gallery = true

    image_name  = "demo-linux"
    publisher   = "contoso"
    offer       = "demo-linux"
    sku         = "gen2"
    description = "Demo image imported from a raw disk"

    image_version = var.image_version
    dynamic "target_region" {
      for_each = var.regions
      content {
        name = target_region.value
      }
    }
    tags = {
      pipeline = "demo"
    }
  }
}
