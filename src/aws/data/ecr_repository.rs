//! `data "aws_ecr_repository"`: one ECR repository by `name` (and `registry_id` for another
//! account's registry), read as the `aws_ecr_repository` resource type reads it
//! (DescribeRepositories, ListTagsForResource), with the tags of its most recently pushed
//! image (DescribeImages, all pages). The id is the repository name. A repository that does
//! not exist is an error in the provider's words.

use async_trait::async_trait;
use aws_sdk_ecr::types::{ImageDetail, Repository};

use super::from_resource_state;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::ecr_repository::{repository_state, tags_of};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, strings};
use crate::provider::{BlockSchema, Schema};

pub struct EcrRepositoryData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ecr_repository", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: name;
        optional_computed String: registry_id;
        optional_computed StringMap: tags;
        computed String: id arn image_tag_mutability repository_url;
        computed StringList: most_recent_image_tags;
    ],
    blocks: &[
        BlockSchema::list(
            "encryption_configuration",
            attrs![
                computed String: encryption_type kms_key;
            ],
        )
        .computed(),
        BlockSchema::list(
            "image_scanning_configuration",
            attrs![
                computed Bool: scan_on_push;
            ],
        )
        .computed(),
        BlockSchema::list(
            "image_tag_mutability_exclusion_filter",
            attrs![
                computed String: filter filter_type;
            ],
        )
        .computed(),
    ],
};

/// The tags of the most recently pushed of `images` (none when there are no images).
fn most_recent_tags(images: &[ImageDetail]) -> Vec<String> {
    images
        .iter()
        .max_by_key(|i| i.image_pushed_at().map(|t| (t.secs(), t.subsec_nanos())))
        .map(|i| i.image_tags().to_vec())
        .unwrap_or_default()
}

fn data_state(r: &Repository, resource: &Value, images: &[ImageDetail]) -> Value {
    let exclusions = r
        .image_tag_mutability_exclusion_filters()
        .iter()
        .map(|f| {
            Value::map([
                ("filter", Value::string(f.filter())),
                ("filter_type", Value::string(f.filter_type().as_str())),
            ])
        })
        .collect();
    from_resource_state(
        &SCHEMA,
        resource,
        [
            ("most_recent_image_tags", strings(most_recent_tags(images))),
            (
                "image_tag_mutability_exclusion_filter",
                Value::List(exclusions),
            ),
        ],
    )
}

#[async_trait]
impl DataSource for EcrRepositoryData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let name = get_str(config, "name").unwrap_or_default();
        let registry = get_str(config, "registry_id");
        let not_found = || {
            ApiError::new(
                ErrorKind::NotFound,
                "RepositoryNotFoundException",
                format!("reading ECR Repository ({name}): couldn't find resource"),
            )
        };
        let described = call(|| {
            clients
                .ecr
                .describe_repositories()
                .repository_names(name)
                .set_registry_id(registry.map(String::from))
                .send()
        })
        .await;
        let out = match described {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let repo = out.repositories().first().ok_or_else(not_found)?;
        let arn = repo.repository_arn().unwrap_or_default();
        let tags = tags_of(clients, arn).await?;
        let images: Vec<ImageDetail> = call(|| {
            clients
                .ecr
                .describe_images()
                .repository_name(name)
                .set_registry_id(registry.map(String::from))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
        Ok(data_state(repo, &repository_state(repo, tags), &images))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::DateTime;

    #[test]
    fn the_most_recent_image_s_tags() {
        let image = |secs, tags: &[&str]| {
            let mut b = ImageDetail::builder().image_pushed_at(DateTime::from_secs(secs));
            for t in tags {
                b = b.image_tags(*t);
            }
            b.build()
        };
        let images = [
            image(100, &["v1"]),
            image(300, &["v3", "latest"]),
            image(200, &["v2"]),
        ];
        assert_eq!(most_recent_tags(&images), ["v3", "latest"]);
        assert!(most_recent_tags(&[]).is_empty());
    }
}
