//! `aws_vpc_security_group_ingress_rule`: an inbound rule of a security group, an AWS object
//! with an id of its own (`sgr-…`, also the import ID) and tags, made by
//! AuthorizeSecurityGroupIngress and deleted by RevokeSecurityGroupIngress. Refresh reads all
//! rules in one paginated DescribeSecurityGroupRules. Everything it shares with
//! `aws_vpc_security_group_egress_rule` (schema, reads, in-place updates, what moto serves) is
//! in [`super::vpc_sg_rule`].

use super::sg_permissions::Direction;
use super::vpc_sg_rule::{declaration, VpcSgRule};
use crate::aws::Declaration;

static DECLARATION: Declaration = declaration("aws_vpc_security_group_ingress_rule");

pub static VPC_SECURITY_GROUP_INGRESS_RULE: VpcSgRule = VpcSgRule {
    declaration: &DECLARATION,
    direction: Direction::Ingress,
};
