//! The API calls of a refresh stay batched: against moto, apply two groups of the generated
//! stack (50 instances of 21 types, `tests/it/support/generated.rs`), then record the calls of
//! one `plan`. Types with a batch API must make one paginated call whatever the number of
//! instances; the calls AWS offers only per object (listed below, and in
//! docs/performance.md) may grow with the instances, at most by their known factor.
//!
//! A second test checks that what a refresh reads from its shared batch calls (IAM's account
//! details, the Tagging API) equals what the per-object reads return.
//!
//! Timing is not checked here: `cargo bench --bench refresh_calls` measures it.
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;

use support::generated::{stack_instances, write_stack, STACK_TYPES};
use support::moto::{exclusive, moto};

/// Actions AWS offers only per object, with how many calls one group of the stack makes:
/// (action, calls per group).
const PER_OBJECT: &[(&str, usize)] = &[
    // EC2 returns one VPC attribute per call (DNS support, DNS host names).
    ("DescribeVpcAttribute", 2),
    // ELBv2: one target group's attributes per call.
    ("DescribeTargetGroupAttributes", 1),
    // ECS describes one task definition per call.
    ("DescribeTaskDefinition", 1),
    // SNS: one topic's attributes per call.
    ("GetTopicAttributes", 1),
    // EventBridge: one rule's targets per call.
    ("ListTargetsByRule", 1),
    // EventBridge: one rule's tags per call (moto's GetResources does not report rules).
    ("ListTagsForResource", 1),
    // IAM: a managed policy's tags come only from GetPolicy or ListPolicyTags (its document
    // comes with GetAccountAuthorizationDetails).
    ("GetPolicy", 1),
];

#[test]
fn refresh_makes_one_call_per_type_where_aws_has_a_batch_api() {
    let _guard = exclusive();
    let groups = 2;
    let work = tempfile::tempdir().unwrap();
    write_stack(work.path(), groups, "calls");
    let apply = support::run_in_env(work.path(), "apply", &["-auto-approve"], &moto().env());
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains(&format!(
            "Apply complete! Resources: {} added",
            stack_instances(groups)
        )),
        "{}",
        apply.stdout
    );

    let m = moto();
    m.reset_recording();
    m.recorder_start();
    let plan = support::run_in_env(work.path(), "plan", &["-detailed-exitcode"], &moto().env());
    m.recorder_stop();
    assert_eq!(
        plan.code, 0,
        "refresh finds every object as applied:\n{}\n{}",
        plan.stdout, plan.stderr
    );

    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    for action in m.recorded_actions() {
        *calls.entry(action).or_default() += 1;
    }
    let per_object: BTreeMap<&str, usize> = PER_OBJECT.iter().copied().collect();
    let mut batched_total = 0;
    for (action, &n) in &calls {
        match per_object.get(action.as_str()) {
            Some(per_group) => assert!(
                n <= per_group * groups,
                "{action}: {n} calls for {groups} groups, expected at most {per_group} per group\n{calls:#?}"
            ),
            None => {
                assert!(
                    n <= 5,
                    "{action} is made {n} times; a batched read makes one call per type (plus pages)\n{calls:#?}"
                );
                batched_total += n;
            }
        }
    }
    assert!(
        batched_total <= STACK_TYPES.len(),
        "{batched_total} batched calls for {} types\n{calls:#?}",
        STACK_TYPES.len()
    );
    // The floor today: what the per-object actions add for two groups.
    let total: usize = calls.values().sum();
    let floor: usize = PER_OBJECT.iter().map(|(_, n)| n * groups).sum();
    assert!(
        total <= STACK_TYPES.len() + floor,
        "{total} calls in all\n{calls:#?}"
    );
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
const POLICY_V1: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const POLICY_V2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}"#;

fn iam_tag(k: &str, v: &str) -> aws_sdk_iam::types::Tag {
    aws_sdk_iam::types::Tag::builder()
        .key(k)
        .value(v)
        .build()
        .expect("tag")
}

/// What a refresh reads from its shared batch calls (IAM's account details, ListRoles, the
/// Tagging API) must be exactly what the per-object reads return, for objects in every shape
/// the batch meets: with and without tags, description, permissions boundary, several policy
/// versions, an instance profile without a role, and ids that do not exist.
#[tokio::test]
async fn batched_refresh_reads_what_per_object_reads_read() {
    let _guard = exclusive();
    let c = ecsform::aws::AwsClients::from_config(&moto().sdk_config().await);
    let iam = &c.iam;
    iam.create_role()
        .role_name("rb-full")
        .path("/ecs/")
        .assume_role_policy_document(TRUST)
        .description("a role with everything")
        .max_session_duration(7200)
        .permissions_boundary("arn:aws:iam::aws:policy/PowerUserAccess")
        .tags(iam_tag("Team", "web"))
        .send()
        .await
        .expect("CreateRole");
    iam.create_role()
        .role_name("rb-bare")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("CreateRole");
    iam.put_role_policy()
        .role_name("rb-full")
        .policy_name("inline")
        .policy_document(POLICY_V1)
        .send()
        .await
        .expect("PutRolePolicy");
    let arn = iam
        .create_policy()
        .policy_name("rb-policy")
        .description("two versions")
        .policy_document(POLICY_V1)
        .tags(iam_tag("Team", "web"))
        .send()
        .await
        .expect("CreatePolicy")
        .policy()
        .and_then(|p| p.arn().map(String::from))
        .expect("policy ARN");
    iam.create_policy_version()
        .policy_arn(&arn)
        .policy_document(POLICY_V2)
        .set_as_default(true)
        .send()
        .await
        .expect("CreatePolicyVersion");
    iam.attach_role_policy()
        .role_name("rb-full")
        .policy_arn(&arn)
        .send()
        .await
        .expect("AttachRolePolicy");
    iam.create_instance_profile()
        .instance_profile_name("rb-tagged")
        .tags(iam_tag("Team", "web"))
        .send()
        .await
        .expect("CreateInstanceProfile");
    iam.add_role_to_instance_profile()
        .instance_profile_name("rb-tagged")
        .role_name("rb-full")
        .send()
        .await
        .expect("AddRoleToInstanceProfile");
    iam.create_instance_profile()
        .instance_profile_name("rb-untagged")
        .send()
        .await
        .expect("CreateInstanceProfile");
    iam.add_role_to_instance_profile()
        .instance_profile_name("rb-untagged")
        .role_name("rb-bare")
        .send()
        .await
        .expect("AddRoleToInstanceProfile");
    iam.create_instance_profile()
        .instance_profile_name("rb-roleless")
        .tags(iam_tag("Team", "web"))
        .send()
        .await
        .expect("CreateInstanceProfile");
    c.logs
        .create_log_group()
        .log_group_name("/rb/tagged")
        .tags("Team", "web")
        .send()
        .await
        .expect("CreateLogGroup");
    c.logs
        .create_log_group()
        .log_group_name("/rb/untagged")
        .send()
        .await
        .expect("CreateLogGroup");
    let topic = |name: &'static str, tagged: bool| {
        let c = c.clone();
        async move {
            let mut req = c.sns.create_topic().name(name);
            if tagged {
                req = req.tags(
                    aws_sdk_sns::types::Tag::builder()
                        .key("Team")
                        .value("web")
                        .build()
                        .expect("tag"),
                );
            }
            req.send()
                .await
                .expect("CreateTopic")
                .topic_arn()
                .expect("topic ARN")
                .to_string()
        }
    };
    let tagged_topic = topic("rb-tagged", true).await;
    let untagged_topic = topic("rb-untagged", false).await;
    let gone_topic = tagged_topic.replace("rb-tagged", "rb-gone");

    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "aws_iam_role",
            vec!["rb-full".into(), "rb-bare".into(), "rb-gone".into()],
        ),
        (
            "aws_iam_role_policy",
            vec![
                "rb-full:inline".into(),
                "rb-full:gone".into(),
                "rb-gone:inline".into(),
            ],
        ),
        (
            "aws_iam_role_policy_attachment",
            vec![format!("rb-full/{arn}"), format!("rb-bare/{arn}")],
        ),
        ("aws_iam_policy", vec![arn.clone(), format!("{arn}-gone")]),
        (
            "aws_iam_instance_profile",
            vec![
                "rb-tagged".into(),
                "rb-untagged".into(),
                "rb-roleless".into(),
                "rb-gone".into(),
            ],
        ),
        (
            "aws_cloudwatch_log_group",
            vec![
                "/rb/tagged".into(),
                "/rb/untagged".into(),
                "/rb/gone".into(),
            ],
        ),
        (
            "aws_sns_topic",
            vec![tagged_topic, untagged_topic, gone_topic],
        ),
    ];
    let batch = ecsform::aws::refresh_batch::RefreshBatch::for_types(cases.iter().map(|(t, _)| *t));
    let m = moto();
    m.reset_recording();
    m.recorder_start();
    let mut batched = Vec::new();
    for (type_name, ids) in &cases {
        let rt = ecsform::aws::resource_type(type_name).expect("a known type");
        batched.push(
            rt.refresh_many(&c, ids, &batch)
                .await
                .expect("batched read"),
        );
    }
    m.recorder_stop();
    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    for action in m.recorded_actions() {
        *calls.entry(action).or_default() += 1;
    }
    // The shared calls once each; per object only what the batch lacks: the ids that do not
    // exist (the attachment included), the instance profiles without tags or role there, the
    // untagged log group and topic (GetResources reports tagged objects only), the policy's
    // tags, and what AWS has no batch for. (Log groups are listed by name prefix, one call
    // each, when there are at most three.)
    let expected: BTreeMap<String, usize> = [
        ("GetAccountAuthorizationDetails", 1),
        ("ListRoles", 1),
        ("GetResources", 1),
        ("GetRole", 1),
        ("GetRolePolicy", 2),
        ("ListAttachedRolePolicies", 1),
        ("GetPolicy", 2),
        ("GetInstanceProfile", 3),
        ("DescribeLogGroups", 3),
        ("ListTagsForResource", 2),
        ("GetTopicAttributes", 3),
    ]
    .into_iter()
    .map(|(a, n)| (a.to_string(), n))
    .collect();
    assert_eq!(calls, expected);

    for ((type_name, ids), batched) in cases.iter().zip(batched) {
        let rt = ecsform::aws::resource_type(type_name).expect("a known type");
        let each = rt.read_many(&c, ids).await.expect("per-object read");
        assert_eq!(
            batched, each,
            "{type_name}: the batched refresh differs from the per-object reads"
        );
        // Each type has exactly one object that does not exist (two for inline policies:
        // the policy and the role; one attachment of two exists).
        let found = match *type_name {
            "aws_iam_role_policy" => 1,
            "aws_iam_role_policy_attachment" => 1,
            _ => ids.len() - 1,
        };
        assert_eq!(each.len(), found, "{type_name}: {each:#?}");
    }
}
