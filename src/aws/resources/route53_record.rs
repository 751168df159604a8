//! `aws_route53_record`: one record set of a Route 53 hosted zone — `ttl` and `records`, or an
//! `alias` block (a load balancer's `dns_name` and `zone_id`), with a weighted, failover,
//! latency or geolocation routing policy and its `set_identifier`, or multivalue answers.
//!
//! The id is the provider's, `ZONEID_NAME_TYPE[_SETID]` with the name as recorded (lower case,
//! without the final dot: the provider's state function), which is also the import ID; names
//! may hold `_` (`_acme-challenge…`), so an id is split at the first part that is a record
//! type, as the provider does. A relative name (`www`) is completed with the zone's name, as
//! the provider does; `fqdn` is the full name. Route 53 returns `*` as `\052`, which reads
//! back as `*`. TXT and SPF values are quoted (and cut into 255-character strings) when sent
//! and unquoted when read, as in the provider. Creating sends CREATE, or UPSERT with
//! `allow_overwrite`; an update sends, in one atomic batch, DELETE of the record set as it is
//! and CREATE of the new one (a changed type or set identifier included); every call waits
//! until its change is INSYNC (GetChange). `name` and `zone_id` force a new record. Refresh
//! lists each zone's record sets once (all pages) for every record of that zone, and the
//! zones' names with one paginated ListHostedZones; AWS lists one zone at a time, so one
//! listing per zone is the floor. Records have no tags: a record created before a crash is
//! found by its id. `cidr_routing_policy`, `geoproximity_routing_policy` and `timeouts` are
//! refused as not supported yet. moto answers every change INSYNC at once.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, GeoLocation, ResourceRecord, ResourceRecordSet,
    ResourceRecordSetFailover, ResourceRecordSetRegion, RrType,
};

use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::aws::resource_type::States;
use crate::aws::route53::{
    clean_record_name, clean_zone_id, expand_record_name, normalize_name, record_sets,
    wait_for_change,
};
use crate::aws::{Adoption, AwsClients, Candidate, Declaration, Owner};
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::BlockSchema;
use crate::provider::values::{
    block_object, get_block, get_bool, get_number, get_str, get_strings, opt_str, state_object,
    string_set,
};
use crate::provider::{AttrSchema, Schema};

pub struct Route53RecordType;

static DECLARATION: Declaration =
    Declaration::new("aws_route53_record", &SCHEMA, Adoption::Arguments);

static ALIAS: &[AttrSchema] = attrs![
    required String: name zone_id;
    required Bool: evaluate_target_health;
];
static WEIGHTED: &[AttrSchema] = attrs![required Number: weight;];
static FAILOVER: &[AttrSchema] = attrs![required String: type;];
static LATENCY: &[AttrSchema] = attrs![required String: region;];
static GEOLOCATION: &[AttrSchema] = attrs![optional String: continent country subdivision;];

static SCHEMA: Schema = Schema {
    version: 2,
    attributes: attrs![
        computed String: id fqdn;
        required String: zone_id.force_new() name.force_new();
        required String: type;
        optional String: set_identifier health_check_id;
        optional Number: ttl;
        optional StringSet: records;
        optional Bool: multivalue_answer_routing_policy;
        optional_computed Bool: allow_overwrite.local();
    ],
    blocks: &[
        BlockSchema::list("alias", ALIAS).max_items(1),
        BlockSchema::list("weighted_routing_policy", WEIGHTED).max_items(1),
        BlockSchema::list("failover_routing_policy", FAILOVER).max_items(1),
        BlockSchema::list("latency_routing_policy", LATENCY).max_items(1),
        BlockSchema::list("geolocation_routing_policy", GEOLOCATION).max_items(1),
    ],
};

/// The record types Route 53 knows, which split an id.
const RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV",
    "SSHFP", "SVCB", "TLSA", "TXT",
];

/// What an id names.
#[derive(Clone, Debug, PartialEq)]
struct RecordKey {
    zone: String,
    name: String,
    ty: String,
    set: Option<String>,
}

impl RecordKey {
    fn from_value(v: &Value) -> Option<RecordKey> {
        Some(RecordKey {
            zone: clean_zone_id(get_str(v, "zone_id")?).to_string(),
            name: normalize_name(get_str(v, "name")?),
            ty: get_str(v, "type")?.to_string(),
            set: get_str(v, "set_identifier").map(String::from),
        })
    }

    fn id(&self) -> String {
        let mut parts = vec![self.zone.as_str(), self.name.as_str(), self.ty.as_str()];
        parts.extend(self.set.as_deref());
        parts.join("_")
    }

    /// `ZONEID_NAME_TYPE[_SETID]`, split at the first part (after the zone and a name) that is
    /// a record type.
    fn parse(id: &str) -> Option<RecordKey> {
        let parts: Vec<&str> = id.split('_').collect();
        let at = parts
            .iter()
            .enumerate()
            .skip(2)
            .find(|(_, p)| RECORD_TYPES.contains(p))
            .map(|(i, _)| i)?;
        let set = parts[at + 1..].join("_");
        Some(RecordKey {
            zone: parts[0].to_string(),
            name: normalize_name(&parts[1..at].join("_")),
            ty: parts[at].to_string(),
            set: (!set.is_empty()).then_some(set),
        })
    }

    /// Whether `r` (read from the zone named `zone_name`) is this record set.
    fn is(&self, r: &ResourceRecordSet, zone_name: &str) -> bool {
        clean_record_name(r.name()) == clean_record_name(&expand_record_name(&self.name, zone_name))
            && r.r#type().as_str() == self.ty
            && r.set_identifier() == self.set.as_deref()
    }
}

/// A TXT or SPF value as Route 53 takes it: quoted, in strings of at most 255 characters,
/// unless the configuration quoted it already.
fn expand_txt(value: &str) -> String {
    if value.starts_with('"') {
        return value.to_string();
    }
    let chars: Vec<char> = value.chars().collect();
    let pieces: Vec<String> = chars
        .chunks(255)
        .map(|c| c.iter().collect::<String>())
        .collect();
    if pieces.is_empty() {
        return "\"\"".to_string();
    }
    format!("\"{}\"", pieces.join("\"\""))
}

/// A TXT or SPF value as read back: one quoted string unquoted, several joined.
fn flatten_txt(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", ""),
        None => value.to_string(),
    }
}

fn is_txt(ty: &str) -> bool {
    matches!(ty, "TXT" | "SPF")
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidInput", message)
}

/// The record set a planned value describes, named in the zone `zone_name`.
fn record_set(v: &Value, zone_name: &str) -> Result<ResourceRecordSet> {
    let key =
        RecordKey::from_value(v).ok_or_else(|| invalid("zone_id, name and type are required"))?;
    let mut b = ResourceRecordSet::builder()
        .name(expand_record_name(&key.name, zone_name))
        .r#type(RrType::from(key.ty.as_str()))
        .set_set_identifier(key.set.clone())
        .set_health_check_id(get_str(v, "health_check_id").map(String::from))
        .set_multi_value_answer(get_bool(v, "multivalue_answer_routing_policy"))
        .set_ttl(get_number(v, "ttl").map(|t| t as i64));
    let values = get_strings(v, "records");
    if !values.is_empty() {
        b = b.set_resource_records(Some(
            values
                .iter()
                .map(|r| {
                    let r = if is_txt(&key.ty) {
                        expand_txt(r)
                    } else {
                        r.clone()
                    };
                    ResourceRecord::builder()
                        .value(r)
                        .build()
                        .expect("value is set")
                })
                .collect(),
        ));
    }
    if let Some(a) = get_block(v, "alias") {
        b = b.alias_target(
            AliasTarget::builder()
                .dns_name(get_str(a, "name").unwrap_or_default())
                .hosted_zone_id(get_str(a, "zone_id").unwrap_or_default())
                .evaluate_target_health(get_bool(a, "evaluate_target_health").unwrap_or(false))
                .build()
                .expect("alias target fields are set"),
        );
    }
    if let Some(w) = get_block(v, "weighted_routing_policy") {
        b = b.set_weight(get_number(w, "weight").map(|n| n as i64));
    }
    if let Some(f) = get_block(v, "failover_routing_policy") {
        b = b.set_failover(get_str(f, "type").map(ResourceRecordSetFailover::from));
    }
    if let Some(l) = get_block(v, "latency_routing_policy") {
        b = b.set_region(get_str(l, "region").map(ResourceRecordSetRegion::from));
    }
    if let Some(g) = get_block(v, "geolocation_routing_policy") {
        b = b.geo_location(
            GeoLocation::builder()
                .set_continent_code(get_str(g, "continent").map(String::from))
                .set_country_code(get_str(g, "country").map(String::from))
                .set_subdivision_code(get_str(g, "subdivision").map(String::from))
                .build(),
        );
    }
    b.build().map_err(|e| invalid(e.to_string()))
}

/// The state of record set `r` under `key`.
fn record_state(key: &RecordKey, r: &ResourceRecordSet) -> Value {
    let one = |attrs: &'static [AttrSchema], given: Vec<(&'static str, Value)>| {
        Value::List(vec![block_object(attrs, given)])
    };
    let none = || Value::List(Vec::new());
    let records: Vec<String> = r
        .resource_records()
        .iter()
        .map(|v| {
            if is_txt(&key.ty) {
                flatten_txt(v.value())
            } else {
                v.value().to_string()
            }
        })
        .collect();
    let alias = r.alias_target().map_or_else(none, |a| {
        one(
            ALIAS,
            vec![
                ("name", Value::string(normalize_alias_name(a.dns_name()))),
                ("zone_id", Value::string(a.hosted_zone_id())),
                (
                    "evaluate_target_health",
                    Value::Bool(a.evaluate_target_health()),
                ),
            ],
        )
    });
    let weighted = r.weight().map_or_else(none, |w| {
        one(WEIGHTED, vec![("weight", Value::number(w as f64))])
    });
    let failover = r.failover().map_or_else(none, |f| {
        one(FAILOVER, vec![("type", Value::string(f.as_str()))])
    });
    let latency = r.region().map_or_else(none, |l| {
        one(LATENCY, vec![("region", Value::string(l.as_str()))])
    });
    let geo = r.geo_location().map_or_else(none, |g| {
        one(
            GEOLOCATION,
            vec![
                ("continent", opt_str(g.continent_code())),
                ("country", opt_str(g.country_code())),
                ("subdivision", opt_str(g.subdivision_code())),
            ],
        )
    });
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(key.id())),
            ("zone_id", Value::string(&key.zone)),
            ("name", Value::string(&key.name)),
            ("type", Value::string(&key.ty)),
            ("set_identifier", opt_str(key.set.clone())),
            ("fqdn", Value::string(clean_record_name(r.name()))),
            (
                "ttl",
                r.ttl().map_or(Value::Null, |t| Value::number(t as f64)),
            ),
            (
                "records",
                if records.is_empty() {
                    Value::Null
                } else {
                    string_set(records)
                },
            ),
            ("health_check_id", opt_str(r.health_check_id())),
            (
                "multivalue_answer_routing_policy",
                r.multi_value_answer().map_or(Value::Null, Value::Bool),
            ),
            ("allow_overwrite", Value::Bool(false)),
            ("alias", alias),
            ("weighted_routing_policy", weighted),
            ("failover_routing_policy", failover),
            ("latency_routing_policy", latency),
            ("geolocation_routing_policy", geo),
        ],
    )
}

/// An alias target's name as the provider records it: lower case, without the final dot and
/// without the `dualstack.` prefix Route 53 adds for load balancers.
fn normalize_alias_name(name: &str) -> String {
    let n = normalize_name(name);
    n.strip_prefix("dualstack.").map(String::from).unwrap_or(n)
}

/// The names of zones `ids`, from one paginated ListHostedZones.
async fn zone_names(clients: &AwsClients, ids: &[&str]) -> Result<BTreeMap<String, String>> {
    let zones = call(|| {
        clients
            .route53
            .list_hosted_zones()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(zones
        .iter()
        .map(|z| (clean_zone_id(z.id()).to_string(), z.name().to_string()))
        .filter(|(id, _)| ids.contains(&id.as_str()))
        .collect())
}

/// The name of zone `id`, if it exists.
async fn zone_name(clients: &AwsClients, id: &str) -> Result<String> {
    let out = call(|| clients.route53.get_hosted_zone().id(id).send()).await?;
    out.hosted_zone()
        .map(|z| z.name().to_string())
        .ok_or_else(|| ApiError::malformed(format!("GetHostedZone returned no zone for {id}")))
}

/// The record set `key` names as it is in AWS now, if it exists.
async fn live_record(
    clients: &AwsClients,
    key: &RecordKey,
    zone_name: &str,
) -> Result<Option<ResourceRecordSet>> {
    let sets = record_sets(clients, &key.zone).await?;
    Ok(sets.into_iter().find(|r| key.is(r, zone_name)))
}

/// Sends `changes` to zone `zone` in one batch and waits until they are INSYNC.
async fn change(clients: &AwsClients, zone: &str, changes: Vec<Change>) -> Result<()> {
    let batch = ChangeBatch::builder()
        .set_changes(Some(changes))
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let out = call(|| {
        clients
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(batch.clone())
            .send()
    })
    .await?;
    if let Some(info) = out.change_info() {
        wait_for_change(clients, info.id()).await?;
    }
    Ok(())
}

/// What writes a new record set: CREATE, which AWS refuses when the record set exists, or,
/// with `allow_overwrite`, UPSERT, which takes it over.
fn write_action(planned: &Value) -> ChangeAction {
    if get_bool(planned, "allow_overwrite") == Some(true) {
        ChangeAction::Upsert
    } else {
        ChangeAction::Create
    }
}

fn one_change(action: ChangeAction, set: ResourceRecordSet) -> Change {
    Change::builder()
        .action(action)
        .resource_record_set(set)
        .build()
        .expect("action and record set are set")
}

#[async_trait]
impl ResourceType for Route53RecordType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::String(n)) = m.get("name") {
            let n = normalize_name(n);
            m.insert("name".into(), Value::String(n));
        }
        if let Some(Value::String(z)) = m.get("zone_id") {
            let z = clean_zone_id(z).to_string();
            m.insert("zone_id".into(), Value::String(z));
        }
        if let Some(Value::List(aliases)) = m.get("alias") {
            let aliases = aliases
                .iter()
                .map(|a| match a {
                    Value::Map(am) => {
                        let mut am = am.clone();
                        if let Some(Value::String(n)) = am.get("name") {
                            let n = normalize_alias_name(n);
                            am.insert("name".into(), Value::String(n));
                        }
                        Value::Map(am)
                    }
                    other => other.clone(),
                })
                .collect();
            m.insert("alias".into(), Value::List(aliases));
        }
        Value::Map(m)
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = RecordKey::from_value(planned).map(|k| k.id());
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`ZONEID_NAME_TYPE` or, with a routing policy, `ZONEID_NAME_TYPE_SETIDENTIFIER` (`Z123_www.example.com_A`)"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        RecordKey::parse(id).map(|k| k.id()).ok_or_else(|| {
            ImportIdError::Malformed(
                "expected ZONEID_NAME_TYPE[_SETIDENTIFIER], TYPE being a record type (A, CNAME...)"
                    .into(),
            )
        })
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_zone: BTreeMap<String, Vec<(String, RecordKey)>> = BTreeMap::new();
        for id in ids {
            if let Some(k) = RecordKey::parse(id) {
                by_zone
                    .entry(k.zone.clone())
                    .or_default()
                    .push((id.clone(), k));
            }
        }
        if by_zone.is_empty() {
            return Ok(BTreeMap::new());
        }
        let zone_ids: Vec<&str> = by_zone.keys().map(String::as_str).collect();
        let names = zone_names(clients, &zone_ids).await?;
        let mut out = BTreeMap::new();
        for (zone, wanted) in &by_zone {
            // A zone that is gone has no records.
            let Some(zone_name) = names.get(zone) else {
                continue;
            };
            let sets = match record_sets(clients, zone).await {
                Err(e) if e.is_not_found() => continue,
                other => other?,
            };
            for (id, key) in wanted {
                if let Some(r) = sets.iter().find(|r| key.is(r, zone_name)) {
                    out.insert(id.clone(), record_state(key, r));
                }
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let c = ctx.clients;
        let key = RecordKey::from_value(planned)
            .ok_or_else(|| invalid("zone_id, name and type are required"))?;
        let zone_name = zone_name(c, &key.zone).await?;
        let set = record_set(planned, &zone_name)?;
        let overwrite = get_bool(planned, "allow_overwrite") == Some(true);
        change(c, &key.zone, vec![one_change(write_action(planned), set)])
            .await
            .map_err(exists_already)?;
        self.read_back(c, &key, &zone_name, overwrite).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let c = ctx.clients;
        let old = RecordKey::from_value(prior)
            .ok_or_else(|| ApiError::malformed("aws_route53_record state lacks its key"))?;
        let key = RecordKey::from_value(planned)
            .ok_or_else(|| invalid("zone_id, name and type are required"))?;
        let zone_name = zone_name(c, &key.zone).await?;
        let new_set = record_set(planned, &zone_name)?;
        let overwrite = get_bool(planned, "allow_overwrite") == Some(true);
        // DELETE needs the record set exactly as it is.
        let mut changes = Vec::new();
        if let Some(live) = live_record(c, &old, &zone_name).await? {
            changes.push(one_change(ChangeAction::Delete, live));
        }
        changes.push(one_change(write_action(planned), new_set));
        change(c, &key.zone, changes).await?;
        self.read_back(c, &key, &zone_name, overwrite).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let c = ctx.clients;
        let Some(key) = RecordKey::from_value(prior) else {
            return Ok(());
        };
        let zone_name = match zone_name(c, &key.zone).await {
            Err(e) if e.is_not_found() => return Ok(()),
            other => other?,
        };
        let Some(live) = live_record(c, &key, &zone_name).await? else {
            return Ok(());
        };
        match change(c, &key.zone, vec![one_change(ChangeAction::Delete, live)]).await {
            // A DELETE sent again after its first answer was lost.
            Err(e) if refused_as(&e, "but it was not found") => Ok(()),
            other => other,
        }
    }
}

/// Whether Route 53 refused a change batch for this reason (`InvalidChangeBatch: [Tried to
/// create resource record set [name='a.example.com.', type='A'] but it already exists]`).
fn refused_as(e: &ApiError, reason: &str) -> bool {
    e.code == "InvalidChangeBatch" && e.message.contains(reason)
}

/// A CREATE refused because the record set exists is an [`ErrorKind::AlreadyExists`]: apply
/// then reads the record set and takes it if it is as planned, which is what happens when the
/// SDK sent the CREATE again after the first attempt's answer was lost. A record set with
/// other values stays an error, with the hint to import it.
fn exists_already(mut e: ApiError) -> ApiError {
    if refused_as(&e, "but it already exists") {
        e.kind = ErrorKind::AlreadyExists;
    }
    e
}

impl Route53RecordType {
    /// The record set just written, as refresh reads it, with `allow_overwrite` as planned.
    async fn read_back(
        &self,
        c: &AwsClients,
        key: &RecordKey,
        zone_name: &str,
        overwrite: bool,
    ) -> Result<Value> {
        let live = live_record(c, key, zone_name).await?.ok_or_else(|| {
            ApiError::malformed(format!("record {} not found after the change", key.id()))
        })?;
        Ok(super::with_attrs(
            record_state(key, &live),
            [("allow_overwrite", Value::Bool(overwrite))],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_refused_because_the_record_exists_is_already_exists() {
        let refused = |message: &str| {
            ApiError::new(
                ErrorKind::Invalid,
                "InvalidChangeBatch",
                message.to_string(),
            )
        };
        let e = exists_already(refused(
            "[Tried to create resource record set [name='a.example.com.', type='A'] but it already exists]",
        ));
        assert_eq!(e.kind, ErrorKind::AlreadyExists);
        assert_eq!(e.code, "InvalidChangeBatch");
        // Other refusals of the batch stay what they are.
        let e = exists_already(refused(
            "RRSet of type CNAME with DNS name a. is not permitted at apex",
        ));
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(refused_as(
            &refused(
                "[Tried to delete resource record set [name='a.', type='A'] but it was not found]"
            ),
            "but it was not found"
        ));
    }

    #[test]
    fn ids_split_at_the_record_type() {
        let k = RecordKey::parse("Z1_www.example.com_A").unwrap();
        assert_eq!(k.zone, "Z1");
        assert_eq!(k.name, "www.example.com");
        assert_eq!(k.ty, "A");
        assert_eq!(k.set, None);
        let k = RecordKey::parse("Z1__abc.example.com_CNAME").unwrap();
        assert_eq!(k.name, "_abc.example.com");
        let k = RecordKey::parse("Z1_api_x.example.com_A_blue_1").unwrap();
        assert_eq!(k.name, "api_x.example.com");
        assert_eq!(k.set.as_deref(), Some("blue_1"));
        assert_eq!(k.id(), "Z1_api_x.example.com_A_blue_1");
        assert!(RecordKey::parse("Z1_www.example.com").is_none());
    }

    #[test]
    fn txt_values_are_quoted_and_cut_as_the_provider_does() {
        assert_eq!(expand_txt("v=spf1 -all"), "\"v=spf1 -all\"");
        assert_eq!(expand_txt("\"already\""), "\"already\"");
        let long = "a".repeat(300);
        let sent = expand_txt(&long);
        assert_eq!(
            sent,
            format!("\"{}\"\"{}\"", "a".repeat(255), "a".repeat(45))
        );
        assert_eq!(flatten_txt(&sent), long);
        assert_eq!(flatten_txt("plain"), "plain");
    }

    #[test]
    fn requests_carry_the_routing_policy_and_the_full_name() {
        let planned = Value::map([
            ("zone_id", Value::string("/hostedzone/Z1")),
            ("name", Value::string("WWW")),
            ("type", Value::string("A")),
            ("set_identifier", Value::string("blue")),
            ("ttl", Value::number(60)),
            ("records", string_set(["10.0.0.1"])),
            (
                "weighted_routing_policy",
                Value::List(vec![Value::map([("weight", Value::number(10))])]),
            ),
        ]);
        let set = record_set(&planned, "example.com.").unwrap();
        assert_eq!(set.name(), "www.example.com");
        assert_eq!(set.weight(), Some(10));
        assert_eq!(set.set_identifier(), Some("blue"));
        assert_eq!(set.ttl(), Some(60));
        assert_eq!(set.resource_records()[0].value(), "10.0.0.1");
        let id = RecordKey::from_value(&planned).unwrap().id();
        assert_eq!(id, "Z1_www_A_blue");
    }

    #[test]
    fn only_allow_overwrite_upserts() {
        let with =
            |v: Option<bool>| Value::map([("allow_overwrite", v.map_or(Value::Null, Value::Bool))]);
        assert_eq!(write_action(&with(None)), ChangeAction::Create);
        assert_eq!(write_action(&with(Some(false))), ChangeAction::Create);
        assert_eq!(write_action(&with(Some(true))), ChangeAction::Upsert);
    }

    #[test]
    fn alias_names_are_recorded_without_dualstack_or_the_final_dot() {
        assert_eq!(
            normalize_alias_name("dualstack.Web-1.eu-west-1.elb.amazonaws.com."),
            "web-1.eu-west-1.elb.amazonaws.com"
        );
    }
}
