# A production-style ECS cluster on EC2: a VPC over two availability zones, groups of container
# instances in the private subnets, an internet-facing load balancer serving HTTPS with an ACM
# certificate validated through Route 53, a web service scaled on CPU, and alerts for stopped
# tasks.
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

variable "hosted_zone" {
  description = "Public Route 53 hosted zone (it must exist) that holds the web service's name and the certificate's validation records."
  type        = string
}

variable "web_domain" {
  description = "Name the web service answers on over HTTPS, in hosted_zone (e.g. web.example.com)."
  type        = string
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

  https = {
    certificate_arn = aws_acm_certificate_validation.web.certificate_arn
  }
}

# HTTPS: a certificate for the web name, validated by DNS records in the hosted zone; the
# listener takes the certificate only once it is issued, and the name points at the load
# balancer.

data "aws_route53_zone" "main" {
  name         = var.hosted_zone
  private_zone = false
}

resource "aws_acm_certificate" "web" {
  domain_name       = var.web_domain
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "web_validation" {
  for_each = {
    for dvo in aws_acm_certificate.web.domain_validation_options : dvo.domain_name => {
      name   = dvo.resource_record_name
      record = dvo.resource_record_value
      type   = dvo.resource_record_type
    }
  }

  allow_overwrite = true
  name            = each.value.name
  records         = [each.value.record]
  ttl             = 60
  type            = each.value.type
  zone_id         = data.aws_route53_zone.main.zone_id
}

resource "aws_acm_certificate_validation" "web" {
  certificate_arn         = aws_acm_certificate.web.arn
  validation_record_fqdns = [for r in aws_route53_record.web_validation : r.fqdn]
}

resource "aws_route53_record" "web" {
  zone_id = data.aws_route53_zone.main.zone_id
  name    = var.web_domain
  type    = "A"

  alias {
    name                   = module.alb.dns_name
    zone_id                = module.alb.zone_id
    evaluate_target_health = true
  }
}

module "ecs_events" {
  source = "../modules/ecs_events"

  environment = var.environment
  cluster     = aws_ecs_cluster.cluster.name
  cluster_arn = aws_ecs_cluster.cluster.arn
}

output "web_url" {
  description = "The web service, over HTTPS."
  value       = "https://${aws_route53_record.web.fqdn}"
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

# The web service: a small task behind the load balancer's default target group, its desired
# count scaled on CPU by Application Auto Scaling (target tracking), the way a team starts.
# Bridge networking with dynamic host ports: the container instances' security group already
# lets the VPC (the load balancer) reach 32768-65535.

variable "web_service" {
  description = "The web service's container and the bounds of its CPU autoscaling."
  type = object({
    image          = optional(string, "public.ecr.aws/nginx/nginx:stable")
    container_port = optional(number, 80)
    cpu            = optional(number, 256)
    memory         = optional(number, 512)
    min            = optional(number, 2)
    max            = optional(number, 6)
    cpu_target     = optional(number, 60)
  })
  default = {}

  validation {
    condition     = var.web_service.min <= var.web_service.max
    error_message = "web_service.min must not exceed web_service.max."
  }
}

resource "aws_ecs_task_definition" "web" {
  family                   = "${local.name}-web"
  network_mode             = "bridge"
  requires_compatibilities = ["EC2"]

  container_definitions = jsonencode([
    {
      name      = "web"
      image     = var.web_service.image
      cpu       = var.web_service.cpu
      memory    = var.web_service.memory
      essential = true
      portMappings = [
        { containerPort = var.web_service.container_port, hostPort = 0, protocol = "tcp" }
      ]
    }
  ])
}

resource "aws_ecs_service" "web" {
  name            = "web"
  cluster         = aws_ecs_cluster.cluster.id
  task_definition = aws_ecs_task_definition.web.arn
  launch_type     = "EC2"
  desired_count   = var.web_service.min

  load_balancer {
    target_group_arn = module.alb.default_target_group_arn
    container_name   = "web"
    container_port   = var.web_service.container_port
  }

  # Autoscaling owns the desired count once the service runs.
  lifecycle {
    ignore_changes = [desired_count]
  }

  # A target group takes a service only once a listener uses it.
  depends_on = [module.alb]
}

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.cluster.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.web_service.min
  max_capacity       = var.web_service.max
}

resource "aws_appautoscaling_policy" "web_cpu" {
  name               = "${local.name}-web-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.web_service.cpu_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

output "web_service_name" {
  value = aws_ecs_service.web.name
}
