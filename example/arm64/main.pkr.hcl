# An Arm64 image without a managed image: the azure-gallery-import builder uploads a raw Arm64 disk and
# leaves a snapshot (publish_source = "snapshot", the default for Arm64), and the azure-gallery
# post-processor publishes the snapshot as the version's OS disk (storageProfile.osDiskImage.source.id)
# to two regions. Azure refuses managed images of Arm64 disks ("Creating an image with snapshot source
# that has CPU Architecture 'Arm64' is not supported"), so this is the route Arm64 images take.
#
# Against the emulator, set ARM_METADATA_HOST and the emulator's credentials; against Azure, set
# ARM_SUBSCRIPTION_ID and a credential and leave ARM_METADATA_HOST empty.

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
variable "source_file" {
  type        = string
  description = "A generalized Arm64 OS disk (UEFI): raw, or a fixed VHD."
}
variable "resource_group" {
  type    = string
  default = "images-rg"
}
variable "image_version" {
  type    = string
  default = "1.0.0"
}
variable "regions" {
  type    = list(string)
  default = ["eastus", "westus2"]
}

source "azure-gallery-import" "arm64" {
  subscription_id = var.subscription_id
  tenant_id       = var.tenant_id
  client_id       = var.client_id
  client_secret   = var.client_secret
  metadata_host   = var.metadata_host

  source_file        = var.source_file
  resource_group     = var.resource_group
  location           = "eastus"
  image_name         = "ubuntu-arm64-${replace(var.image_version, ".", "-")}"
  os_type            = "Linux"
  hyper_v_generation = "V2"
  architecture       = "Arm64"
}

build {
  sources = ["source.azure-gallery-import.arm64"]

  post-processor "azure-gallery" {
    subscription_id = var.subscription_id
    tenant_id       = var.tenant_id
    client_id       = var.client_id
    client_secret   = var.client_secret
    metadata_host   = var.metadata_host

    resource_group = var.resource_group
    gallery_name   = "arm_gallery"
    create_gallery = true

    # The definition takes Arm64, V2 and Linux from the snapshot.
    image_name    = "ubuntu-arm64"
    publisher     = "contoso"
    offer         = "ubuntu"
    sku           = "22_04-arm64"
    image_version = var.image_version
    dynamic "target_region" {
      for_each = var.regions
      content {
        name = target_region.value
      }
    }
  }
}
