# The template the workflow in this directory runs. It has no secret: in a GitHub Actions job with
# `permissions: id-token: write`, the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and
# ACTIONS_ID_TOKEN_REQUEST_TOKEN, the plugin asks that service for an ID token with the audience
# api://AzureADTokenExchange, and Entra ID exchanges it for an access token because the app registration
# `client_id` has a federated credential for this repository and branch
# (issuer https://token.actions.githubusercontent.com, subject repo:<org>/<repo>:ref:refs/heads/main).

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
# Empty on GitHub (public cloud); the offline emulator's host:port when dry-running.
variable "metadata_host" {
  type    = string
  default = env("ARM_METADATA_HOST")
}
variable "oidc_request_url" {
  type    = string
  default = env("ACTIONS_ID_TOKEN_REQUEST_URL")
}
variable "oidc_request_token" {
  type      = string
  default   = env("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
  sensitive = true
}

variable "source_image_id" {
  type        = string
  description = "Resource ID of the generalized managed image to publish."
}
variable "image_version" {
  type    = string
  default = "1.0.0"
}

source "null" "publish" {
  communicator = "none"
}

build {
  sources = ["source.null.publish"]

  post-processor "azure-gallery" {
    subscription_id    = var.subscription_id
    tenant_id          = var.tenant_id
    client_id          = var.client_id
    metadata_host      = var.metadata_host
    oidc_request_url   = var.oidc_request_url
    oidc_request_token = var.oidc_request_token

    source_image_id = var.source_image_id

    resource_group = "images-rg"
    gallery_name   = "golden"
    create_gallery = true

    image_name = "ubuntu-server"
    publisher  = "contoso"
    offer      = "ubuntu-server"
    sku        = "22.04-lts"

    image_version = var.image_version
    target_region {
      name = "eastus"
    }
    target_region {
      name = "westeurope"
    }
    tags = {
      built_by = "github-actions"
    }
  }
}
