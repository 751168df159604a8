# A production-style ECS cluster on EC2: a VPC over two availability zones, one group of
# container instances in the private subnets, an internet-facing load balancer and alerts for
# stopped tasks.
#
#   ecsform validate -var-file=ecs.tfvars
#   ecsform graph -var-file=ecs.tfvars | dot -Tsvg > graph.svg

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

  validation {
    condition     = contains(["dev", "acc", "prod"], var.environment)
    error_message = "environment must be one of dev, acc or prod."
  }
}

variable "cluster" {
  type    = string
  default = "default"
}

variable "vpc_cidr" {
  type = string
}

variable "availability_zones" {
  type = list(string)
}

variable "instance_groups" {
  description = "Groups of container instances, by name."
  type = map(object({
    instance_type = optional(string, "t3.small")
    min           = number
    max           = number
    desired       = optional(number)
    ingress_ports = optional(list(number), [])
  }))
}

variable "ecs_ami_id" {
  description = "ECS-optimised AMI; look it up with: aws ssm get-parameter --name /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
  type        = string
}

variable "ssh_public_key" {
  description = "Public key for the ecs key pair; empty to create none."
  type        = string
  default     = ""
}

locals {
  create_key_pair = var.ssh_public_key != ""
  name            = "${var.environment}-${var.cluster}"
}

module "vpc" {
  source = "../modules/vpc"

  name               = local.name
  environment        = var.environment
  cidr               = var.vpc_cidr
  availability_zones = var.availability_zones
  enable_nat_gateway = var.environment == "prod" || length(var.availability_zones) > 1
}

resource "aws_ecs_cluster" "cluster" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = var.environment == "prod" ? "enabled" : "disabled"
  }
}

resource "aws_key_pair" "ecs" {
  count      = local.create_key_pair ? 1 : 0
  key_name   = "${local.name}-ecs"
  public_key = var.ssh_public_key
}

module "ecs_instances" {
  source   = "../modules/ecs_instances"
  for_each = var.instance_groups

  environment        = var.environment
  cluster            = aws_ecs_cluster.cluster.name
  instance_group     = each.key
  vpc_id             = module.vpc.vpc_id
  vpc_cidr           = module.vpc.cidr_block
  private_subnet_ids = module.vpc.private_subnet_ids
  ami_id             = var.ecs_ami_id
  instance_type      = each.value.instance_type
  key_name           = local.create_key_pair ? aws_key_pair.ecs[0].key_name : ""
  ingress_ports      = each.value.ingress_ports
  capacity = {
    min     = each.value.min
    max     = each.value.max
    desired = each.value.desired
  }

  # Instances register with the cluster as soon as they boot: let the network (NAT routes)
  # exist first.
  depends_on = [module.vpc]
}

module "alb" {
  source = "../modules/alb"

  environment       = var.environment
  name              = "${local.name}-alb"
  vpc_id            = module.vpc.vpc_id
  public_subnet_ids = module.vpc.public_subnet_ids
}

module "ecs_events" {
  source = "../modules/ecs_events"

  environment = var.environment
  cluster     = aws_ecs_cluster.cluster.name
  cluster_arn = aws_ecs_cluster.cluster.arn
}

output "alb_dns_name" {
  description = "Point your DNS at this name."
  value       = module.alb.dns_name
}

output "cluster_name" {
  value = aws_ecs_cluster.cluster.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.cluster.arn
}

output "private_subnet_ids" {
  value = module.vpc.private_subnet_ids
}

output "task_stopped_topic" {
  value = module.ecs_events.sns_topic_arn
}
