#!/bin/bash
# Join the ECS cluster and ship system logs to CloudWatch.
set -euo pipefail

cat >> /etc/ecs/ecs.config <<CONFIG
ECS_CLUSTER=${cluster_name}
ECS_ENABLE_CONTAINER_METADATA=true
ECS_INSTANCE_ATTRIBUTES={"environment":"${environment}"}
CONFIG

yum install -y amazon-cloudwatch-agent
%{ for group in log_group_names ~}
echo "log group: ${group}" >> /var/log/ecsform-bootstrap.log
%{ endfor ~}

${custom_userdata}
