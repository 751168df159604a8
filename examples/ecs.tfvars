region             = "eu-west-1"
environment        = "acc"
cluster            = "web"
vpc_cidr           = "10.10.0.0/16"
availability_zones = ["eu-west-1a", "eu-west-1b"]
ecs_ami_id         = "ami-0c2b1c303a2e4cb49"
hosted_zone        = "example.com"
web_domain         = "web.acc.example.com"

instance_groups = {
  default = {
    min     = 1
    max     = 3
    desired = 2
  }
  batch = {
    instance_type = "c6i.large"
    min           = 0
    max           = 2
    ingress_ports = [8080, 9090]
  }
}
