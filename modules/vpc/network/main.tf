# Subnets per availability zone and their routes: public subnets route to the internet
# gateway, private subnets to the NAT gateway in their zone.

variable "name" {
  description = "Name prefix for the subnets and gateways."
  type        = string
}

variable "vpc_id" {
  description = "VPC to create the subnets in."
  type        = string
}

variable "internet_gateway_id" {
  description = "Internet gateway the public subnets route to."
  type        = string
}

variable "availability_zones" {
  description = "One availability zone per subnet pair."
  type        = list(string)
}

variable "public_subnet_cidrs" {
  description = "CIDRs of the public subnets, one per zone."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the private subnets, one per zone."
  type        = list(string)
}

variable "enable_nat_gateway" {
  description = "Create a NAT gateway per zone for the private subnets."
  type        = bool
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}

module "public_subnet" {
  source = "../subnet"

  name               = "${var.name}-public"
  vpc_id             = var.vpc_id
  cidrs              = var.public_subnet_cidrs
  availability_zones = var.availability_zones
  public             = true
  tags               = var.tags
}

module "nat_gateway" {
  source = "../nat_gateway"
  count  = var.enable_nat_gateway ? 1 : 0

  name       = var.name
  subnet_ids = module.public_subnet.ids
  tags       = var.tags
}

module "private_subnet" {
  source = "../subnet"

  name               = "${var.name}-private"
  vpc_id             = var.vpc_id
  cidrs              = var.private_subnet_cidrs
  availability_zones = var.availability_zones
  public             = false
  tags               = var.tags
}

resource "aws_route" "public_internet" {
  count                  = length(var.public_subnet_cidrs)
  route_table_id         = module.public_subnet.route_table_ids[count.index]
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = var.internet_gateway_id
}

resource "aws_route" "private_nat" {
  count                  = var.enable_nat_gateway ? length(var.private_subnet_cidrs) : 0
  route_table_id         = module.private_subnet.route_table_ids[count.index]
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = element(module.nat_gateway[0].ids, count.index)
}

output "public_subnet_ids" {
  value = module.public_subnet.ids
}

output "private_subnet_ids" {
  value = module.private_subnet.ids
}

output "public_route_table_ids" {
  value = module.public_subnet.route_table_ids
}

output "private_route_table_ids" {
  value = module.private_subnet.route_table_ids
}

output "nat_gateway_ids" {
  value = var.enable_nat_gateway ? module.nat_gateway[0].ids : []
}
