//! Generated configurations for the benchmarks and the refresh call-count test: realistic
//! Terraform written out as files, scaled by a number of repeated module instances.
//!
//! - [`write_cells`]: a root module calling `module "cell"` with `count`; each cell is a VPC
//!   with subnets, a route table, a security group with rules, and a nested `module "service"`
//!   (with `for_each`) holding a log group and an IAM role with an inline policy —
//!   [`CELL_INSTANCES`] resource instances per cell. Used by `benches/plan_scale.rs`.
//! - [`write_stack`]: a configuration spanning most of the ECS stack's resource types, for
//!   applying to moto and counting the API calls of a refresh (`benches/refresh_calls.rs`,
//!   `tests/refresh_calls.rs`).
//!
//! Both only write files; neither runs anything.

#![allow(dead_code)]

use std::fs;
use std::path::Path;

/// Resource instances in one cell of [`write_cells`].
pub const CELL_INSTANCES: usize = 20;

/// Writes a root module of `cells` cells into `dir` (`main.tf`, `modules/cell/main.tf`,
/// `modules/cell/service/main.tf`).
///
/// Variable `gold_cells` (default 0): the first `gold_cells` cells keep their logs for 30 days
/// instead of 14. Raising it from 0 to `cells / 10` changes exactly the two log groups of each
/// of those cells, i.e. 1% of all instances.
pub fn write_cells(dir: &Path, cells: usize) {
    write(
        dir,
        "main.tf",
        &ROOT_CELLS.replace("@CELLS@", &cells.to_string()),
    );
    write(dir, "modules/cell/main.tf", CELL_MODULE);
    write(dir, "modules/cell/service/main.tf", SERVICE_MODULE);
}

const ROOT_CELLS: &str = r#"
provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      ManagedBy = "ecsform"
      Benchmark = "plan_scale"
    }
  }
}

variable "cells" {
  type    = number
  default = @CELLS@
}

variable "gold_cells" {
  description = "The first gold_cells cells keep their logs for 30 days instead of 14."
  type        = number
  default     = 0
}

module "cell" {
  source = "./modules/cell"
  count  = var.cells

  name               = format("cell%05d", count.index)
  cidr_block         = cidrsubnet("10.0.0.0/8", 12, count.index)
  log_retention_days = count.index < var.gold_cells ? 30 : 14
}

output "vpc_ids" {
  value = module.cell[*].vpc_id
}
"#;

const CELL_MODULE: &str = r#"
variable "name" {
  type = string
}

variable "cidr_block" {
  type = string
}

variable "log_retention_days" {
  type = number
}

locals {
  zones = {
    a = "eu-west-1a"
    b = "eu-west-1b"
    c = "eu-west-1c"
  }
  ingress_ports = toset(["80", "443", "8080", "9090"])
  services = {
    web = { port = 80 }
    api = { port = 8080 }
  }
  tags = { Cell = var.name }
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = var.name })
}

resource "aws_subnet" "private" {
  for_each = local.zones

  vpc_id            = aws_vpc.this.id
  availability_zone = each.value
  cidr_block        = cidrsubnet(var.cidr_block, 4, index(keys(local.zones), each.key))
  tags              = merge(local.tags, { Name = "${var.name}-private-${each.key}" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  for_each = local.zones

  subnet_id      = aws_subnet.private[each.key].id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Tasks of ${var.name}"
  vpc_id      = aws_vpc.this.id
  tags        = local.tags
}

resource "aws_security_group_rule" "ingress" {
  for_each = local.ingress_ports

  type              = "ingress"
  security_group_id = aws_security_group.tasks.id
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  protocol          = "tcp"
  cidr_blocks       = [var.cidr_block]
  description       = "Port ${each.value} from the cell"
}

resource "aws_security_group_rule" "egress" {
  type              = "egress"
  security_group_id = aws_security_group.tasks.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

module "service" {
  source   = "./service"
  for_each = local.services

  name               = "${var.name}-${each.key}"
  port               = each.value.port
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "task_role_arns" {
  value = { for k, s in module.service : k => s.task_role_arn }
}
"#;

const SERVICE_MODULE: &str = r#"
variable "name" {
  type = string
}

variable "port" {
  type = number
}

variable "log_retention_days" {
  type = number
}

variable "tags" {
  type = map(string)
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = merge(var.tags, { Service = var.name })
}

resource "aws_iam_role" "task" {
  name = "${var.name}-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "logs" {
  name = "logs"
  role = aws_iam_role.task.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.this.arn}:*"
    }]
  })
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}
"#;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
    }
    fs::write(&path, text.trim_start())
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
