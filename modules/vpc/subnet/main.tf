# One subnet per availability zone, each with its own route table.

variable "name" {
  description = "Name prefix of the subnets."
  type        = string
}

variable "vpc_id" {
  description = "VPC to create the subnets in."
  type        = string
}

variable "cidrs" {
  description = "One CIDR per subnet."
  type        = list(string)
}

variable "availability_zones" {
  description = "Zones, in the order of cidrs (wrapping around)."
  type        = list(string)
}

variable "public" {
  description = "Give instances launched here a public IP address."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

resource "aws_subnet" "subnet" {
  count                   = length(var.cidrs)
  vpc_id                  = var.vpc_id
  cidr_block              = var.cidrs[count.index]
  availability_zone       = element(var.availability_zones, count.index)
  map_public_ip_on_launch = var.public

  tags = merge(var.tags, {
    Name = "${var.name}-${element(var.availability_zones, count.index)}"
    Tier = var.public ? "public" : "private"
  })
}

resource "aws_route_table" "subnet" {
  count  = length(var.cidrs)
  vpc_id = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-${element(var.availability_zones, count.index)}" })
}

resource "aws_route_table_association" "subnet" {
  count          = length(var.cidrs)
  subnet_id      = aws_subnet.subnet[count.index].id
  route_table_id = aws_route_table.subnet[count.index].id
}

output "ids" {
  value = aws_subnet.subnet[*].id
}

output "route_table_ids" {
  value = aws_route_table.subnet.*.id
}
