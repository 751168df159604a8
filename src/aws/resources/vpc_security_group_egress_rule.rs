//! `aws_vpc_security_group_egress_rule`: an outbound rule of a security group, an AWS object
//! with an id of its own (`sgr-…`, also the import ID) and tags, made by
//! AuthorizeSecurityGroupEgress and deleted by RevokeSecurityGroupEgress. Refresh reads all
//! rules in one paginated DescribeSecurityGroupRules. Everything it shares with
//! `aws_vpc_security_group_ingress_rule` (schema, reads, in-place updates, what moto serves) is
//! in [`super::vpc_sg_rule`].

use super::sg_permissions::Direction;
use super::vpc_sg_rule::{declaration, VpcSgRule};
use crate::aws::Declaration;

static DECLARATION: Declaration = declaration("aws_vpc_security_group_egress_rule");

pub static VPC_SECURITY_GROUP_EGRESS_RULE: VpcSgRule = VpcSgRule {
    declaration: &DECLARATION,
    direction: Direction::Egress,
};
