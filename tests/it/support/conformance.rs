//! The conformance run every resource type passes against moto: create → read → update →
//! read → delete → read-not-found, planned with the real planner (`plan::diff`), so a type
//! whose reads do not round-trip its configuration shows up as a perpetual diff here.
//!
//! [`conformance`] checks what is common to all types; the caller's `check` adds what is
//! particular to one (a computed attribute, a route's target).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use ecsform::aws::AwsClients;
use ecsform::aws::{CallContext, ResourceType};
use ecsform::config::Lifecycle;
use ecsform::lang::Value;
use ecsform::plan::diff::plan_instance;
use ecsform::plan::Action;

/// Which step a state passed to the `check` callback comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Created,
    Updated,
}

/// The tags ecsform adds to every object it creates, as the engine would pass them.
pub fn extra_tags(address: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("ecsform:address".to_string(), address.to_string()),
        ("ecsform:lineage".to_string(), "conformance".to_string()),
    ])
}

/// Plans `config` (as written, before conforming) against `prior` with no default tags, both
/// normalized by the type as the engine does.
pub fn plan(
    rt: &dyn ResourceType,
    config: &Value,
    prior: Option<&Value>,
) -> ecsform::plan::diff::InstancePlan {
    let conformed = rt
        .schema()
        .conform(config)
        .unwrap_or_else(|e| panic!("{}: configuration does not conform: {e:?}", rt.type_name()));
    let conformed = rt.normalize(conformed);
    // As refresh does: read values in the complete schema's shape.
    let prior = prior.map(|p| rt.normalize(rt.schema().decode(p)));
    let configured = ecsform::plan::diff::configured_paths(config);
    plan_instance(
        rt.schema(),
        &conformed,
        &configured,
        prior.as_ref(),
        &Lifecycle::default(),
        &BTreeMap::new(),
    )
}

/// Every attribute the configuration sets reads back with the value it was set to.
fn assert_config_applied(rt: &dyn ResourceType, config: &Value, state: &Value) {
    let state = state.as_map().expect("state is an object");
    // What ecsform implements (the rest of the provider's schema is never read).
    for a in rt.declared_schema().attributes {
        assert!(
            state.contains_key(a.name),
            "{}: state lacks {}",
            rt.type_name(),
            a.name
        );
    }
    for b in rt.declared_schema().blocks {
        assert!(
            state.contains_key(b.name),
            "{}: state lacks block {}",
            rt.type_name(),
            b.name
        );
    }
    let decoded = rt.schema().decode(&Value::Map(state.clone()));
    let state = decoded.as_map().expect("an object");
    let conformed = rt.normalize(rt.schema().conform(config).expect("conforms"));
    for name in config.as_map().expect("config is an object").keys() {
        let want = &conformed.as_map().unwrap()[name];
        if !want.is_wholly_known() {
            continue;
        }
        let got = &state[name];
        let same = match want {
            Value::Set(w) => match got {
                Value::Set(g) | Value::List(g) => Some(g),
                _ => None,
            }
            .is_some_and(|g| g.len() == w.len() && w.iter().all(|x| g.iter().any(|y| y.equals(x)))),
            _ => got.equals(want),
        };
        assert!(
            same,
            "{}: {name} is {got}, but the configuration set {want}",
            rt.type_name()
        );
    }
}

/// The tags AWS holds for EC2 object `id`, ecsform's own included.
pub async fn aws_tags(clients: &AwsClients, id: &str) -> BTreeMap<String, String> {
    let out = clients
        .ec2
        .describe_tags()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("resource-id")
                .values(id)
                .build(),
        )
        .send()
        .await
        .expect("DescribeTags");
    out.tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

/// How a test reads the tags AWS holds for an object, given its state: [`ec2_tags`] (EC2
/// DescribeTags on the id) unless the service or the id differs.
pub type TagReader = for<'a> fn(
    &'a AwsClients,
    &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>>;

/// [`TagReader`] for EC2 objects whose id is the EC2 resource id.
pub fn ec2_tags<'a>(
    clients: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move { aws_tags(clients, &id_of(state)).await })
}

fn id_of(state: &Value) -> String {
    state.as_map().expect("state is an object")["id"]
        .as_str()
        .expect("state has an id")
        .to_string()
}

/// Reads `id` alone and returns its state as refresh would, after `recorded`: normalised, and
/// with the recorded values of attributes AWS does not store (`local`). Fails if it is absent.
async fn read_one(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    id: &str,
    recorded: &Value,
) -> Value {
    let mut found = rt
        .read_many(clients, &[id.to_string()])
        .await
        .unwrap_or_else(|e| panic!("{}: read_many({id}): {e}", rt.type_name()));
    let read = found
        .remove(id)
        .unwrap_or_else(|| panic!("{}: read_many did not return {id}", rt.type_name()));
    with_recorded_locals(rt, rt.normalize(read), recorded)
}

/// `read` with the recorded values of the attributes AWS does not store (`local`), as refresh
/// keeps them.
fn with_recorded_locals(rt: &dyn ResourceType, read: Value, recorded: &Value) -> Value {
    let Value::Map(mut m) = read else {
        panic!("{}: read_many returned a non-object", rt.type_name());
    };
    let recorded = recorded.as_map().expect("state is an object");
    for a in rt.schema().attributes.iter().filter(|a| a.local) {
        if let Some(v) = recorded.get(a.name) {
            m.insert(a.name.to_string(), v.clone());
        }
    }
    Value::Map(m)
}

/// Runs the lifecycle of one object of type `rt`: created from configuration `create`, then
/// updated in place to `update`. `check` sees the state after each step. Returns nothing; every
/// failure is a panic naming the type and step. Tags are checked in EC2's `DescribeTags`.
pub async fn conformance(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    create: Value,
    update: Value,
    check: impl Fn(Stage, &Value),
) {
    conformance_with_tags(rt, clients, ec2_tags, create, update, check).await
}

/// [`conformance`] for a type whose tags another service reads: `tags` returns what AWS holds
/// for an id.
pub async fn conformance_with_tags(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    tags: TagReader,
    create: Value,
    update: Value,
    check: impl Fn(Stage, &Value),
) {
    run(
        rt,
        clients,
        tags,
        (create, update),
        check,
        AfterDelete::Gone,
    )
    .await
}

/// [`conformance`] for a type that adopts an object AWS made and cannot delete (a VPC's
/// default route table or security group): "create" adopts it, "delete" only forgets it, so
/// after the delete the object is still read, as it was left.
pub async fn conformance_adopted(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    create: Value,
    update: Value,
    check: impl Fn(Stage, &Value),
) {
    run(
        rt,
        clients,
        ec2_tags,
        (create, update),
        check,
        AfterDelete::Kept,
    )
    .await
}

/// [`conformance`] for a type whose object AWS cannot delete and whose delete puts back what
/// AWS had before (an SNS topic's default policy): after the delete the object still reads,
/// but no longer as the update left it. The caller checks what it reads then.
pub async fn conformance_reverted(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    create: Value,
    update: Value,
    check: impl Fn(Stage, &Value),
) {
    run(
        rt,
        clients,
        ec2_tags,
        (create, update),
        check,
        AfterDelete::Reverted,
    )
    .await
}

/// What a delete leaves in AWS.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AfterDelete {
    Gone,
    Kept,
    Reverted,
}

async fn run(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    tags: TagReader,
    (create, update): (Value, Value),
    check: impl Fn(Stage, &Value),
    after_delete: AfterDelete,
) {
    let name = rt.type_name();
    let address = format!("{name}.conformance");
    let extra = extra_tags(&address);
    let ctx = CallContext {
        clients,
        address: &address,
        extra_tags: &extra,
    };
    // Types whose `tags` ecsform does not support yet (refused where set) send none.
    let taggable = rt
        .schema()
        .attribute("tags")
        .is_some_and(|a| !a.unsupported);

    // Create.
    let planned = plan(rt, &create, None);
    assert_eq!(planned.action, Action::Create, "{name}");
    let created = rt
        .create(&ctx, &planned.after)
        .await
        .unwrap_or_else(|e| panic!("{name}: create: {e}"));
    let id = id_of(&created);
    assert_config_applied(rt, &create, &created);
    check(Stage::Created, &created);

    // Read: the same as what create returned, ecsform's tags in AWS but not in the state.
    let read = read_one(rt, clients, &id, &created).await;
    assert_eq!(read, created, "{name}: read differs from create's result");
    if taggable {
        let in_aws = tags(clients, &read).await;
        for (k, v) in &extra {
            assert_eq!(in_aws.get(k), Some(v), "{name}: {k} not tagged in AWS");
        }
        for attr in ["tags", "tags_all"] {
            let shown = read.as_map().unwrap()[attr]
                .as_map()
                .cloned()
                .unwrap_or_default();
            assert!(
                shown.keys().all(|k| !k.starts_with("ecsform:")),
                "{name}: {attr} shows ecsform's own tags: {shown:?}"
            );
        }
    }
    // Nothing left to do: the configuration round-trips.
    let again = plan(rt, &create, Some(&read));
    assert_eq!(
        again.action,
        Action::NoOp,
        "{name}: perpetual diff after create (forcing replacement: {:?}): {}",
        again.replace_paths,
        again.after
    );

    // Update in place.
    let planned = plan(rt, &update, Some(&read));
    assert_eq!(
        planned.action,
        Action::Update,
        "{name}: the update configuration should change the object in place (replace: {:?})",
        planned.replace_paths
    );
    let updated = rt
        .update(&ctx, &read, &planned.after)
        .await
        .unwrap_or_else(|e| panic!("{name}: update: {e}"));
    assert_config_applied(rt, &update, &updated);
    check(Stage::Updated, &updated);
    // Some updates give the object a new id (a replaced route table association).
    let id = id_of(&updated);
    let read = read_one(rt, clients, &id, &updated).await;
    assert_eq!(read, updated, "{name}: read differs from update's result");
    let again = plan(rt, &update, Some(&read));
    assert_eq!(
        again.action,
        Action::NoOp,
        "{name}: perpetual diff after update: {}",
        again.after
    );

    // Delete; a second delete of an object already gone succeeds too.
    rt.delete(&ctx, &read)
        .await
        .unwrap_or_else(|e| panic!("{name}: delete: {e}"));
    let gone = rt
        .read_many(clients, std::slice::from_ref(&id))
        .await
        .unwrap_or_else(|e| panic!("{name}: read_many after delete: {e}"));
    match after_delete {
        AfterDelete::Gone => assert!(
            gone.is_empty(),
            "{name}: {id} still read after delete: {gone:?}"
        ),
        AfterDelete::Kept => assert_eq!(
            gone.get(&id)
                .map(|v| with_recorded_locals(rt, rt.normalize(v.clone()), &read)),
            Some(read.clone()),
            "{name}: delete changed {id}, which it only forgets"
        ),
        AfterDelete::Reverted => assert_ne!(
            gone.get(&id).map(|v| rt.normalize(v.clone())),
            Some(read.clone()),
            "{name}: delete left {id} as it was"
        ),
    }
    rt.delete(&ctx, &read)
        .await
        .unwrap_or_else(|e| panic!("{name}: deleting an object already gone: {e}"));
}

/// Create, read back, plan a no-op and delete, for types whose arguments all force a new
/// object (nothing to update in place). Returns the created state.
pub async fn lifecycle_without_update(
    rt: &dyn ResourceType,
    c: &AwsClients,
    config: Value,
) -> Value {
    let name = rt.type_name();
    let address = format!("{name}.t");
    let extra = extra_tags(&address);
    let ctx = CallContext {
        clients: c,
        address: &address,
        extra_tags: &extra,
    };
    let planned = plan(rt, &config, None);
    assert_eq!(planned.action, Action::Create, "{name}");
    let created = rt
        .create(&ctx, &planned.after)
        .await
        .unwrap_or_else(|e| panic!("{name}: create: {e}"));
    assert_config_applied(rt, &config, &created);
    let id = id_of(&created);
    let read = rt
        .read_many(c, std::slice::from_ref(&id))
        .await
        .unwrap_or_else(|e| panic!("{name}: read: {e}"));
    assert_eq!(
        read.get(&id),
        Some(&created),
        "{name}: read differs from create's result"
    );
    assert_eq!(
        plan(rt, &config, Some(&created)).action,
        Action::NoOp,
        "{name}"
    );
    rt.delete(&ctx, &created)
        .await
        .unwrap_or_else(|e| panic!("{name}: delete: {e}"));
    let gone = rt
        .read_many(c, std::slice::from_ref(&id))
        .await
        .unwrap_or_else(|e| panic!("{name}: read after delete: {e}"));
    assert!(gone.is_empty(), "{name}: {id} still read after delete");
    rt.delete(&ctx, &created)
        .await
        .unwrap_or_else(|e| panic!("{name}: second delete: {e}"));
    created
}

/// Reads data source `name` with `config` (conformed to its schema first), as a plan does.
pub async fn read_data(
    c: &AwsClients,
    name: &str,
    config: Value,
) -> Result<Value, ecsform::aws::error::ApiError> {
    let ds = ecsform::aws::data_source(name).unwrap_or_else(|| panic!("{name} is not registered"));
    let config = ds
        .schema()
        .conform(&config)
        .expect("the configuration conforms");
    ds.read(c, &config).await
}

/// A string value.
pub fn s(v: &str) -> Value {
    Value::string(v)
}

/// A `tags` value of `pairs`.
pub fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

/// Attribute `name` of a state object.
pub fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

/// String attribute `name` of a state object (a panic where it is not a string).
pub fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

/// One nested block (a list block's value) of `pairs`.
pub fn block(pairs: &[(&str, Value)]) -> Value {
    Value::List(vec![Value::map(pairs.iter().cloned())])
}
