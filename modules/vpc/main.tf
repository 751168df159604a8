# The network an ECS cluster runs in: a VPC with an internet gateway, and per availability
# zone a public subnet (load balancers, NAT gateways) and a private subnet (ECS instances).

terraform {
  required_version = ">= 1.3"
}

variable "name" {
  description = "Name used for the VPC and in the tags of everything in it."
  type        = string
}

variable "environment" {
  description = "Environment tag (e.g. acc, prod)."
  type        = string
}

variable "cidr" {
  description = "CIDR block of the VPC, e.g. 10.0.0.0/16."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.cidr))
    error_message = "The cidr must be an IPv4 CIDR block such as 10.0.0.0/16."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread subnets over."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) > 0 && length(var.availability_zones) == length(distinct(var.availability_zones))
    error_message = "availability_zones must list at least one zone, each once."
  }
}

variable "public_subnet_cidrs" {
  description = "One CIDR per availability zone for the public subnets; computed from cidr when empty."
  type        = list(string)
  default     = []
}

variable "private_subnet_cidrs" {
  description = "One CIDR per availability zone for the private subnets; computed from cidr when empty."
  type        = list(string)
  default     = []
}

variable "enable_nat_gateway" {
  description = "Create one NAT gateway per availability zone so private subnets reach the internet."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

locals {
  az_count = length(var.availability_zones)
  # Public subnets are 10.x.0.0/24, 10.x.1.0/24...; private ones 10.x.50.0/24, 10.x.51.0/24...
  public_cidrs  = length(var.public_subnet_cidrs) > 0 ? var.public_subnet_cidrs : [for i in range(local.az_count) : cidrsubnet(var.cidr, 8, i)]
  private_cidrs = length(var.private_subnet_cidrs) > 0 ? var.private_subnet_cidrs : [for i in range(local.az_count) : cidrsubnet(var.cidr, 8, 50 + i)]
  tags          = merge({ Environment = var.environment }, var.tags)
}

resource "aws_vpc" "vpc" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = merge(local.tags, { Name = var.name })
}

resource "aws_internet_gateway" "vpc" {
  vpc_id = aws_vpc.vpc.id

  tags = merge(local.tags, { Name = "${var.name}-igw" })
}

module "network" {
  source = "./network"

  name                 = var.name
  vpc_id               = aws_vpc.vpc.id
  internet_gateway_id  = aws_internet_gateway.vpc.id
  availability_zones   = var.availability_zones
  public_subnet_cidrs  = local.public_cidrs
  private_subnet_cidrs = local.private_cidrs
  enable_nat_gateway   = var.enable_nat_gateway
  tags                 = local.tags
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.vpc.id
}

output "cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.vpc.cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone."
  value       = module.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone."
  value       = module.network.private_subnet_ids
}

output "public_route_table_ids" {
  description = "IDs of the public subnets' route tables."
  value       = module.network.public_route_table_ids
}

output "private_route_table_ids" {
  description = "IDs of the private subnets' route tables."
  value       = module.network.private_route_table_ids
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (empty when enable_nat_gateway is false)."
  value       = module.network.nat_gateway_ids
}
