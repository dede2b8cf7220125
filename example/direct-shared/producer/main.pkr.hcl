# A platform team publishes its golden image to a gallery shared directly with other subscriptions and
# tenants (Azure's direct shared gallery: the sharing profile's Subscriptions and AADTenants groups),
# without role assignments in the consumers' directories. Each consumer reads the versions from its own
# subscription with ../consumer.
#
#   packer build -var source_image_id=... -var image_version=1.1.0 \
#     -var 'share_with_subscriptions=["<consumer subscription id>"]' .
#
# Set exclude_from_latest = true on a re-run to hold a version back from consumers' "latest".

packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
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
  default = "shared"
}
variable "image_version" {
  type = string
}
variable "exclude_from_latest" {
  type    = bool
  default = false
}
variable "share_with_subscriptions" {
  type    = list(string)
  default = []
}
variable "share_with_tenants" {
  type    = list(string)
  default = []
}

source "null" "publish" {
  communicator = "none"
}

build {
  sources = ["source.null.publish"]

  # Credentials come from the ARM_* environment (the producer's subscription and tenant).
  post-processor "azure-gallery" {
    source_image_id          = var.source_image_id
    resource_group           = var.resource_group
    gallery_name             = var.gallery_name
    create_gallery           = true
    image_name               = "ubuntu-server"
    publisher                = "acme"
    offer                    = "ubuntu"
    sku                      = "24_04"
    image_version            = var.image_version
    exclude_from_latest      = var.exclude_from_latest
    share_with_subscriptions = var.share_with_subscriptions
    share_with_tenants       = var.share_with_tenants
  }
}
