# The template of internal/acctest/safety_acc_test.go (issue 10): a publish whose version, major line,
# retention, regions and exclusion come from variables, so each case steers one setting.

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
  type = string
}
variable "image_version" {
  type    = string
  default = "auto"
}
variable "version_major" {
  type    = number
  default = null
}
variable "keep_versions" {
  type    = number
  default = 0
}
variable "regions" {
  type    = list(string)
  default = ["eastus"]
}
variable "cleanup_on_failure" {
  type    = bool
  default = false
}

source "null" "safety" {
  communicator = "none"
}

build {
  sources = ["source.null.safety"]

  post-processor "azure-gallery" {
    subscription_id = var.subscription_id
    tenant_id       = var.tenant_id
    client_id       = var.client_id
    client_secret   = var.client_secret
    metadata_host   = var.metadata_host

    source_image_id = var.source_image_id
    resource_group  = "images-rg"
    gallery_name    = "golden"
    create_gallery  = true
    image_name      = "ubuntu-server"
    publisher       = "contoso"
    offer           = "ubuntu-server"
    sku             = "22.04-lts"

    image_version = var.image_version
    version_major = var.version_major
    keep_versions = var.keep_versions
    dynamic "target_region" {
      for_each = var.regions
      content {
        name = target_region.value
      }
    }
    cleanup_on_failure = var.cleanup_on_failure
    tags = {
      team   = "platform"
      source = "packer"
    }
  }
}
