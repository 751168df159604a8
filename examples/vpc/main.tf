# The network layer of an ECS cluster on its own: a VPC over two availability zones with
# public and private subnets, an internet gateway and one NAT gateway per zone.
#
#   ecsform -chdir=examples/vpc plan -var-file=vpc.tfvars
#   ecsform -chdir=examples/vpc apply -var-file=vpc.tfvars

terraform {
  required_version = ">= 1.3"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      ManagedBy   = "ecsform"
      Environment = var.environment
    }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type = string
}

variable "cidr" {
  type = string
}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  zones = slice(sort(data.aws_availability_zones.available.names), 0, 2)
}

module "vpc" {
  source = "../../modules/vpc"

  name               = "${var.environment}-ecs"
  environment        = var.environment
  cidr               = var.cidr
  availability_zones = local.zones
}

output "vpc_id" {
  value = module.vpc.vpc_id
}

output "public_subnet_ids" {
  value = module.vpc.public_subnet_ids
}

output "private_subnet_ids" {
  value = module.vpc.private_subnet_ids
}
