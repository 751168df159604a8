//! Conformance of the IAM, CloudWatch Logs, EventBridge and SNS resource types against moto,
//! with in-place updates that matter (a role's description and session length, a new default
//! policy version, a log group's retention, an event rule's state, a target's input, a
//! topic's display name), plus lifecycles of the types that have nothing to update in place.
//!
//! These services' tags are not EC2 tags: each test reads them with its own service's call
//! (a `TagReader`). Prerequisites are made with plain SDK calls.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::resources::{
    cloudwatch_event_rule::CloudwatchEventRuleType,
    cloudwatch_event_target::CloudwatchEventTargetType,
    cloudwatch_log_group::CloudwatchLogGroupType,
    iam_access_key::IamAccessKeyType,
    iam_inline_policy::{IAM_ROLE_POLICY, IAM_USER_POLICY},
    iam_instance_profile::IamInstanceProfileType,
    iam_policy::IamPolicyType,
    iam_policy_attachment::IamPolicyAttachmentType,
    iam_role::IamRoleType,
    iam_role_policy_attachment::IamRolePolicyAttachmentType,
    iam_service_linked_role::IamServiceLinkedRoleType,
    iam_user::IamUserType,
    sns_topic::SnsTopicType,
    sns_topic_policy::SnsTopicPolicyType,
    sns_topic_subscription::SnsTopicSubscriptionType,
    sqs_queue::SqsQueueType,
};
use ecsform::aws::AwsClients;
use ecsform::aws::{CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::plan::Action;
use support::conformance::{
    conformance, conformance_reverted, conformance_with_tags, extra_tags, lifecycle_without_update,
    plan, Stage,
};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

fn pairs(it: impl Iterator<Item = (String, String)>) -> BTreeMap<String, String> {
    it.collect()
}

const TRUST_EC2: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "",
      "Effect": "Allow",
      "Action": ["sts:AssumeRole"],
      "Principal": { "Service": ["ec2.amazonaws.com"] }
    }
  ]
}"#;

const TRUST_ECS_TASKS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}"#;

const READ_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}"#;
const READ_WRITE_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":["*"]}]}"#;

async fn role(c: &AwsClients, name: &str) {
    c.iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(TRUST_EC2)
        .send()
        .await
        .expect("CreateRole");
}

async fn managed_policy(c: &AwsClients, name: &str) -> String {
    c.iam
        .create_policy()
        .policy_name(name)
        .policy_document(READ_S3)
        .send()
        .await
        .expect("CreatePolicy")
        .policy()
        .and_then(|p| p.arn())
        .expect("policy arn")
        .to_string()
}

fn role_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .iam
            .list_role_tags()
            .role_name(attr_str(state, "id"))
            .send()
            .await
            .expect("ListRoleTags");
        pairs(
            out.tags()
                .iter()
                .map(|t| (t.key().into(), t.value().into())),
        )
    })
}

fn profile_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        // moto fails ListInstanceProfileTags with an internal error; GetInstanceProfile
        // has the tags too.
        let out = c
            .iam
            .get_instance_profile()
            .instance_profile_name(attr_str(state, "id"))
            .send()
            .await
            .expect("GetInstanceProfile");
        let tags = out.instance_profile().map(|p| p.tags()).unwrap_or_default();
        pairs(tags.iter().map(|t| (t.key().into(), t.value().into())))
    })
}

fn policy_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .iam
            .list_policy_tags()
            .policy_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListPolicyTags");
        pairs(
            out.tags()
                .iter()
                .map(|t| (t.key().into(), t.value().into())),
        )
    })
}

fn user_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .iam
            .list_user_tags()
            .user_name(attr_str(state, "id"))
            .send()
            .await
            .expect("ListUserTags");
        pairs(
            out.tags()
                .iter()
                .map(|t| (t.key().into(), t.value().into())),
        )
    })
}

#[tokio::test]
async fn aws_iam_role_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("ecs-instance")),
        ("assume_role_policy", s(TRUST_EC2)),
        ("tags", tags(&[("Team", "platform")])),
    ]);
    let update = Value::map([
        ("name", s("ecs-instance")),
        ("assume_role_policy", s(TRUST_ECS_TASKS)),
        ("description", s("ECS container instances")),
        ("max_session_duration", Value::number(7200)),
        ("force_detach_policies", Value::Bool(true)),
        ("tags", tags(&[("Team", "ecs")])),
    ]);
    conformance_with_tags(
        &IamRoleType,
        &c,
        role_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "ecs-instance");
            assert!(attr_str(state, "arn").ends_with(":role/ecs-instance"));
            assert!(!attr_str(state, "unique_id").is_empty());
            assert!(!attr_str(state, "create_date").is_empty());
            assert_eq!(attr(state, "path"), &s("/"));
            match stage {
                Stage::Created => {
                    assert_eq!(attr(state, "max_session_duration"), &Value::number(3600));
                    assert!(attr_str(state, "assume_role_policy").contains("ec2.amazonaws.com"));
                }
                Stage::Updated => {
                    assert_eq!(attr(state, "max_session_duration"), &Value::number(7200));
                    assert_eq!(attr(state, "description"), &s("ECS container instances"));
                    assert!(attr_str(state, "assume_role_policy").contains("ecs-tasks"));
                }
            }
        },
    )
    .await;
}

/// A service-linked role's tags, by its name (its id is its ARN).
fn service_linked_role_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .iam
            .list_role_tags()
            .role_name(attr_str(state, "name"))
            .send()
            .await
            .expect("ListRoleTags");
        pairs(
            out.tags()
                .iter()
                .map(|t| (t.key().into(), t.value().into())),
        )
    })
}

#[tokio::test]
async fn aws_iam_service_linked_role_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let config = |description: &str, team: &str| {
        Value::map([
            ("aws_service_name", s("autoscaling.amazonaws.com")),
            ("custom_suffix", s("web")),
            ("description", s(description)),
            ("tags", tags(&[("Team", team)])),
        ])
    };
    conformance_with_tags(
        &IamServiceLinkedRoleType,
        &c,
        service_linked_role_tags,
        config("web instances", "platform"),
        config("web and batch instances", "ecs"),
        |stage, state| {
            assert_eq!(attr_str(state, "id"), attr_str(state, "arn"));
            assert!(attr_str(state, "name").starts_with("AWSServiceRoleForAutoScaling"));
            assert!(attr_str(state, "name").ends_with("_web"));
            assert!(attr_str(state, "arn").ends_with(&format!(
                ":role/aws-service-role/autoscaling.amazonaws.com/{}",
                attr_str(state, "name")
            )));
            assert_eq!(
                attr(state, "path"),
                &s("/aws-service-role/autoscaling.amazonaws.com/")
            );
            assert_eq!(
                attr(state, "aws_service_name"),
                &s("autoscaling.amazonaws.com")
            );
            assert_eq!(attr(state, "custom_suffix"), &s("web"));
            assert!(!attr_str(state, "unique_id").is_empty());
            assert!(!attr_str(state, "create_date").is_empty());
            let description = match stage {
                Stage::Created => "web instances",
                Stage::Updated => "web and batch instances",
            };
            assert_eq!(attr(state, "description"), &s(description));
        },
    )
    .await;
}

/// An interrupted create finds the role again by its service and suffix (one per account),
/// not by tags, which CreateServiceLinkedRole cannot set; another suffix is another role.
#[tokio::test]
async fn aws_iam_service_linked_role_is_found_again_by_service_and_suffix() {
    let _moto = exclusive();
    let c = clients().await;
    let made = c
        .iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .custom_suffix("found")
        .send()
        .await
        .unwrap();
    let arn = made.role().unwrap().arn().to_string();
    let owner = ecsform::aws::Owner {
        address: "aws_iam_service_linked_role.asg",
        lineage: "conformance",
    };
    let planned = |suffix: &str| {
        Value::map([
            ("aws_service_name", s("autoscaling.amazonaws.com")),
            ("custom_suffix", s(suffix)),
        ])
    };
    let found = IamServiceLinkedRoleType
        .find_created(&c, &planned("found"), &owner)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(format!("{found:?}").contains(&arn), "{found:?}");
    let other = IamServiceLinkedRoleType
        .find_created(&c, &planned("other"), &owner)
        .await
        .unwrap();
    assert!(other.is_empty(), "{other:?}");
    // Import takes the ARN and nothing else.
    assert_eq!(
        IamServiceLinkedRoleType.import_id(&c, &arn).await.ok(),
        Some(arn.clone())
    );
    assert!(IamServiceLinkedRoleType
        .import_id(&c, "AWSServiceRoleForAutoScaling_found")
        .await
        .is_err());
}

#[tokio::test]
async fn aws_iam_role_with_name_prefix_and_attached_policies_is_force_detached() {
    let _moto = exclusive();
    let c = clients().await;
    let config = Value::map([
        ("name_prefix", s("web-")),
        ("assume_role_policy", s(TRUST_EC2)),
        ("force_detach_policies", Value::Bool(true)),
    ]);
    let planned = plan(&IamRoleType, &config, None);
    let extra = extra_tags("aws_iam_role.web");
    let ctx = CallContext {
        clients: &c,
        address: "aws_iam_role.web",
        extra_tags: &extra,
    };
    let created = IamRoleType.create(&ctx, &planned.after).await.unwrap();
    let name = attr_str(&created, "name").to_string();
    assert!(name.starts_with("web-"));
    assert_eq!(attr(&created, "name_prefix"), &s("web-"));
    let arn = managed_policy(&c, "read-s3").await;
    c.iam
        .attach_role_policy()
        .role_name(&name)
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    c.iam
        .put_role_policy()
        .role_name(&name)
        .policy_name("inline")
        .policy_document(READ_S3)
        .send()
        .await
        .unwrap();
    IamRoleType.delete(&ctx, &created).await.unwrap();
    assert!(IamRoleType.read_many(&c, &[name]).await.unwrap().is_empty());
}

#[tokio::test]
async fn aws_iam_instance_profile_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    role(&c, "first").await;
    role(&c, "second").await;
    let create = Value::map([
        ("name", s("ecs")),
        ("role", s("first")),
        ("tags", tags(&[("Team", "platform")])),
    ]);
    let update = Value::map([("name", s("ecs")), ("role", s("second"))]);
    conformance_with_tags(
        &IamInstanceProfileType,
        &c,
        profile_tags,
        create,
        update,
        |stage, state| {
            assert!(attr_str(state, "arn").ends_with(":instance-profile/ecs"));
            let want = if stage == Stage::Created {
                "first"
            } else {
                "second"
            };
            assert_eq!(attr_str(state, "role"), want);
        },
    )
    .await;
}

#[tokio::test]
async fn aws_iam_policy_conforms_with_a_new_default_version() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("s3-access")),
        ("description", s("S3 access")),
        ("policy", s(READ_S3)),
        ("tags", tags(&[("Team", "platform")])),
    ]);
    let update = Value::map([
        ("name", s("s3-access")),
        ("description", s("S3 access")),
        ("policy", s(READ_WRITE_S3)),
        ("tags", tags(&[("Team", "data")])),
    ]);
    let c2 = c.clone();
    conformance_with_tags(
        &IamPolicyType,
        &c,
        policy_tags,
        create,
        update,
        move |stage, state| {
            assert_eq!(attr(state, "id"), attr(state, "arn"));
            assert!(attr_str(state, "arn").ends_with(":policy/s3-access"));
            assert!(!attr_str(state, "policy_id").is_empty());
            let document = attr_str(state, "policy");
            assert_eq!(document.contains("s3:PutObject"), stage == Stage::Updated);
            let _ = &c2;
        },
    )
    .await;
}

#[tokio::test]
async fn aws_iam_policy_keeps_at_most_five_versions() {
    let _moto = exclusive();
    let c = clients().await;
    let extra = extra_tags("aws_iam_policy.p");
    let ctx = CallContext {
        clients: &c,
        address: "aws_iam_policy.p",
        extra_tags: &extra,
    };
    let config = |n: usize| {
        let actions: Vec<String> = (0..=n).map(|i| format!("\"s3:Action{i}\"")).collect();
        Value::map([
            ("name", s("versions")),
            (
                "policy",
                s(&format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
                    actions.join(",")
                )),
            ),
        ])
    };
    let mut state = IamPolicyType
        .create(&ctx, &plan(&IamPolicyType, &config(0), None).after)
        .await
        .unwrap();
    for n in 1..=6 {
        let planned = plan(&IamPolicyType, &config(n), Some(&state));
        assert_eq!(planned.action, Action::Update);
        state = IamPolicyType
            .update(&ctx, &state, &planned.after)
            .await
            .unwrap();
        assert!(attr_str(&state, "policy").contains(&format!("s3:Action{n}")));
    }
    let versions = c
        .iam
        .list_policy_versions()
        .policy_arn(attr_str(&state, "arn"))
        .send()
        .await
        .unwrap();
    assert_eq!(versions.versions().len(), 5);
    assert_eq!(
        versions
            .versions()
            .iter()
            .filter(|v| v.is_default_version())
            .count(),
        1
    );
    IamPolicyType.delete(&ctx, &state).await.unwrap();
}

#[tokio::test]
async fn aws_iam_role_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    role(&c, "task").await;
    let create = Value::map([
        ("name", s("s3")),
        ("role", s("task")),
        ("policy", s(READ_S3)),
    ]);
    let update = Value::map([
        ("name", s("s3")),
        ("role", s("task")),
        ("policy", s(READ_WRITE_S3)),
    ]);
    conformance(&IAM_ROLE_POLICY, &c, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "task:s3");
        let document = attr_str(state, "policy");
        assert_eq!(document.contains("s3:PutObject"), stage == Stage::Updated);
    })
    .await;
}

#[tokio::test]
async fn aws_iam_role_policy_attachment_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    role(&c, "instance").await;
    let arn = managed_policy(&c, "ecs-instance").await;
    let config = Value::map([("role", s("instance")), ("policy_arn", s(&arn))]);
    let created = lifecycle_without_update(&IamRolePolicyAttachmentType, &c, config).await;
    assert_eq!(attr_str(&created, "id"), format!("instance/{arn}"));
}

#[tokio::test]
async fn aws_iam_policy_attachment_is_exclusive() {
    let _moto = exclusive();
    let c = clients().await;
    role(&c, "a").await;
    role(&c, "b").await;
    role(&c, "elsewhere").await;
    c.iam.create_user().user_name("u").send().await.unwrap();
    let arn = managed_policy(&c, "shared").await;
    // Attached outside the configuration: detached by the exclusive attachment.
    c.iam
        .attach_role_policy()
        .role_name("elsewhere")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let create = Value::map([
        ("name", s("shared")),
        ("policy_arn", s(&arn)),
        ("roles", Value::List(vec![s("a")])),
    ]);
    let update = Value::map([
        ("name", s("shared")),
        ("policy_arn", s(&arn)),
        ("roles", Value::List(vec![s("a"), s("b")])),
        ("users", Value::List(vec![s("u")])),
    ]);
    conformance(
        &IamPolicyAttachmentType,
        &c,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), format!("shared|{arn}"));
            let roles = attr(state, "roles").as_list().unwrap().len();
            assert_eq!(roles, if stage == Stage::Created { 1 } else { 2 });
        },
    )
    .await;
    let left = c
        .iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(left.policy_roles().is_empty() && left.policy_users().is_empty());
}

#[tokio::test]
async fn aws_iam_user_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([("name", s("deploy")), ("tags", tags(&[("Team", "ci")]))]);
    let update = Value::map([
        ("name", s("deploy")),
        ("force_destroy", Value::Bool(true)),
        ("tags", tags(&[("Team", "ci"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &IamUserType,
        &c,
        user_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "deploy");
            let n = if stage == Stage::Created { 1 } else { 2 };
            assert_eq!(attr(state, "tags").as_map().unwrap().len(), n);
        },
    )
    .await;
}

/// A new path (and name) is an in-place UpdateUser. (moto keys tags by ARN, which has the path
/// in it, so this test sets no tags: moto loses them on a path change, AWS does not.)
#[tokio::test]
async fn aws_iam_user_moves_and_renames_in_place() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([("name", s("deploy"))]);
    let update = Value::map([("name", s("deployer")), ("path", s("/ci/"))]);
    conformance_with_tags(
        &IamUserType,
        &c,
        user_tags,
        create,
        update,
        |stage, state| {
            let (name, path) = match stage {
                Stage::Created => ("deploy", "/"),
                Stage::Updated => ("deployer", "/ci/"),
            };
            assert_eq!(attr_str(state, "id"), name);
            assert_eq!(attr_str(state, "path"), path);
            assert!(attr_str(state, "arn").ends_with(&format!("user{path}{name}")));
        },
    )
    .await;
}

#[tokio::test]
async fn aws_iam_user_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    c.iam
        .create_user()
        .user_name("deploy")
        .send()
        .await
        .unwrap();
    let create = Value::map([
        ("name", s("s3")),
        ("user", s("deploy")),
        ("policy", s(READ_S3)),
    ]);
    let update = Value::map([
        ("name", s("s3")),
        ("user", s("deploy")),
        ("policy", s(READ_WRITE_S3)),
    ]);
    conformance(&IAM_USER_POLICY, &c, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), "deploy:s3");
        let document = attr_str(state, "policy");
        assert_eq!(document.contains("s3:PutObject"), stage == Stage::Updated);
    })
    .await;
}

#[tokio::test]
async fn aws_iam_access_key_conforms_and_keeps_its_secret() {
    let _moto = exclusive();
    let c = clients().await;
    c.iam.create_user().user_name("smtp").send().await.unwrap();
    let create = Value::map([("user", s("smtp"))]);
    let update = Value::map([("user", s("smtp")), ("status", s("Inactive"))]);
    conformance(&IamAccessKeyType, &c, create, update, |stage, state| {
        assert!(attr_str(state, "id").starts_with("AKIA"));
        let secret = attr(state, "secret");
        assert!(
            matches!(secret, Value::Sensitive(_)),
            "secret is not sensitive"
        );
        assert!(!secret.unmarked().as_str().unwrap().is_empty());
        assert!(attr(state, "ses_smtp_password_v4")
            .unmarked()
            .as_str()
            .is_some());
        let status = if stage == Stage::Created {
            "Active"
        } else {
            "Inactive"
        };
        assert_eq!(attr_str(state, "status"), status);
    })
    .await;
}

/// Roles and users are read one Get call each (their list calls lack tags); ids that are gone
/// are left out without failing the read.
#[tokio::test]
async fn iam_reads_skip_objects_that_are_gone() {
    let _moto = exclusive();
    let c = clients().await;
    let m = moto();
    role(&c, "kept").await;
    let ids = ["kept".to_string(), "gone".to_string()];
    m.recorder_start();
    let found = IamRoleType.read_many(&c, &ids).await.unwrap();
    m.recorder_stop();
    assert_eq!(found.keys().collect::<Vec<_>>(), ["kept"]);
    assert_eq!(m.recorded_actions(), ["GetRole", "GetRole"]);
}

fn log_group_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .logs
            .list_tags_for_resource()
            .resource_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTagsForResource (logs)");
        out.tags()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect()
    })
}

fn event_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .events
            .list_tags_for_resource()
            .resource_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTagsForResource (events)");
        pairs(
            out.tags()
                .iter()
                .map(|t| (t.key().into(), t.value().into())),
        )
    })
}

fn topic_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .sns
            .list_tags_for_resource()
            .resource_arn(attr_str(state, "arn"))
            .send()
            .await
            .expect("ListTagsForResource (sns)");
        pairs(
            out.tags()
                .iter()
                .map(|t| (t.key().into(), t.value().into())),
        )
    })
}

#[tokio::test]
async fn aws_cloudwatch_log_group_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("/ecs/web")),
        ("retention_in_days", Value::number(30)),
        ("tags", tags(&[("Service", "web")])),
    ]);
    let update = Value::map([
        ("name", s("/ecs/web")),
        ("retention_in_days", Value::number(7)),
        ("skip_destroy", Value::Bool(false)),
        ("tags", tags(&[("Service", "web"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &CloudwatchLogGroupType,
        &c,
        log_group_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "/ecs/web");
            assert!(attr_str(state, "arn").ends_with(":log-group:/ecs/web"));
            let days = if stage == Stage::Created { 30 } else { 7 };
            assert_eq!(attr(state, "retention_in_days"), &Value::number(days));
        },
    )
    .await;
}

#[tokio::test]
async fn aws_cloudwatch_log_group_retention_zero_never_expires_and_skip_destroy_keeps_it() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name_prefix", s("/ecs/app-")),
        ("retention_in_days", Value::number(14)),
    ]);
    let update = Value::map([
        ("name_prefix", s("/ecs/app-")),
        ("skip_destroy", Value::Bool(true)),
    ]);
    let extra = extra_tags("aws_cloudwatch_log_group.app");
    let ctx = CallContext {
        clients: &c,
        address: "aws_cloudwatch_log_group.app",
        extra_tags: &extra,
    };
    let rt = &CloudwatchLogGroupType;
    let created = rt
        .create(&ctx, &plan(rt, &create, None).after)
        .await
        .unwrap();
    assert!(attr_str(&created, "name").starts_with("/ecs/app-"));
    let planned = plan(rt, &update, Some(&created));
    assert_eq!(planned.action, Action::Update);
    let updated = rt.update(&ctx, &created, &planned.after).await.unwrap();
    assert_eq!(attr(&updated, "retention_in_days"), &Value::number(0));
    assert_eq!(attr(&updated, "skip_destroy"), &Value::Bool(true));
    rt.delete(&ctx, &updated).await.unwrap();
    let id = attr_str(&updated, "id").to_string();
    assert_eq!(
        rt.read_many(&c, std::slice::from_ref(&id))
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Up to three log groups are read by name prefix; more with one listing of all groups.
#[tokio::test]
async fn log_group_reads_list_once_for_many_groups() {
    let _moto = exclusive();
    let c = clients().await;
    let m = moto();
    let names: Vec<String> = (0..5).map(|i| format!("/ecs/svc-{i}")).collect();
    for n in &names {
        c.logs
            .create_log_group()
            .log_group_name(n)
            .send()
            .await
            .unwrap();
    }
    let mut ids = names.clone();
    ids.push("/ecs/gone".to_string());
    m.recorder_start();
    let found = CloudwatchLogGroupType.read_many(&c, &ids).await.unwrap();
    m.recorder_stop();
    assert_eq!(found.len(), 5);
    let actions = m.recorded_actions();
    assert_eq!(
        actions.iter().filter(|a| *a == "DescribeLogGroups").count(),
        1,
        "{actions:?}"
    );
}

#[tokio::test]
async fn aws_cloudwatch_event_rule_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let pattern = r#"{
  "source": ["aws.ecs"],
  "detail-type": ["ECS Task State Change"],
  "detail": { "lastStatus": ["STOPPED"] }
}"#;
    let create = Value::map([
        ("name", s("ecs-task-stopped")),
        ("description", s("ECS tasks that stop")),
        ("event_pattern", s(pattern)),
        ("tags", tags(&[("Service", "ecs")])),
    ]);
    let update = Value::map([
        ("name", s("ecs-task-stopped")),
        ("description", s("Stopped ECS tasks")),
        ("event_pattern", s(pattern)),
        ("state", s("DISABLED")),
        ("tags", tags(&[("Service", "ecs-events")])),
    ]);
    conformance_with_tags(
        &CloudwatchEventRuleType,
        &c,
        event_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "ecs-task-stopped");
            assert!(attr_str(state, "arn").ends_with(":rule/ecs-task-stopped"));
            assert_eq!(attr_str(state, "event_bus_name"), "default");
            let (st, enabled) = match stage {
                Stage::Created => ("ENABLED", true),
                Stage::Updated => ("DISABLED", false),
            };
            assert_eq!(attr_str(state, "state"), st);
            assert_eq!(attr(state, "is_enabled"), &Value::Bool(enabled));
        },
    )
    .await;
}

#[tokio::test]
async fn aws_cloudwatch_event_rule_on_a_custom_bus_disabled_by_is_enabled() {
    let _moto = exclusive();
    let c = clients().await;
    c.events
        .create_event_bus()
        .name("orders")
        .send()
        .await
        .unwrap();
    let create = Value::map([
        ("name", s("new-order")),
        ("event_bus_name", s("orders")),
        ("event_pattern", s(r#"{"source":["shop"]}"#)),
        ("is_enabled", Value::Bool(false)),
    ]);
    let update = Value::map([
        ("name", s("new-order")),
        ("event_bus_name", s("orders")),
        (
            "event_pattern",
            s(r#"{"source":["shop"],"detail-type":["OrderPlaced"]}"#),
        ),
        ("is_enabled", Value::Bool(false)),
    ]);
    conformance_with_tags(
        &CloudwatchEventRuleType,
        &c,
        event_tags,
        create,
        update,
        |_, state| {
            assert_eq!(attr_str(state, "id"), "orders/new-order");
            assert_eq!(attr_str(state, "state"), "DISABLED");
        },
    )
    .await;
}

#[tokio::test]
async fn aws_cloudwatch_event_target_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    c.events
        .put_rule()
        .name("ecs-events")
        .event_pattern(r#"{"source":["aws.ecs"]}"#)
        .send()
        .await
        .unwrap();
    let topic = c
        .sns
        .create_topic()
        .name("ecs-events")
        .send()
        .await
        .unwrap();
    let topic = topic.topic_arn().unwrap().to_string();
    let create = Value::map([
        ("rule", s("ecs-events")),
        ("target_id", s("notify")),
        ("arn", s(&topic)),
        ("input", s(r#"{"hello":"world"}"#)),
    ]);
    let update = Value::map([
        ("rule", s("ecs-events")),
        ("target_id", s("notify")),
        ("arn", s(&topic)),
        (
            "input_transformer",
            Value::List(vec![Value::map([
                ("input_paths", tags(&[("status", "$.detail.lastStatus")])),
                ("input_template", s(r#""Task is <status>""#)),
            ])]),
        ),
    ]);
    conformance(
        &CloudwatchEventTargetType,
        &c,
        create,
        update,
        |stage, state| {
            assert_eq!(attr_str(state, "id"), "ecs-events/notify");
            let transformers = attr(state, "input_transformer").as_list().unwrap().len();
            match stage {
                Stage::Created => {
                    assert_eq!(attr_str(state, "input"), r#"{"hello":"world"}"#);
                    assert_eq!(transformers, 0);
                }
                Stage::Updated => {
                    assert_eq!(attr(state, "input"), &Value::Null);
                    assert_eq!(transformers, 1);
                }
            }
        },
    )
    .await;
}

#[tokio::test]
async fn aws_cloudwatch_event_target_generates_its_id() {
    let _moto = exclusive();
    let c = clients().await;
    c.events
        .put_rule()
        .name("r")
        .schedule_expression("rate(5 minutes)")
        .send()
        .await
        .unwrap();
    let topic = c.sns.create_topic().name("t").send().await.unwrap();
    let config = Value::map([("rule", s("r")), ("arn", s(topic.topic_arn().unwrap()))]);
    let created = lifecycle_without_update(&CloudwatchEventTargetType, &c, config).await;
    assert!(attr_str(&created, "target_id").starts_with("terraform-"));
}

#[tokio::test]
async fn aws_sns_topic_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("ecs-alerts")),
        ("display_name", s("ECS alerts")),
        ("tags", tags(&[("Service", "ecs")])),
    ]);
    let update = Value::map([
        ("name", s("ecs-alerts")),
        ("display_name", s("ECS alarms")),
        (
            "delivery_policy",
            s(
                r#"{"http": {"defaultHealthyRetryPolicy": {"numRetries": 3, "minDelayTarget": 20, "maxDelayTarget": 20}}}"#,
            ),
        ),
        ("tags", tags(&[("Service", "ecs"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &SnsTopicType,
        &c,
        topic_tags,
        create,
        update,
        |stage, state| {
            assert_eq!(attr(state, "id"), attr(state, "arn"));
            assert!(attr_str(state, "arn").ends_with(":ecs-alerts"));
            assert!(!attr_str(state, "owner").is_empty());
            assert!(attr_str(state, "policy").contains("Statement"));
            let name = if stage == Stage::Created {
                "ECS alerts"
            } else {
                "ECS alarms"
            };
            assert_eq!(attr_str(state, "display_name"), name);
        },
    )
    .await;
}

#[tokio::test]
async fn aws_sns_topic_subscription_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let topic = c.sns.create_topic().name("orders").send().await.unwrap();
    let topic = topic.topic_arn().unwrap().to_string();
    let queue = "arn:aws:sqs:us-east-1:123456789012:orders";
    let base = [
        ("topic_arn", s(&topic)),
        ("protocol", s("sqs")),
        ("endpoint", s(queue)),
    ];
    let with = |more: Vec<(&'static str, Value)>| Value::map(base.iter().cloned().chain(more));
    let create = with(vec![
        ("raw_message_delivery", Value::Bool(true)),
        ("filter_policy", s(r#"{ "store": ["example_corp"] }"#)),
    ]);
    let update = with(vec![
        (
            "filter_policy",
            s(r#"{"store": ["example_corp", "other"], "event": ["order_placed"]}"#),
        ),
        ("filter_policy_scope", s("MessageBody")),
        (
            "redrive_policy",
            s(r#"{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}"#),
        ),
    ]);
    conformance(
        &SnsTopicSubscriptionType,
        &c,
        create,
        update,
        |stage, state| {
            assert_eq!(attr(state, "id"), attr(state, "arn"));
            assert!(attr_str(state, "arn").starts_with(&format!("{topic}:")));
            assert_eq!(attr(state, "pending_confirmation"), &Value::Bool(false));
            assert!(!attr_str(state, "owner_id").is_empty());
            let raw = stage == Stage::Created;
            assert_eq!(attr(state, "raw_message_delivery"), &Value::Bool(raw));
            let scope = if raw {
                "MessageAttributes"
            } else {
                "MessageBody"
            };
            assert_eq!(attr_str(state, "filter_policy_scope"), scope);
        },
    )
    .await;
    // What SNS holds after the update, as its own call reads it.
    let subs = c
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    assert!(subs.subscriptions().is_empty(), "{subs:?}");
}

#[tokio::test]
async fn aws_sns_topic_subscription_reads_what_sns_holds_and_is_found_by_its_arguments() {
    let _moto = exclusive();
    let c = clients().await;
    let topic = c.sns.create_topic().name("alerts").send().await.unwrap();
    let topic = topic.topic_arn().unwrap().to_string();
    let config = Value::map([
        ("topic_arn", s(&topic)),
        ("protocol", s("email")),
        ("endpoint", s("ops@example.com")),
        ("filter_policy", s(r#"{"severity":["high"]}"#)),
    ]);
    let rt = &SnsTopicSubscriptionType;
    let address = "aws_sns_topic_subscription.mail";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let planned = plan(rt, &config, None);
    let created = rt.create(&ctx, &planned.after).await.unwrap();
    let arn = attr_str(&created, "arn").to_string();
    let held = c
        .sns
        .get_subscription_attributes()
        .subscription_arn(&arn)
        .send()
        .await
        .unwrap();
    let held = held.attributes().unwrap();
    assert_eq!(held["Protocol"], "email");
    assert_eq!(held["Endpoint"], "ops@example.com");
    assert_eq!(held["FilterPolicy"], r#"{"severity":["high"]}"#);
    // An interrupted create is found again by topic, protocol and endpoint.
    let owner = ecsform::aws::Owner {
        address,
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &planned.after, &owner).await.unwrap();
    assert_eq!(found, vec![ecsform::aws::Candidate::Ours(created.clone())]);
    rt.delete(&ctx, &created).await.unwrap();
    assert!(rt
        .find_created(&c, &planned.after, &owner)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn aws_sns_topic_policy_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let topic = c.sns.create_topic().name("events").send().await.unwrap();
    let topic = topic.topic_arn().unwrap().to_string();
    let policy = |service: &str| {
        s(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"publish","Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sns:Publish","Resource":"{topic}"}}]}}"#
        ))
    };
    let create = Value::map([
        ("arn", s(&topic)),
        ("policy", policy("events.amazonaws.com")),
    ]);
    let update = Value::map([
        ("arn", s(&topic)),
        ("policy", policy("cloudwatch.amazonaws.com")),
    ]);
    let held = || async {
        let out = c
            .sns
            .get_topic_attributes()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap();
        out.attributes().unwrap()["Policy"].clone()
    };
    conformance_reverted(&SnsTopicPolicyType, &c, create, update, |stage, state| {
        assert_eq!(attr_str(state, "id"), topic);
        assert!(!attr_str(state, "owner").is_empty());
        let service = match stage {
            Stage::Created => "events.amazonaws.com",
            Stage::Updated => "cloudwatch.amazonaws.com",
        };
        assert!(attr_str(state, "policy").contains(service));
    })
    .await;
    // Delete put back the default policy of a new topic.
    let after: serde_json::Value = serde_json::from_str(&held().await).unwrap();
    assert_eq!(after["Id"], "__default_policy_ID", "{after}");
    assert_eq!(after["Statement"][0]["Resource"], topic.as_str());
    // A topic that is gone: nothing to put back.
    c.sns.delete_topic().topic_arn(&topic).send().await.unwrap();
    let gone = Value::map([("id", s(&topic)), ("owner", s("123456789012"))]);
    let gone = SnsTopicPolicyType.schema().decode(&gone);
    let extra = extra_tags("aws_sns_topic_policy.t");
    let ctx = CallContext {
        clients: &c,
        address: "aws_sns_topic_policy.t",
        extra_tags: &extra,
    };
    SnsTopicPolicyType.delete(&ctx, &gone).await.unwrap();
}

fn queue_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .sqs
            .list_queue_tags()
            .queue_url(attr_str(state, "id"))
            .send()
            .await
            .expect("ListQueueTags");
        pairs(out.tags().cloned().unwrap_or_default().into_iter())
    })
}

#[tokio::test]
async fn aws_sqs_queue_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let dlq = c
        .sqs
        .create_queue()
        .queue_name("jobs-dlq")
        .send()
        .await
        .unwrap();
    let dlq = c
        .sqs
        .get_queue_attributes()
        .queue_url(dlq.queue_url().unwrap())
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let dlq = dlq.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
    let create = Value::map([
        ("name", s("jobs")),
        ("visibility_timeout_seconds", Value::Number(60.0)),
        ("tags", tags(&[("Service", "jobs")])),
    ]);
    let update = Value::map([
        ("name", s("jobs")),
        ("visibility_timeout_seconds", Value::Number(120.0)),
        ("delay_seconds", Value::Number(5.0)),
        (
            "redrive_policy",
            s(&format!(
                r#"{{"deadLetterTargetArn": "{dlq}", "maxReceiveCount": 4}}"#
            )),
        ),
        ("tags", tags(&[("Service", "jobs"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &SqsQueueType,
        &c,
        queue_tags,
        create,
        update,
        |stage, state| {
            assert!(attr_str(state, "id").ends_with("/jobs"));
            assert_eq!(attr(state, "id"), attr(state, "url"));
            assert!(attr_str(state, "arn").ends_with(":jobs"));
            assert_eq!(attr(state, "fifo_queue"), &Value::Bool(false));
            assert_eq!(
                attr(state, "message_retention_seconds"),
                &Value::Number(345_600.0)
            );
            let held_delay = if stage == Stage::Created { 0.0 } else { 5.0 };
            assert_eq!(attr(state, "delay_seconds"), &Value::Number(held_delay));
        },
    )
    .await;
}

#[tokio::test]
async fn aws_sqs_queue_fifo_is_replaced_and_generated_names_end_in_fifo() {
    let _moto = exclusive();
    let c = clients().await;
    let config = Value::map([
        ("name_prefix", s("orders-")),
        ("fifo_queue", Value::Bool(true)),
        ("content_based_deduplication", Value::Bool(true)),
    ]);
    let rt = &SqsQueueType;
    let pinned = rt.pin_generated(plan(rt, &config, None).after);
    let name = attr_str(&pinned, "name").to_string();
    assert!(
        name.starts_with("orders-") && name.ends_with(".fifo"),
        "{name}"
    );
    let address = "aws_sqs_queue.orders";
    let extra = extra_tags(address);
    let ctx = CallContext {
        clients: &c,
        address,
        extra_tags: &extra,
    };
    let created = rt.create(&ctx, &pinned).await.unwrap();
    assert_eq!(attr_str(&created, "name"), name);
    assert_eq!(attr_str(&created, "name_prefix"), "orders-");
    assert_eq!(attr(&created, "fifo_queue"), &Value::Bool(true));
    assert_eq!(
        attr(&created, "content_based_deduplication"),
        &Value::Bool(true)
    );
    let held = c
        .sqs
        .get_queue_attributes()
        .queue_url(attr_str(&created, "url"))
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let held = held.attributes().unwrap();
    assert_eq!(
        held[&aws_sdk_sqs::types::QueueAttributeName::FifoQueue],
        "true"
    );
    // Found again by its name after an interrupted apply.
    let owner = ecsform::aws::Owner {
        address,
        lineage: "conformance",
    };
    let found = rt.find_created(&c, &pinned, &owner).await.unwrap();
    assert_eq!(found, vec![ecsform::aws::Candidate::Ours(created.clone())]);
    // A standard queue instead of a FIFO one replaces it.
    let standard = Value::map([("name", s(&name)), ("fifo_queue", Value::Bool(false))]);
    let again = plan(rt, &standard, Some(&created));
    assert_eq!(
        again.action,
        Action::DeleteThenCreate,
        "{:?}",
        again.replace_paths
    );
    rt.delete(&ctx, &created).await.unwrap();
    assert!(rt
        .read_many(&c, &[attr_str(&created, "id").to_string()])
        .await
        .unwrap()
        .is_empty());
}

/// A policy document written with Terraform's nested `principals` and `condition` blocks
/// renders as the AWS provider renders it; a block missing a required argument is an error
/// located at the block.
#[tokio::test]
async fn aws_iam_policy_document_takes_nested_blocks() {
    use ecsform::aws::data::iam_policy_document::IamPolicyDocument;
    use ecsform::aws::DataSource;
    use ecsform::ops::load::{self, LoadOptions};

    let load = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), text).unwrap();
        let loaded = load::load(&LoadOptions {
            dir: dir.path().to_path_buf(),
            vars: Vec::new(),
            env: Vec::new(),
        });
        (dir, loaded)
    };
    let (_dir, loaded) = load(
        r#"
data "aws_iam_policy_document" "blocks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
}
"#,
    );
    assert!(
        loaded.diags.is_empty(),
        "{}",
        loaded.diags.render(&loaded.sources, false)
    );
    let offline = AwsClients::from_config(
        &aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build(),
    );
    let config = loaded
        .evaluated
        .instances
        .values()
        .find(|i| i.addr.to_string() == "data.aws_iam_policy_document.blocks")
        .map(|i| i.config.clone())
        .expect("data instance");
    let conformed = IamPolicyDocument
        .schema()
        .conform(&config)
        .expect("conforms");
    let read = IamPolicyDocument.read(&offline, &conformed).await.unwrap();
    assert_eq!(
        attr_str(&read, "json"),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "ecs-tasks.amazonaws.com"
      },
      "Condition": {
        "StringEquals": {
          "aws:SourceAccount": "123456789012"
        }
      }
    }
  ]
}"#
    );

    // A principal without identifiers is a schema error, located at the block.
    let (_dir, loaded) = load(
        r#"
data "aws_iam_policy_document" "incomplete" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type = "Service"
    }
  }
}
"#,
    );
    let rendered = loaded.diags.render(&loaded.sources, false);
    assert!(
        rendered.contains("main.tf:5:5")
            && rendered.contains("The argument \"identifiers\" is required"),
        "{rendered}"
    );
}

/// The ECS-optimised AMI id, which moto serves like AWS.
#[tokio::test]
async fn aws_ssm_parameter_reads_the_ecs_optimised_ami() {
    use ecsform::aws::data::ssm_parameter::SsmParameter;
    use ecsform::aws::DataSource;

    let _moto = exclusive();
    let c = clients().await;
    let config = SsmParameter
        .schema()
        .conform(&Value::map([(
            "name",
            s("/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"),
        )]))
        .unwrap();
    let read = SsmParameter.read(&c, &config).await.unwrap();
    let value = attr(&read, "value");
    assert!(
        matches!(value, Value::Sensitive(_)),
        "value is not sensitive"
    );
    assert!(value.unmarked().as_str().unwrap().starts_with("ami-"));
    assert_eq!(attr(&read, "insecure_value"), value.unmarked());
    assert_eq!(attr_str(&read, "type"), "String");

    c.ssm
        .put_parameter()
        .name("/app/db-password")
        .value("s3cret")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let config = SsmParameter
        .schema()
        .conform(&Value::map([("name", s("/app/db-password"))]))
        .unwrap();
    let read = SsmParameter.read(&c, &config).await.unwrap();
    assert_eq!(attr(&read, "value").unmarked(), &s("s3cret"));
    assert_eq!(attr(&read, "insecure_value"), &Value::Null);
    let missing = SsmParameter
        .schema()
        .conform(&Value::map([("name", s("/nope"))]))
        .unwrap();
    assert!(SsmParameter
        .read(&c, &missing)
        .await
        .unwrap_err()
        .is_not_found());
}
