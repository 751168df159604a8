# Alerting on stopped tasks: an EventBridge rule for "ECS Task State Change" events with
# lastStatus STOPPED in the cluster, delivered to an SNS topic.

variable "environment" {
  type = string
}

variable "cluster" {
  type = string
}

variable "cluster_arn" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
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
  value = aws_sns_topic.task_stopped.arn
}
