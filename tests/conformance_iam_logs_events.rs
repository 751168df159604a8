//! Conformance of the IAM, CloudWatch Logs, EventBridge and SNS resource types against moto,
//! with in-place updates that matter (a role's description and session length, a new default
//! policy version, a log group's retention, an event rule's state, a target's input, a
//! topic's display name), plus lifecycles of the types that have nothing to update in place.
//!
//! These services' tags are not EC2 tags: each test reads them with its own service's call
//! (a [`TagReader`]). Prerequisites are made with plain SDK calls.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/support/moto.rs).
#![allow(clippy::await_holding_lock)]

mod support;

use std::collections::BTreeMap;

use ecsform::aws::resources::{
    iam_access_key::IamAccessKeyType, iam_instance_profile::IamInstanceProfileType,
    iam_policy::IamPolicyType, iam_policy_attachment::IamPolicyAttachmentType,
    iam_role::IamRoleType, iam_role_policy::IamRolePolicyType,
    iam_role_policy_attachment::IamRolePolicyAttachmentType, iam_user::IamUserType,
    iam_user_policy::IamUserPolicyType,
};
use ecsform::aws::AwsClients;
use ecsform::lang::Value;
use ecsform::plan::Action;
use ecsform::provider::{CallContext, ResourceType};
use support::conformance::{
    conformance, conformance_with_tags, extra_tags, plan, Stage, TagReader,
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

fn role_tags() -> TagReader {
    |c, state| {
        Box::pin(async move {
            let out = c
                .iam
                .list_role_tags()
                .role_name(attr_str(&state, "id"))
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
}

fn profile_tags() -> TagReader {
    |c, state| {
        Box::pin(async move {
            // moto fails ListInstanceProfileTags with an internal error; GetInstanceProfile
            // has the tags too.
            let out = c
                .iam
                .get_instance_profile()
                .instance_profile_name(attr_str(&state, "id"))
                .send()
                .await
                .expect("GetInstanceProfile");
            let tags = out.instance_profile().map(|p| p.tags()).unwrap_or_default();
            pairs(tags.iter().map(|t| (t.key().into(), t.value().into())))
        })
    }
}

fn policy_tags() -> TagReader {
    |c, state| {
        Box::pin(async move {
            let out = c
                .iam
                .list_policy_tags()
                .policy_arn(attr_str(&state, "arn"))
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
}

fn user_tags() -> TagReader {
    |c, state| {
        Box::pin(async move {
            let out = c
                .iam
                .list_user_tags()
                .user_name(attr_str(&state, "id"))
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
}

/// Create, read back, plan a no-op and delete, for types whose arguments all force a new
/// object (nothing to update in place).
async fn lifecycle_without_update(rt: &dyn ResourceType, c: &AwsClients, config: Value) -> Value {
    let address = format!("{}.t", rt.type_name());
    let extra = extra_tags(&address);
    let ctx = CallContext {
        clients: c,
        address: &address,
        extra_tags: &extra,
    };
    let planned = plan(rt, &config, None);
    assert_eq!(planned.action, Action::Create);
    let created = rt.create(&ctx, &planned.after).await.expect("create");
    let id = attr_str(&created, "id").to_string();
    let read = rt
        .read_many(c, std::slice::from_ref(&id))
        .await
        .expect("read");
    assert_eq!(
        read.get(&id),
        Some(&created),
        "read differs from create's result"
    );
    assert_eq!(plan(rt, &config, Some(&created)).action, Action::NoOp);
    rt.delete(&ctx, &created).await.expect("delete");
    let gone = rt
        .read_many(c, std::slice::from_ref(&id))
        .await
        .expect("read");
    assert!(gone.is_empty(), "{id} still read after delete");
    rt.delete(&ctx, &created).await.expect("second delete");
    created
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
        create,
        update,
        Some(role_tags()),
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
        create,
        update,
        Some(profile_tags()),
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
        create,
        update,
        Some(policy_tags()),
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
    conformance(&IamRolePolicyType, &c, create, update, |stage, state| {
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
        create,
        update,
        Some(user_tags()),
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
        create,
        update,
        Some(user_tags()),
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
    conformance(&IamUserPolicyType, &c, create, update, |stage, state| {
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
