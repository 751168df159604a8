//! The API calls of a refresh stay batched: against moto, apply two groups of the generated
//! stack (50 instances of 21 types, `tests/support/generated.rs`), then record the calls of
//! one `plan`. Types with a batch API must make one paginated call whatever the number of
//! instances; the calls AWS offers only per object (listed below, and in the README's
//! "Performance" section) may grow with the instances, at most by their known factor.
//!
//! Timing is not checked here: `cargo bench --bench refresh_calls` measures it.
#![allow(clippy::await_holding_lock)]

mod support;

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

fn use_moto() {
    for (k, v) in moto().env() {
        // Tests in this binary all use the same emulator, so the values never differ.
        std::env::set_var(k, v);
    }
}

#[test]
fn refresh_makes_one_call_per_type_where_aws_has_a_batch_api() {
    let _guard = exclusive();
    use_moto();
    let groups = 2;
    let work = tempfile::tempdir().unwrap();
    write_stack(work.path(), groups, "calls");
    let apply = support::run_in(work.path(), "apply", &["-auto-approve"]);
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
    let plan = support::run_in(work.path(), "plan", &["-detailed-exitcode"]);
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
