# An internet-facing Application Load Balancer in the public subnets with a default target
# group for ECS services. Without `https`, an HTTP listener forwards to the target group; with
# it, an HTTPS listener does, and the HTTP listener redirects to HTTPS (301).

variable "environment" {
  description = "Environment tag (e.g. acc, prod)."
  type        = string
}

variable "name" {
  description = "Name of the load balancer (at most 32 characters)."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "A load balancer name may be at most 32 characters long."
  }
}

variable "vpc_id" {
  description = "VPC the load balancer and its target group live in."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets, one per availability zone, for the load balancer."
  type        = list(string)
}

variable "allowed_cidrs" {
  description = "Who may reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "health_check_path" {
  description = "Path the default target group checks on each target."
  type        = string
  default     = "/"
}

variable "deregistration_delay" {
  description = "Seconds a draining target keeps its connections."
  type        = number
  default     = 30
}

variable "https" {
  description = <<-EOT
    HTTPS on port 443 with this certificate (an ACM certificate ARN, issued: pass the validated
    ARN, aws_acm_certificate_validation's certificate_arn). null serves plain HTTP on port 80.
  EOT
  type = object({
    certificate_arn = string
    ssl_policy      = optional(string, "ELBSecurityPolicy-TLS13-1-2-2021-06")
  })
  default = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

locals {
  tags = merge(var.tags, { Environment = var.environment })
  # Known at plan time even when the certificate's ARN is not: the object itself is known.
  https = var.https != null
}

resource "aws_security_group" "alb" {
  name        = "${var.name}_alb"
  description = "Load balancer ${var.name}"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }

  dynamic "ingress" {
    for_each = local.https ? [443] : []
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.allowed_cidrs
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${var.name}_alb" })
}

resource "aws_lb" "alb" {
  name               = var.name
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = var.public_subnet_ids

  tags = local.tags
}

resource "aws_lb_target_group" "default" {
  name                 = "${var.name}-default"
  port                 = 80
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    path                = var.health_check_path
    healthy_threshold   = 3
    unhealthy_threshold = 3
    interval            = 15
    matcher             = "200-399"
  }

  tags = local.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.default.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.alb.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.https.ssl_policy
  certificate_arn   = var.https.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.default.arn
  }
}

output "dns_name" {
  description = "DNS name of the load balancer (point your records here)."
  value       = aws_lb.alb.dns_name
}

output "zone_id" {
  description = "Route 53 zone of the load balancer's DNS name (for alias records)."
  value       = aws_lb.alb.zone_id
}

output "security_group_id" {
  description = "Security group of the load balancer (allow it into the instances)."
  value       = aws_security_group.alb.id
}

output "default_target_group_arn" {
  description = "ARN of the default target group, for ECS services."
  value       = aws_lb_target_group.default.arn
}
