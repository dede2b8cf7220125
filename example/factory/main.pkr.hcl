# An image factory: several sources built in parallel, each published into its own definition of one
# gallery. Run it with `packer build -parallel-builds=3 .`; every build publishes independently, so one
# failing image does not block the others.
#
# Each source here is a null builder with an existing managed image (`images` maps the source name to
# its image ID); in a real factory they are azure-arm or import builds. Credentials come from the ARM_*
# environment (or from variables, as in example/publish-from-image).

packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}

variable "images" {
  type        = map(string)
  description = "Managed image ID per source name (ubuntu, debian, alma)."
}
variable "image_version" {
  type    = string
  default = "1.0.0"
}
variable "resource_group" {
  type    = string
  default = "images-rg"
}
variable "gallery_name" {
  type    = string
  default = "factory"
}
variable "regions" {
  type    = list(string)
  default = ["eastus", "westus2"]
}

# The per-image metadata; the build's source name selects its entry.
locals {
  skus = {
    ubuntu = { offer = "ubuntu-server", sku = "22.04-lts" }
    debian = { offer = "debian", sku = "12" }
    alma   = { offer = "almalinux", sku = "9" }
  }
}

source "null" "image" {
  communicator = "none"
}

build {
  source "null.image" {
    name = "ubuntu"
  }
  source "null.image" {
    name = "debian"
  }
  source "null.image" {
    name = "alma"
  }

  post-processor "azure-gallery" {
    source_image_id = var.images[source.name]

    resource_group = var.resource_group
    gallery_name   = var.gallery_name
    create_gallery = true

    image_name = source.name
    publisher  = "contoso"
    offer      = local.skus[source.name].offer
    sku        = local.skus[source.name].sku

    image_version = var.image_version
    dynamic "target_region" {
      for_each = var.regions
      content {
        name = target_region.value
      }
    }
    tags = {
      factory = "nightly"
      image   = source.name
    }
  }
}
