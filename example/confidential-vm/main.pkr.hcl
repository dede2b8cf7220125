# A Confidential VM image from a snapshot of a confidential OS disk, replicated to two regions with
# NonPersistedTPM, and to a third with your own key (EncryptedWithCmk and that region's disk encryption
# set). Azure takes only snapshots, disks and VMs for Confidential VM images ("Currently Snapshot, Disk
# and VM sources are supported for the Confidential VM security type"), so `packer validate` refuses
# source_image_id or source_vhd_uri here.

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
variable "snapshot_id" {
  type        = string
  description = "A snapshot of a generalized generation 2 confidential VM OS disk."
}
variable "secure_disk_encryption_set_id" {
  type        = string
  default     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/keys-rg/providers/Microsoft.Compute/diskEncryptionSets/cvm-westeurope"
  description = "The Confidential VM disk encryption set in westeurope."
}
variable "image_version" {
  type    = string
  default = "1.0.0"
}

source "null" "snapshot" {
  communicator = "none"
}

build {
  sources = ["source.null.snapshot"]

  post-processor "azure-gallery" {
    subscription_id = var.subscription_id
    tenant_id       = var.tenant_id
    client_id       = var.client_id
    client_secret   = var.client_secret
    metadata_host   = var.metadata_host

    source_snapshot_id = var.snapshot_id

    resource_group     = "images-rg"
    gallery_name       = "cvm_gallery"
    create_gallery     = true
    image_name         = "ubuntu-cvm"
    publisher          = "contoso"
    offer              = "ubuntu-cvm"
    sku                = "22_04-cvm"
    os_type            = "Linux"
    hyper_v_generation = "V2"
    security_type      = "ConfidentialVM"
    image_version      = var.image_version

    target_region {
      name                            = "eastus"
      confidential_vm_encryption_type = "NonPersistedTPM"
    }
    target_region {
      name                            = "westus2"
      confidential_vm_encryption_type = "NonPersistedTPM"
    }
    target_region {
      name                             = "westeurope"
      confidential_vm_encryption_type  = "EncryptedWithCmk"
      secure_vm_disk_encryption_set_id = var.secure_disk_encryption_set_id
    }
  }
}
