//! AWS data sources, one file each, each implementing `provider::DataSource`.
