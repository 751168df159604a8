//! AWS resource types, one file each, each implementing `provider::ResourceType`.
