# A group of ECS container instances: security group, instance role and profile, launch
# template whose user data joins the cluster, an autoscaling group over the private subnets,
# and the CloudWatch log groups the instances ship their logs to.

variable "environment" {
  description = "Environment tag (e.g. acc, prod)."
  type        = string
}

variable "cluster" {
  description = "Name of the ECS cluster the instances join."
  type        = string
}

variable "instance_group" {
  description = "Name of this group of instances; several groups can serve one cluster."
  type        = string
  default     = "default"
}

variable "vpc_id" {
  description = "VPC the instances run in."
  type        = string
}

variable "vpc_cidr" {
  description = "Traffic from inside the VPC (e.g. the load balancer) may reach the instances."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets the autoscaling group spreads instances over."
  type        = list(string)
}

variable "ami_id" {
  description = "ECS-optimised AMI for the instances."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type of the container instances."
  type        = string
  default     = "t3.small"
}

variable "key_name" {
  description = "SSH key pair name; empty for none."
  type        = string
  default     = ""
}

variable "capacity" {
  description = "Autoscaling group size."
  type = object({
    min     = number
    max     = number
    desired = optional(number)
  })
  default = { min = 1, max = 2 }

  validation {
    condition     = var.capacity.min <= var.capacity.max
    error_message = "capacity.min must not exceed capacity.max."
  }
}

variable "ingress_ports" {
  description = "Extra TCP ports open to the VPC."
  type        = list(number)
  default     = []
}

variable "custom_userdata" {
  description = "Shell commands appended to the user data."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "Days the CloudWatch log groups keep their logs."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

locals {
  # The cluster name usually carries the environment already (e.g. acc-web).
  name = "${var.cluster}_${var.instance_group}"
  # Log groups the CloudWatch agent writes to, with their retention in days.
  log_groups = {
    dmesg     = var.log_retention_days
    docker    = var.log_retention_days
    ecs-agent = var.log_retention_days
    ecs-init  = var.log_retention_days
    messages  = var.log_retention_days
  }
  tags = merge(var.tags, {
    Environment = var.environment
    Cluster     = var.cluster
  })
}

resource "aws_security_group" "instance" {
  name        = "${local.name}_instance"
  description = "ECS instances of ${var.cluster} (${var.instance_group})"
  vpc_id      = var.vpc_id

  ingress {
    description = "Dynamic host ports used by ECS tasks behind the load balancer"
    from_port   = 32768
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  dynamic "ingress" {
    for_each = toset(var.ingress_ports)
    content {
      description = "Port ${ingress.value} from the VPC"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.vpc_cidr]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${local.name}_instance" })
}

resource "aws_iam_role" "instance" {
  name = "${local.name}_ecs_instance_role"
  path = "/ecs/"

  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Action": "sts:AssumeRole",
          "Principal": { "Service": ["ec2.amazonaws.com"] },
          "Effect": "Allow"
        }
      ]
    }
  EOF

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "ecs_ec2_role" {
  role       = aws_iam_role.instance.id
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_role_policy_attachment" "ecs_ec2_cloudwatch_role" {
  role       = aws_iam_role.instance.id
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
}

resource "aws_iam_instance_profile" "instance" {
  name = "${local.name}_ecs_instance_profile"
  path = "/ecs/"
  role = aws_iam_role.instance.name
}

resource "aws_cloudwatch_log_group" "instance" {
  for_each = local.log_groups
  # Per instance group: two groups of one cluster must not both create the same log group.
  name              = "/ecs/${var.cluster}/${var.instance_group}/${each.key}"
  retention_in_days = each.value

  tags = local.tags
}

resource "aws_launch_template" "instance" {
  name_prefix   = "${local.name}_"
  image_id      = var.ami_id
  instance_type = var.instance_type
  key_name      = var.key_name != "" ? var.key_name : null

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  vpc_security_group_ids = [aws_security_group.instance.id]

  user_data = base64encode(templatefile("${path.module}/templates/user_data.sh", {
    cluster_name    = var.cluster
    environment     = var.environment
    log_group_names = [for k in keys(local.log_groups) : "/ecs/${var.cluster}/${var.instance_group}/${k}"]
    custom_userdata = var.custom_userdata
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = local.name })
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_autoscaling_group" "asg" {
  name                = local.name
  min_size            = var.capacity.min
  max_size            = var.capacity.max
  desired_capacity    = coalesce(var.capacity.desired, var.capacity.min)
  vpc_zone_identifier = var.private_subnet_ids
  health_check_type   = "EC2"

  # Pinning the version (rather than "$Latest") makes a launch template change show up as an
  # update of the group in the plan, and lets a rolling replacement be reviewed.
  launch_template {
    id      = aws_launch_template.instance.id
    version = aws_launch_template.instance.latest_version
  }

  dynamic "tag" {
    for_each = merge(local.tags, { Name = local.name })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  depends_on = [aws_cloudwatch_log_group.instance]
}

output "security_group_id" {
  description = "Security group of the container instances."
  value       = aws_security_group.instance.id
}

output "autoscaling_group_name" {
  description = "Name of the autoscaling group."
  value       = aws_autoscaling_group.asg.name
}

output "instance_role_arn" {
  description = "ARN of the instance role."
  value       = aws_iam_role.instance.arn
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.instance.id
}
