# A consumer of ../producer: from its own subscription (credentials in the ARM_* environment), it reads
# the latest version of the gallery shared with it, by the gallery's unique name
# ({producer subscription id}-{GALLERY NAME IN CAPITALS}) and a region, and records the version and its
# /SharedGalleries/... id (what a VM's imageReference.sharedGalleryImageId takes) in a manifest. A real
# pipeline would build from it instead, for example with azure-arm's shared_image_gallery block.
#
#   packer build -var shared_gallery_name=<producer subscription id>-SHARED .

packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}

variable "shared_gallery_name" {
  type        = string
  description = "The shared gallery's unique name, as its owner sees it in identifier.uniqueName."
}
variable "location" {
  type    = string
  default = "eastus"
}
variable "manifest_path" {
  type    = string
  default = "manifest.json"
}

data "azure-gallery-version" "base" {
  shared_gallery_name = var.shared_gallery_name
  location            = var.location
  image_name          = "ubuntu-server"
}

source "null" "consume" {
  communicator = "none"
}

build {
  sources = ["source.null.consume"]

  post-processor "manifest" {
    output = var.manifest_path
    custom_data = {
      base    = data.azure-gallery-version.base.version
      base_id = data.azure-gallery-version.base.id
    }
  }
}
