//! Generated configurations for the benchmarks and the refresh call-count test: realistic
//! Terraform written out as files, scaled by a number of repeated module instances.
//!
//! - [`write_cells`]: a root module calling `module "cell"` with `count`; each cell is a VPC
//!   with subnets, a route table, a security group with rules, and a nested `module "service"`
//!   (with `for_each`) holding a log group and an IAM role with an inline policy —
//!   [`CELL_INSTANCES`] resource instances per cell. Used by `benches/plan_scale.rs`.
//! - [`write_stack`]: a configuration spanning most of the ECS stack's resource types, for
//!   applying to moto and counting the API calls of a refresh (`benches/refresh_calls.rs`,
//!   `tests/it/refresh_calls.rs`).
//! - [`write_types_stack`]: the import test's configuration of every other resource type
//!   (`tests/fixtures/import/extra`), repeated as a module, for the same count.
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

/// Resource instances in one group of [`write_stack`].
pub const STACK_GROUP_INSTANCES: usize = 25;

/// How many resource instances [`write_stack`] writes for `groups` groups.
pub fn stack_instances(groups: usize) -> usize {
    groups * STACK_GROUP_INSTANCES - groups.saturating_sub(15)
}

/// The resource types of [`write_stack`], each with its number of instances in one group.
pub const STACK_TYPES: &[(&str, usize)] = &[
    ("aws_vpc", 1),
    ("aws_subnet", 2),
    ("aws_internet_gateway", 1),
    ("aws_route_table", 1),
    ("aws_route", 1),
    ("aws_route_table_association", 2),
    ("aws_security_group", 1),
    ("aws_security_group_rule", 2),
    ("aws_cloudwatch_log_group", 2),
    ("aws_iam_role", 1),
    ("aws_iam_role_policy", 1),
    ("aws_iam_role_policy_attachment", 1),
    ("aws_iam_instance_profile", 1),
    ("aws_iam_policy", 1),
    ("aws_launch_template", 1),
    ("aws_lb_target_group", 1),
    ("aws_sns_topic", 1),
    ("aws_cloudwatch_event_rule", 1),
    ("aws_cloudwatch_event_target", 1),
    ("aws_ecs_cluster", 1),
    ("aws_ecs_task_definition", 1),
];

/// Writes a root module of `groups` groups into `dir` (`main.tf`, `modules/group/main.tf`):
/// each group is a small ECS environment with one or two instances of each of
/// [`STACK_TYPES`] — [`STACK_GROUP_INSTANCES`] instances in all, except that groups from the
/// 16th on have no launch template (see [`stack_instances`]). `prefix` starts every name, so
/// that runs against one emulator do not collide.
pub fn write_stack(dir: &Path, groups: usize, prefix: &str) {
    write(
        dir,
        "main.tf",
        &ROOT_STACK
            .replace("@GROUPS@", &groups.to_string())
            .replace("@PREFIX@", prefix),
    );
    write(dir, "modules/group/main.tf", GROUP_MODULE);
}

const ROOT_STACK: &str = r#"
provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      ManagedBy = "ecsform"
    }
  }
}

module "group" {
  source = "./modules/group"
  count  = @GROUPS@

  name       = format("@PREFIX@%03d", count.index)
  cidr_block = cidrsubnet("10.0.0.0/8", 8, count.index)
  # moto answers DescribeLaunchTemplates with at most 15 templates and no next page.
  launch_template = count.index < 15
}
"#;

const GROUP_MODULE: &str = r#"
variable "name" {
  type = string
}

variable "cidr_block" {
  type = string
}

variable "launch_template" {
  type = bool
}

locals {
  zones = {
    a = "eu-west-1a"
    b = "eu-west-1b"
  }
  tags = { Group = var.name }
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr_block
  tags       = merge(local.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  for_each = local.zones

  vpc_id            = aws_vpc.this.id
  availability_zone = each.value
  cidr_block        = cidrsubnet(var.cidr_block, 8, index(keys(local.zones), each.key))
  tags              = merge(local.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = local.tags
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = local.tags
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = local.zones

  subnet_id      = aws_subnet.public[each.key].id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name        = "${var.name}-web"
  description = "Web traffic of ${var.name}"
  vpc_id      = aws_vpc.this.id
  tags        = local.tags
}

resource "aws_security_group_rule" "ingress" {
  for_each = toset(["80", "443"])

  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_cloudwatch_log_group" "service" {
  for_each = toset(["web", "worker"])

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = 14
  tags              = local.tags
}

resource "aws_iam_role" "instance" {
  name = "${var.name}-instance"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "logs" {
  name = "logs"
  role = aws_iam_role.instance.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "read" {
  name = "${var.name}-read"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecs:Describe*"]
      Resource = "*"
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "read" {
  role       = aws_iam_role.instance.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_instance_profile" "instance" {
  name = "${var.name}-instance"
  role = aws_iam_role.instance.name
  tags = local.tags
}

resource "aws_launch_template" "instance" {
  count = var.launch_template ? 1 : 0

  name                   = "${var.name}-instance"
  image_id               = "ami-12c6146b"
  instance_type          = "t3.small"
  vpc_security_group_ids = [aws_security_group.web.id]

  iam_instance_profile {
    name = aws_iam_instance_profile.instance.name
  }

  tags = local.tags
}

resource "aws_lb_target_group" "web" {
  name     = "${var.name}-web"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.this.id
  tags     = local.tags
}

resource "aws_sns_topic" "alerts" {
  name = "${var.name}-alerts"
  tags = local.tags
}

resource "aws_cloudwatch_event_rule" "stopped" {
  name = "${var.name}-stopped"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "alerts" {
  rule = aws_cloudwatch_event_rule.stopped.name
  arn  = aws_sns_topic.alerts.arn
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = local.tags
}

resource "aws_ecs_task_definition" "web" {
  family = "${var.name}-web"
  container_definitions = jsonencode([{
    name      = "web"
    image     = "nginx:latest"
    memory    = 128
    essential = true
  }])
  tags = local.tags
}
"#;

/// Availability zones of [`write_ecs_stack`]'s VPC (moto has six in us-east-1).
pub const ECS_STACK_ZONES: usize = 6;
/// Services of each instance group of [`write_ecs_stack`].
pub const ECS_STACK_SERVICES: usize = 5;

/// Resource instances of [`write_ecs_stack`] with `groups` instance groups: the VPC module
/// (VPC, internet gateway, and per zone a public and a private subnet, two route tables, two
/// associations, an Elastic IP, a NAT gateway and two routes), the ECS cluster, the `alb`
/// module (security group, load balancer, target group, listener), the `ecs_events` module
/// (SNS topic, EventBridge rule and target), and per instance group the `ecs_instances`
/// module (security group, role, two policy attachments, instance profile, five log groups,
/// launch template, Auto Scaling group), a security group for its services with two rules
/// (from the load balancer, and out to HTTPS), and per service a log group, a task role and its inline
/// policy.
pub fn ecs_stack_instances(groups: usize) -> usize {
    2 + 10 * ECS_STACK_ZONES + 1 + 4 + 3 + groups * (12 + 3 + 3 * ECS_STACK_SERVICES)
}

/// Writes the example's own modules (`modules/vpc`, `ecs_instances`, `alb`, `ecs_events`,
/// copied from the repository) into `dir`, with a root module that wires them as
/// `examples/ecs.tf` does, scaled up: a VPC over [`ECS_STACK_ZONES`] zones with NAT gateways,
/// `groups` instance groups (moto lists at most 15 launch templates: at most 15), each with
/// [`ECS_STACK_SERVICES`] services' log groups and task roles (see [`ecs_stack_instances`]).
/// `prefix` (two to four lowercase letters) starts every name.
pub fn write_ecs_stack(dir: &Path, groups: usize, prefix: &str) {
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("modules"),
        &dir.join("modules"),
    );
    write(
        dir,
        "main.tf",
        &ROOT_ECS_STACK
            .replace("@GROUPS@", &groups.to_string())
            .replace("@SERVICES@", &ECS_STACK_SERVICES.to_string())
            .replace("@PREFIX@", prefix),
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

const ROOT_ECS_STACK: &str = r#"
provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      ManagedBy   = "ecsform"
      Environment = "prod"
    }
  }
}

locals {
  name  = "@PREFIX@-prod"
  zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]
  groups = {
    for i in range(@GROUPS@) : format("g%02d", i) => {
      instance_type = element(["t3.small", "c6i.large", "m6i.large"], i)
      ingress_ports = [8000 + i]
    }
  }
  services = {
    for pair in flatten([
      for g in keys(local.groups) : [
        for s in range(@SERVICES@) : { group = g, name = format("%s-svc%d", g, s) }
      ]
    ]) : pair.name => pair
  }
}

module "vpc" {
  source = "./modules/vpc"

  name               = local.name
  environment        = "prod"
  cidr               = "10.20.0.0/16"
  availability_zones = local.zones
  enable_nat_gateway = true
}

resource "aws_ecs_cluster" "cluster" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "ecs_instances" {
  source   = "./modules/ecs_instances"
  for_each = local.groups

  environment        = "prod"
  cluster            = aws_ecs_cluster.cluster.name
  instance_group     = each.key
  vpc_id             = module.vpc.vpc_id
  vpc_cidr           = module.vpc.cidr_block
  private_subnet_ids = module.vpc.private_subnet_ids
  ami_id             = "ami-0c2b1c303a2e4cb49"
  instance_type      = each.value.instance_type
  ingress_ports      = each.value.ingress_ports
  capacity = {
    min     = 0
    max     = 2
    desired = 1
  }

  depends_on = [module.vpc]
}

module "alb" {
  source = "./modules/alb"

  environment       = "prod"
  name              = "${local.name}-alb"
  vpc_id            = module.vpc.vpc_id
  public_subnet_ids = module.vpc.public_subnet_ids
}

module "ecs_events" {
  source = "./modules/ecs_events"

  environment = "prod"
  cluster     = aws_ecs_cluster.cluster.name
  cluster_arn = aws_ecs_cluster.cluster.arn
}

# Each group's services get a security group of their own, managed rule by rule (the
# instances' group has inline rules, which must not be mixed with separate ones).
resource "aws_security_group" "services" {
  for_each = local.groups

  name        = "${local.name}-${each.key}-services"
  description = "Services of ${each.key}"
  vpc_id      = module.vpc.vpc_id
}

resource "aws_security_group_rule" "from_alb" {
  for_each = local.groups

  type                     = "ingress"
  security_group_id        = aws_security_group.services[each.key].id
  source_security_group_id = module.alb.security_group_id
  from_port                = 32768
  to_port                  = 65535
  protocol                 = "tcp"
  description              = "Load balancer to the services of ${each.key}"
}

resource "aws_security_group_rule" "egress" {
  for_each = local.groups

  type              = "egress"
  security_group_id = aws_security_group.services[each.key].id
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

# What each service adds to the cluster's infrastructure: its log group and task role.
resource "aws_cloudwatch_log_group" "service" {
  for_each = local.services

  name              = "/ecs/${local.name}/services/${each.key}"
  retention_in_days = 30
  tags              = { Service = each.key, InstanceGroup = each.value.group }
}

resource "aws_iam_role" "task" {
  for_each = local.services

  name = "${local.name}-${each.key}-task"
  path = "/ecs/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = { Service = each.key }
}

resource "aws_iam_role_policy" "task_logs" {
  for_each = local.services

  name = "logs"
  role = aws_iam_role.task[each.key].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.service[each.key].arn}:*"
    }]
  })
}
"#;

/// The import test's configuration: every resource type the example does not use.
fn types_fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/extra/main.tf");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Resource instances in one group of [`write_types_stack`]: the fixture's resource blocks,
/// but those with `count = 0`.
pub fn types_group_instances() -> usize {
    let text = types_fixture();
    let blocks = text
        .lines()
        .filter(|l| l.starts_with("resource \""))
        .count();
    let none = text
        .lines()
        .filter(|l| l.split_whitespace().collect::<Vec<_>>() == ["count", "=", "0"])
        .count();
    blocks - none
}

/// A public key for the fixture's `aws_key_pair` (an RSA key; moto checks the format).
pub const TYPES_STACK_PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC4S4JP4PC139CQfybKDkYiZUZkVxGMNXAN9k0cdPOR2a5hvg+XPP5IuopOXTbMt+27HFjBjPRZ12+z4DLtMc4FdgfB8Nx7XycF8BYogIDn2/N7GP/LyCydgVtXmp7kJ8Fn4wf+3D6F+YFXIoVpkR7FCMh2JZ0lXzfhvV/80CmM1676/ElZKtyB3Fn2R5umEmvznlGQ7ZDe9TwD50hElDCerVO29YNJqDWR4962GvdW3aXJS0rVdwMw15gdAaESKcotO+tIv3dYOr8a8P4Az/bCVUi8VuEDlrFHbIw/LA6tR4soQ3xSC43XZe8KjHekiC5HtUrWVCgyqIvFRlOscRRB deployer@example";

/// Writes a root module calling `tests/fixtures/import/extra/main.tf` (every resource type
/// that `examples/ecs.tf` does not use) as `module "group"` with `count = groups`, each group
/// named `PREFIXnn` (its names, domains and suffixes made from it), into `dir` (`main.tf`,
/// `modules/group/main.tf`). At most 15 groups: moto lists at most 15 launch templates.
pub fn write_types_stack(dir: &Path, groups: usize, prefix: &str) {
    assert!(groups <= 15, "moto lists at most 15 launch templates");
    let fixture = types_fixture();
    let header_end = "locals {\n  name = \"imp\"\n}\n";
    let at = fixture
        .find(header_end)
        .expect("the fixture's `locals { name = \"imp\" }`");
    let body = fixture[at + header_end.len()..]
        .replace("imp.", "${local.name}.")
        .replace("imp-", "${local.name}-")
        .replace("seed = \"imp\"", "seed = local.name")
        // The groups share the module's directory: a file of each its own.
        .replace(
            "${path.module}/build/",
            "${path.module}/build/${local.name}-",
        )
        .replace("${path.module}/out/", "${path.module}/out/${local.name}-");
    let module = format!(
        r#"variable "name" {{
  type = string
}}

variable "ami_id" {{
  type = string
}}

variable "public_key" {{
  type = string
}}

locals {{
  name = var.name
}}
{body}"#
    );
    write(dir, "modules/group/main.tf", &module);
    write(
        dir,
        "main.tf",
        &format!(
            r#"
provider "aws" {{
  region = "eu-west-1"

  default_tags {{
    tags = {{
      ManagedBy = "ecsform"
    }}
  }}
}}

module "group" {{
  source = "./modules/group"
  count  = {groups}

  name       = format("{prefix}%02d", count.index)
  ami_id     = "ami-12c6146b"
  public_key = "{TYPES_STACK_PUBLIC_KEY}"
}}
"#
        ),
    );
}
