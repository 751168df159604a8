//! AWS data sources, one file each, each implementing `provider::DataSource`.

pub mod availability_zones;
pub mod caller_identity;
pub mod iam_policy_document;
pub mod region;
pub mod ssm_parameter;
