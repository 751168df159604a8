# One NAT gateway (with its Elastic IP) in each of the given public subnets.

variable "name" {
  description = "Name prefix of the gateways and addresses."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets, one NAT gateway in each."
  type        = list(string)
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

resource "aws_eip" "nat" {
  count  = length(var.subnet_ids)
  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-nat-${count.index}" })
}

resource "aws_nat_gateway" "nat" {
  count         = length(var.subnet_ids)
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = var.subnet_ids[count.index]

  tags = merge(var.tags, { Name = "${var.name}-nat-${count.index}" })
}

output "ids" {
  value = aws_nat_gateway.nat[*].id
}
