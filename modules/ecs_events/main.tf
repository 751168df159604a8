# Alerting on stopped tasks: an EventBridge rule for "ECS Task State Change" events with
# lastStatus STOPPED in the cluster, delivered to an SNS topic.

variable "environment" {
  description = "Environment tag (e.g. acc, prod)."
  type        = string
}

variable "cluster" {
  description = "Name of the ECS cluster whose stopped tasks are reported."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of that cluster (the rule matches events from it only)."
  type        = string
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

resource "aws_sns_topic" "task_stopped" {
  name = "${var.cluster}_task_stopped"
  tags = merge(var.tags, { Environment = var.environment })
}

resource "aws_cloudwatch_event_rule" "task_stopped" {
  name        = "${var.cluster}_task_stopped"
  description = "${var.environment}_${var.cluster} essential container in task exited"

  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = {
      clusterArn    = [var.cluster_arn]
      lastStatus    = ["STOPPED"]
      stoppedReason = ["Essential container in task exited"]
    }
  })

  tags = merge(var.tags, { Environment = var.environment })
}

resource "aws_cloudwatch_event_target" "task_stopped" {
  rule      = aws_cloudwatch_event_rule.task_stopped.name
  target_id = "sns"
  arn       = aws_sns_topic.task_stopped.arn

  input_transformer {
    input_paths = {
      task   = "$.detail.taskArn"
      reason = "$.detail.stoppedReason"
    }
    input_template = "\"Task <task> stopped: <reason>\""
  }
}

output "sns_topic_arn" {
  description = "SNS topic that receives stopped-task events; subscribe your alerting to it."
  value       = aws_sns_topic.task_stopped.arn
}
