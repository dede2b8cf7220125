# The azure-gallery artifact chained into Packer's built-in manifest post-processor.
variable "source_image_id" {
  type = string
}
variable "manifest_path" {
  type = string
}

source "null" "publish" {
  communicator = "none"
}

build {
  sources = ["source.null.publish"]

  post-processors {
    post-processor "azure-gallery" {
      source_image_id = var.source_image_id
      resource_group  = "images-rg"
      gallery_name    = "golden"
      create_gallery  = true
      image_name      = "ubuntu-server"
      publisher       = "contoso"
      offer           = "ubuntu-server"
      sku             = "22.04-lts"
      image_version   = "2.0.0"
      target_region { name = "eastus" }
      target_region { name = "westeurope" }
    }
    post-processor "manifest" {
      output     = var.manifest_path
      strip_path = true
      custom_data = {
        gallery = "golden"
      }
    }
  }
}
