//! A fault and latency proxy in front of moto, for tests and benchmarks.
//!
//! moto answers at once, never throttles, never fails and creates NAT gateways and load
//! balancers already available. [`Proxy`] is a small HTTP/1.1 reverse proxy on a free
//! 127.0.0.1 port that forwards to moto and, as configured by [`Faults`] (at start and at any
//! time with [`Proxy::set_faults`]), makes the traffic look more like AWS:
//!
//! - **latency** added to every answer;
//! - **pending states**: NAT gateways are `pending` and load balancers `provisioning` in the
//!   answers to Describe calls that arrive less than a set time after the proxy answered their
//!   create call, so that waiters have to poll;
//! - **throttling** past a rate (token bucket, global or per service), with each protocol's
//!   wire format: EC2 `RequestLimitExceeded` (HTTP 503), query services `Throttling` (400),
//!   JSON services `ThrottlingException` (400) — codes the SDK's retry classifier knows;
//! - **errors** (HTTP 500/503), **dropped connections** (before forwarding) and **lost
//!   answers** (forwarded, so the call took effect, then the connection is closed);
//! - **not found after create**: for a while after a create, Describe calls that name the new
//!   EC2 or ELBv2 object by id answer "not found" (eventual consistency);
//! - **permanent failures**: every call of a named action answered with a given HTTP status
//!   and error code (`AccessDenied`, `InvalidParameterValue`...), never forwarded.
//!
//! Random choices come from a seeded generator, so a run with the same order of requests
//! makes the same choices. [`Proxy::stats`] counts requests per AWS action and every fault
//! injected.
//!
//! ecsform reaches the proxy through `AWS_ENDPOINT_URL` like any endpoint. The AWS action is
//! the `Action=` form parameter (query protocols: EC2, ELBv2, Auto Scaling, IAM, SNS, STS) or
//! the `X-Amz-Target` header (JSON protocols: ECS, CloudWatch Logs, EventBridge, SSM); the
//! service is the signing name in the `Authorization` header's credential scope.
//!
//! The proxy runs on its own thread and runtime, so it serves synchronous benchmarks and async
//! tests alike; it stops when the [`Proxy`] is dropped. It listens and connects on 127.0.0.1
//! only.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the traffic. The default forwards everything unchanged.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Added to every answer (also to injected errors).
    pub latency: Duration,
    /// NAT gateways and load balancers are pending this long after the proxy first saw them
    /// created.
    pub pending: Duration,
    /// Throttle requests above this rate.
    pub throttle: Option<Throttle>,
    /// Throttling by a table (AWS's published rates, say): the bucket a call draws from, by
    /// name, and its size; `None` for calls the table does not limit. In addition to
    /// `throttle`.
    pub throttle_table: Option<ThrottleTable>,
    /// Fraction (0..=1) of requests answered with HTTP 500 or 503 instead of being forwarded.
    pub error_rate: f64,
    /// Fraction of requests whose connection is closed without forwarding or answering.
    pub drop_rate: f64,
    /// The first N requests of each named action have their connection closed without
    /// forwarding or answering, whatever the random choices: a failure that repeats, on
    /// purpose.
    pub drop_first: BTreeMap<String, u32>,
    /// Fraction of requests forwarded (the call takes effect) whose answer is then lost: the
    /// connection is closed instead.
    pub lose_response_rate: f64,
    /// The first N requests of each named action are forwarded (they take effect) and their
    /// answer is lost, whatever the random choices.
    pub lose_first: BTreeMap<String, u32>,
    /// For this long after an EC2 or ELBv2 create, Describe calls naming the new object by id
    /// answer "not found".
    pub not_found_after_create: Duration,
    /// Restricts errors, drops and lost answers to these actions (e.g. `CreateVpc`); empty:
    /// every action.
    pub only_actions: Vec<String>,
    /// Actions answered with a permanent error instead of being forwarded, every time.
    pub fail_actions: Vec<Failure>,
    /// Seed of the random choices.
    pub seed: u64,
}

/// A table of throttling buckets: for a call, the name of the bucket it draws from and its
/// size, or `None` when the table does not limit it.
pub type ThrottleTable = fn(&Call) -> Option<(String, Throttle)>;

/// A permanent error for every call of one action.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The AWS action (`CreateTargetGroup`).
    pub action: String,
    /// The HTTP status of the answer (400, 403...).
    pub status: u16,
    /// The AWS error code (`AccessDenied`, `ValidationError`...).
    pub code: String,
}

impl Failure {
    /// `action` answered with HTTP `status` and error `code`.
    pub fn new(action: &str, status: u16, code: &str) -> Failure {
        Failure {
            action: action.to_string(),
            status,
            code: code.to_string(),
        }
    }
}

/// A token bucket: `rate` requests per second on average, bursts of up to `burst`.
#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    pub rate: f64,
    pub burst: f64,
    /// One bucket per service (signing name: `ec2`, `ecs`, `elasticloadbalancing`...) instead
    /// of one for all.
    pub per_service: bool,
}

/// What the proxy saw and did since it started (or since [`Proxy::reset_stats`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Requests received, by AWS action (`?` when there is none), retries included.
    pub requests: BTreeMap<String, u64>,
    /// Answered with a throttling error.
    pub throttled: u64,
    /// Answered with a permanent error of [`Faults::fail_actions`].
    pub failed: u64,
    /// Answered with an injected HTTP 500/503.
    pub errors: u64,
    /// Connections closed without forwarding the request.
    pub dropped: u64,
    /// Requests forwarded whose answer was then withheld.
    pub lost_responses: u64,
    /// Answered "not found" right after the object's creation.
    pub not_found: u64,
    /// Describe answers in which the proxy turned an object back to pending.
    pub pending_answers: u64,
}

impl Stats {
    /// Requests received, all actions together.
    pub fn total(&self) -> u64 {
        self.requests.values().sum()
    }

    /// Requests received for one action.
    pub fn count(&self, action: &str) -> u64 {
        self.requests.get(action).copied().unwrap_or(0)
    }
}

/// One request and its answer, as the proxy handled it.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The signing name (`ec2`, `ecs`, `elasticloadbalancing`...).
    pub service: String,
    pub action: String,
    pub arrived: Instant,
    /// When the proxy answered, closed the connection or gave up.
    pub ended: Instant,
    /// Time spent waiting for moto (zero when the proxy answered itself).
    pub upstream: Duration,
    /// The client connection it came on: connections are numbered as the proxy accepts them.
    pub connection: u64,
    /// Its place among the requests the proxy decided on (the random choices are drawn in
    /// this order), counted from the proxy's start or the last [`Proxy::set_faults`].
    pub decision: u64,
    /// What the proxy did with it.
    pub outcome: Outcome,
    /// The latency the proxy added ([`Faults::latency`] when the request came).
    pub added_latency: Duration,
}

/// What the proxy did with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Forwarded to moto, and moto's answer (HTTP status) passed on.
    Forwarded(u16),
    /// Answered by the proxy itself (throttling, an injected error, "not found", a permanent
    /// failure), with this HTTP status.
    Answered(u16),
    /// The connection was closed without forwarding the request.
    Dropped,
    /// Forwarded (the call took effect), then the connection was closed instead of answering.
    Lost,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub endpoint: String,
    port: u16,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy on a free 127.0.0.1 port that forwards to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16, faults: Faults) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("binding the proxy to a free 127.0.0.1 port");
        listener
            .set_nonblocking(true)
            .expect("making the proxy's listener non-blocking");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            upstream_port,
            state: Mutex::new(State::new(faults)),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the proxy's runtime");
                rt.block_on(async move {
                    let listener =
                        TcpListener::from_std(listener).expect("registering the proxy listener");
                    tokio::select! {
                        _ = accept_loop(listener, serving) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here cancels the connections still open.
            })
            .expect("starting the proxy thread");
        Proxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Replaces the faults from the next request on; the random generator restarts from the
    /// new seed. Objects created earlier stay pending for the new `pending` duration.
    pub fn set_faults(&self, faults: Faults) {
        let mut state = self.shared.lock();
        state.rng = Rng::new(faults.seed);
        state.decisions = 0;
        state.buckets.clear();
        state.faults = faults;
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.clone()
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Every request handled since the start (or [`Proxy::reset_stats`]), in the order
    /// they ended.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.shared.lock().log.clone()
    }

    /// How many requests [`Proxy::exchanges`] holds.
    pub fn exchange_count(&self) -> usize {
        self.shared.lock().log.len()
    }

    /// Waits until every client connection is closed and every request the proxy read is
    /// handled: forwarded to moto and answered, dropped or lost — including the requests of a
    /// sender that has gone (a killed process's create still reaches moto after the proxy's
    /// latency; its connections close when it dies, after what it had sent). Panics after
    /// `limit`.
    pub fn wait_until_idle(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let busy = {
                let state = self.shared.lock();
                state.in_flight > 0 || state.open_connections > 0
            };
            if !busy {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the proxy still handles a request after {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sets the counters back to zero and empties the log of exchanges.
    pub fn reset_stats(&self) {
        let mut state = self.shared.lock();
        state.stats = Stats::default();
        state.log.clear();
    }

    /// Forgets which objects were created when (after a moto reset, say).
    pub fn forget_created(&self) {
        self.shared.lock().created.clear();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Shared {
    upstream_port: u16,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The proxy's mutable state: one lock, taken briefly per request.
struct State {
    faults: Faults,
    rng: Rng,
    /// Token buckets by service (`*` when throttling is global).
    buckets: HashMap<String, Bucket>,
    /// When the proxy first saw each object created, by id or ARN.
    created: HashMap<String, Instant>,
    stats: Stats,
    log: Vec<Exchange>,
    /// Requests decided on since the random generator was (re)seeded.
    decisions: u64,
    /// Client connections accepted so far.
    connections: u64,
    /// Requests read and not yet handled (answered, dropped or lost).
    in_flight: u64,
    /// Client connections still open.
    open_connections: u64,
}

impl State {
    fn new(faults: Faults) -> State {
        State {
            rng: Rng::new(faults.seed),
            faults,
            buckets: HashMap::new(),
            created: HashMap::new(),
            stats: Stats::default(),
            log: Vec::new(),
            decisions: 0,
            connections: 0,
            in_flight: 0,
            open_connections: 0,
        }
    }

    /// What to do with a request arriving now.
    fn decide(&mut self, call: &Call, now: Instant) -> Decision {
        *self.stats.requests.entry(call.action.clone()).or_default() += 1;
        // Draw the same numbers for every request whatever the rates, so that one fault's
        // rate does not shift the choices of another.
        let (drop, error, lose, which) = (
            self.rng.unit(),
            self.rng.unit(),
            self.rng.unit(),
            self.rng.unit(),
        );
        let f = &self.faults;
        if let Some(failure) = f.fail_actions.iter().find(|x| x.action == call.action) {
            self.stats.failed += 1;
            let message = format!("{} refused by the fault proxy", call.action);
            return Decision::Answer(self::error(call, failure.status, &failure.code, &message));
        }
        let targeted = f.only_actions.is_empty() || f.only_actions.contains(&call.action);
        if let Some(left) = self
            .faults
            .drop_first
            .get_mut(&call.action)
            .filter(|n| **n > 0)
        {
            *left -= 1;
            self.stats.dropped += 1;
            return Decision::Drop;
        }
        let f = &self.faults;
        if targeted && drop < f.drop_rate {
            self.stats.dropped += 1;
            return Decision::Drop;
        }
        if let Some(t) = f.throttle {
            let key = if t.per_service {
                call.service.clone()
            } else {
                "*".to_string()
            };
            let bucket = self.buckets.entry(key).or_insert_with(|| Bucket {
                tokens: t.burst,
                at: now,
            });
            if !bucket.take(t, now) {
                self.stats.throttled += 1;
                return Decision::Answer(throttling_error(call));
            }
        }
        if let Some((name, t)) = f.throttle_table.and_then(|table| table(call)) {
            let bucket = self
                .buckets
                .entry(format!("table {name}"))
                .or_insert_with(|| Bucket {
                    tokens: t.burst,
                    at: now,
                });
            if !bucket.take(t, now) {
                self.stats.throttled += 1;
                return Decision::Answer(throttling_error(call));
            }
        }
        let f = &self.faults;
        if targeted && error < f.error_rate {
            self.stats.errors += 1;
            return Decision::Answer(server_error(call, which < 0.5));
        }
        if !f.not_found_after_create.is_zero() && call.action.starts_with("Describe") {
            let window = f.not_found_after_create;
            let fresh = call.id_params().find(|id| {
                self.created
                    .get(*id)
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
            if let Some(answer) = fresh.and_then(|id| not_found_error(call, id)) {
                self.stats.not_found += 1;
                return Decision::Answer(answer);
            }
        }
        let lose_first = match self.faults.lose_first.get_mut(&call.action) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        };
        let f = &self.faults;
        Decision::Forward {
            lose: lose_first || (targeted && lose < f.lose_response_rate),
        }
    }

    /// Notes what an upstream answer created (as of `now`, when the proxy answers), and
    /// turns objects that were fresh when the request `arrived` back to pending.
    fn after_forward(
        &mut self,
        call: &Call,
        mut resp: Response,
        arrived: Instant,
        now: Instant,
    ) -> Response {
        if resp.status != 200 {
            return resp;
        }
        let body = String::from_utf8_lossy(&resp.body);
        if let Some(id) = created_id(call, &body) {
            self.created.entry(id).or_insert(now);
            return resp;
        }
        let pending = self.faults.pending;
        if pending.is_zero() {
            return resp;
        }
        let fresh = |id: &str| {
            self.created
                .get(id)
                .is_some_and(|t| arrived.saturating_duration_since(*t) < pending)
        };
        if let Some(rewritten) = rewrite_pending(call, &body, fresh) {
            self.stats.pending_answers += 1;
            resp.body = rewritten.into_bytes();
        }
        resp
    }
}

enum Decision {
    Drop,
    Answer(Response),
    Forward { lose: bool },
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, t: Throttle, now: Instant) -> bool {
        let refill = now.duration_since(self.at).as_secs_f64() * t.rate;
        self.tokens = (self.tokens + refill).min(t.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// splitmix64: small, seedable, good enough for fault injection.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------------
// AWS calls: which service, action and protocol a request is.

/// How a service encodes requests and errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// EC2's query protocol: `<Response><Errors><Error>`.
    Ec2Query,
    /// The query protocol of ELBv2, Auto Scaling, IAM, SNS, STS: `<ErrorResponse><Error>`.
    Query,
    /// AWS JSON 1.0/1.1 (`X-Amz-Target`): `{"__type": ...}`.
    Json,
    /// Anything else (moto's own API, for one).
    Other,
}

/// One AWS call, as identified from its HTTP request.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The signing name: `ec2`, `ecs`, `elasticloadbalancing`, `logs`...; `?` if unsigned.
    pub service: String,
    /// `DescribeVpcs`, `CreateCluster`...; `?` if none.
    pub action: String,
    pub protocol: Protocol,
    /// The decoded form (and query string) parameters of a query-protocol call.
    pub params: Vec<(String, String)>,
    /// The request's content type, echoed in JSON error answers.
    pub content_type: String,
}

impl Call {
    /// Identifies the call a request makes.
    pub fn identify(req: &Request) -> Call {
        let service = req
            .header("authorization")
            .and_then(signing_service)
            .unwrap_or("?")
            .to_string();
        let content_type = req.header("content-type").unwrap_or("").to_string();
        if let Some(target) = req.header("x-amz-target") {
            let action = target.rsplit('.').next().unwrap_or(target).to_string();
            return Call {
                service,
                action,
                protocol: Protocol::Json,
                params: Vec::new(),
                content_type,
            };
        }
        let query = req.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut params = form_decode(query);
        if content_type.starts_with("application/x-www-form-urlencoded") {
            params.extend(form_decode(&String::from_utf8_lossy(&req.body)));
        }
        let action = params
            .iter()
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v.clone());
        let protocol = match (&action, service.as_str()) {
            (None, _) => Protocol::Other,
            (Some(_), "ec2") => Protocol::Ec2Query,
            (Some(_), _) => Protocol::Query,
        };
        Call {
            service,
            action: action.unwrap_or_else(|| "?".to_string()),
            protocol,
            params,
            content_type,
        }
    }

    /// Values of the parameters that name objects: everything but filters, `Action` and
    /// `Version` (e.g. `NatGatewayId.1`, `LoadBalancerArns.member.1`).
    pub fn id_params(&self) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(|(k, _)| !k.starts_with("Filter.") && k != "Action" && k != "Version")
            .map(|(_, v)| v.as_str())
    }
}

/// The service in a SigV4 `Authorization` header's credential scope
/// (`Credential=AKID/20250101/eu-west-1/ec2/aws4_request`).
pub fn signing_service(authorization: &str) -> Option<&str> {
    let scope = authorization.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    scope.split('/').nth(3)
}

/// Decodes `application/x-www-form-urlencoded` text.
pub fn form_decode(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `+` is a space; `%XX` escapes are decoded, a `%` without two hex digits stays as it is.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

// ---------------------------------------------------------------------------------------------
// Answers the proxy makes up.

/// The throttling error of the call's service, as AWS sends it.
pub fn throttling_error(call: &Call) -> Response {
    match call.protocol {
        Protocol::Ec2Query => error(call, 503, "RequestLimitExceeded", "Request limit exceeded."),
        Protocol::Json => error(call, 400, "ThrottlingException", "Rate exceeded"),
        Protocol::Query | Protocol::Other => error(call, 400, "Throttling", "Rate exceeded"),
    }
}

/// An internal error (HTTP 500) or, if `unavailable`, a 503.
pub fn server_error(call: &Call, unavailable: bool) -> Response {
    match (call.protocol, unavailable) {
        (Protocol::Ec2Query, false) => error(
            call,
            500,
            "InternalError",
            "An internal error has occurred.",
        ),
        (Protocol::Ec2Query, true) => error(
            call,
            503,
            "Unavailable",
            "The server is overloaded and can't handle the request.",
        ),
        (_, false) => error(
            call,
            500,
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
        ),
        (_, true) => error(
            call,
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        ),
    }
}

/// The error AWS gives for an id it does not know (yet); None where the proxy does not model
/// it.
pub fn not_found_error(call: &Call, id: &str) -> Option<Response> {
    let code = match call.protocol {
        Protocol::Ec2Query => {
            let prefix = id.split_once('-')?.0;
            let code = EC2_NOT_FOUND
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, c)| *c)?;
            return Some(error(
                call,
                400,
                code,
                &format!("The ID '{id}' does not exist"),
            ));
        }
        Protocol::Query if call.service == "elasticloadbalancing" => {
            ELBV2_NOT_FOUND
                .iter()
                .find(|(kind, _)| id.contains(kind))?
                .1
        }
        _ => return None,
    };
    Some(error(call, 400, code, &format!("'{id}' not found")))
}

/// EC2 id prefixes and the error code of an unknown id of that kind.
const EC2_NOT_FOUND: &[(&str, &str)] = &[
    ("vpc", "InvalidVpcID.NotFound"),
    ("subnet", "InvalidSubnetID.NotFound"),
    ("sg", "InvalidGroup.NotFound"),
    ("sgr", "InvalidSecurityGroupRuleId.NotFound"),
    ("igw", "InvalidInternetGatewayID.NotFound"),
    ("rtb", "InvalidRouteTableID.NotFound"),
    ("nat", "NatGatewayNotFound"),
    ("eipalloc", "InvalidAllocationID.NotFound"),
    ("lt", "InvalidLaunchTemplateId.NotFound"),
    ("i", "InvalidInstanceID.NotFound"),
    ("key", "InvalidKeyPair.NotFound"),
];

/// ELBv2 ARN kinds and the error code of an unknown ARN of that kind.
const ELBV2_NOT_FOUND: &[(&str, &str)] = &[
    (":loadbalancer/", "LoadBalancerNotFound"),
    (":targetgroup/", "TargetGroupNotFound"),
    (":listener/", "ListenerNotFound"),
    (":listener-rule/", "RuleNotFound"),
];

/// An error answer in the call's protocol.
pub fn error(call: &Call, status: u16, code: &str, message: &str) -> Response {
    let request_id = "00000000-0000-4000-8000-fa0170000000";
    let (content_type, body) = match call.protocol {
        Protocol::Ec2Query => (
            "text/xml;charset=UTF-8".to_string(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>\
                 <Code>{code}</Code><Message>{message}</Message></Error></Errors>\
                 <RequestID>{request_id}</RequestID></Response>"
            ),
        ),
        Protocol::Query | Protocol::Other => {
            let kind = if status >= 500 { "Receiver" } else { "Sender" };
            (
                "text/xml".to_string(),
                format!(
                    "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>\
                     <Message>{message}</Message></Error>\
                     <RequestId>{request_id}</RequestId></ErrorResponse>"
                ),
            )
        }
        Protocol::Json => (
            if call.content_type.is_empty() {
                "application/x-amz-json-1.1".to_string()
            } else {
                call.content_type.clone()
            },
            serde_json::json!({ "__type": code, "message": message }).to_string(),
        ),
    };
    let mut headers = vec![
        ("Content-Type".to_string(), content_type),
        ("x-amzn-RequestId".to_string(), request_id.to_string()),
    ];
    if call.protocol == Protocol::Json {
        headers.push(("x-amzn-ErrorType".to_string(), code.to_string()));
    }
    Response {
        status,
        reason: reason(status).to_string(),
        headers,
        body: body.into_bytes(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------------
// Creations and pending states.

/// Creating actions, the service, and the element of their answer that holds the new id.
const CREATES: &[(&str, &str, &str)] = &[
    ("ec2", "CreateVpc", "vpcId"),
    ("ec2", "CreateSubnet", "subnetId"),
    ("ec2", "CreateSecurityGroup", "groupId"),
    ("ec2", "CreateInternetGateway", "internetGatewayId"),
    ("ec2", "CreateRouteTable", "routeTableId"),
    ("ec2", "CreateNatGateway", "natGatewayId"),
    ("ec2", "AllocateAddress", "allocationId"),
    ("ec2", "CreateLaunchTemplate", "launchTemplateId"),
    ("ec2", "ImportKeyPair", "keyPairId"),
    ("ec2", "CreateKeyPair", "keyPairId"),
    (
        "elasticloadbalancing",
        "CreateLoadBalancer",
        "LoadBalancerArn",
    ),
    (
        "elasticloadbalancing",
        "CreateTargetGroup",
        "TargetGroupArn",
    ),
    ("elasticloadbalancing", "CreateListener", "ListenerArn"),
    ("elasticloadbalancing", "CreateRule", "RuleArn"),
];

/// The id of the object a successful create answer names, if the call is one the proxy
/// follows.
pub fn created_id(call: &Call, body: &str) -> Option<String> {
    let (_, _, element) = CREATES
        .iter()
        .find(|(service, action, _)| *service == call.service && *action == call.action)?;
    element_text(body, element).map(str::to_string)
}

/// Turns fresh objects in a Describe answer back to pending: NAT gateways `available` →
/// `pending`, load balancers `active` → `provisioning`. None if nothing changed.
pub fn rewrite_pending(call: &Call, body: &str, fresh: impl Fn(&str) -> bool) -> Option<String> {
    let (item, id, from, to) = match (call.service.as_str(), call.action.as_str()) {
        ("ec2", "DescribeNatGateways") => (
            "item",
            "natGatewayId",
            "<state>available</state>",
            "<state>pending</state>",
        ),
        ("elasticloadbalancing", "DescribeLoadBalancers") => (
            "member",
            "LoadBalancerArn",
            "<Code>active</Code>",
            "<Code>provisioning</Code>",
        ),
        _ => return None,
    };
    let mut out = String::with_capacity(body.len());
    let mut rest = 0;
    let mut changed = false;
    for range in top_level_elements(body, item) {
        let element = &body[range.clone()];
        if !element_text(element, id).is_some_and(&fresh) {
            continue;
        }
        if let Some(at) = find_outside_nested(element, item, from) {
            out.push_str(&body[rest..range.start + at]);
            out.push_str(to);
            rest = range.start + at + from.len();
            changed = true;
        }
    }
    changed.then(|| {
        out.push_str(&body[rest..]);
        out
    })
}

/// The text of the first `<name>` element (no attributes).
pub fn element_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..start + end].trim())
}

/// Byte ranges of the outermost `<name>…</name>` elements, nested ones skipped.
pub fn top_level_elements(xml: &str, name: &str) -> Vec<std::ops::Range<usize>> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < xml.len() {
        if xml[i..].starts_with(&open) {
            if depth == 0 {
                start = i;
            }
            depth += 1;
            i += open.len();
        } else if xml[i..].starts_with(&close) {
            depth = depth.saturating_sub(1);
            i += close.len();
            if depth == 0 {
                out.push(start..i);
            }
        } else {
            i += xml[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Where `needle` first occurs in `element` outside nested `<name>` elements (`element`
/// itself starts with `<name>`).
fn find_outside_nested(element: &str, name: &str, needle: &str) -> Option<usize> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut depth = 0usize;
    let mut i = 0;
    while i < element.len() {
        let rest = &element[i..];
        if rest.starts_with(&open) {
            depth += 1;
            i += open.len();
        } else if rest.starts_with(&close) {
            depth = depth.saturating_sub(1);
            i += close.len();
        } else if depth == 1 && rest.starts_with(needle) {
            return Some(i);
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1.

/// An HTTP request as received.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// Path and query string.
    pub path: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    fn keep_alive(&self) -> bool {
        match self.header("connection") {
            Some(c) if c.eq_ignore_ascii_case("close") => false,
            Some(c) if c.eq_ignore_ascii_case("keep-alive") => true,
            _ => self.version == "HTTP/1.1",
        }
    }
}

/// An HTTP response, body complete.
#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Headers that describe one connection or one framing, not the message.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

const MAX_HEAD: usize = 64 * 1024;

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

/// Reads a start line and headers; None at a clean end of stream.
async fn read_head<R: AsyncBufRead + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<(String, Vec<(String, String)>)>> {
    let mut start = String::new();
    if r.read_line(&mut start).await? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    let mut size = start.len();
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).await?;
        size += n;
        if n == 0 {
            return Err(bad("end of stream inside HTTP headers"));
        }
        if size > MAX_HEAD {
            return Err(bad("HTTP headers too long"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("bad header line {line:?}")))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Some((start.trim_end().to_string(), headers)))
}

/// Reads a body framed by `headers`; without a length, to the end of the stream if
/// `to_eof` (responses), else empty (requests).
async fn read_body<R: AsyncBufRead + Unpin>(
    r: &mut R,
    headers: &[(String, String)],
    to_eof: bool,
) -> std::io::Result<Vec<u8>> {
    let chunked = header(headers, "transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let mut body = Vec::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).await?;
            let size = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| bad(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut t = String::new();
                    if r.read_line(&mut t).await? == 0 || t.trim().is_empty() {
                        return Ok(body);
                    }
                }
            }
            let at = body.len();
            body.resize(at + size, 0);
            r.read_exact(&mut body[at..]).await?;
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf).await?;
        }
    }
    if let Some(len) = header(headers, "content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| bad(format!("bad content-length {len:?}")))?;
        let mut body = vec![0; len];
        r.read_exact(&mut body).await?;
        return Ok(body);
    }
    let mut body = Vec::new();
    if to_eof {
        r.read_to_end(&mut body).await?;
    }
    Ok(body)
}

async fn read_request<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Request>> {
    let Some((start, headers)) = read_head(r).await? else {
        return Ok(None);
    };
    let mut parts = start.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(format!("bad request line {start:?}")));
    };
    let body = read_body(r, &headers, false).await?;
    Ok(Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        version: version.to_string(),
        headers,
        body,
    }))
}

async fn write_response<W: AsyncWrite + Unpin>(
    w: &mut W,
    resp: &Response,
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, resp.reason);
    for (k, v) in resp.headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&resp.body);
    w.write_all(&out).await?;
    w.flush().await
}

/// Sends the request to moto on a fresh connection and reads the whole answer.
async fn forward(port: u16, req: &Request) -> std::io::Result<Response> {
    let mut upstream = BufReader::new(TcpStream::connect(("127.0.0.1", port)).await?);
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.path);
    for (k, v) in req.headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        req.body.len()
    ));
    let mut out = head.into_bytes();
    out.extend_from_slice(&req.body);
    upstream.get_mut().write_all(&out).await?;
    let (start, headers) = read_head(&mut upstream)
        .await?
        .ok_or_else(|| bad("upstream closed without answering"))?;
    let mut parts = start.splitn(3, ' ');
    let _version = parts.next();
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {start:?}")))?;
    let reason = parts.next().unwrap_or("").to_string();
    let body = read_body(&mut upstream, &headers, true).await?;
    Ok(Response {
        status,
        reason,
        headers,
        body,
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let connection = {
            let mut state = shared.lock();
            state.connections += 1;
            state.open_connections += 1;
            state.connections
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            serve(client, &shared, connection).await;
            shared.lock().open_connections -= 1;
        });
    }
}

/// Serves one client connection: requests one after another (keep-alive).
async fn serve(client: TcpStream, shared: &Shared, connection: u64) {
    let (rd, mut wr) = client.into_split();
    let mut rd = BufReader::new(rd);
    loop {
        let req = match read_request(&mut rd).await {
            Ok(Some(req)) => req,
            _ => return,
        };
        let call = Call::identify(&req);
        let arrived = Instant::now();
        shared.lock().in_flight += 1;
        let handled = handle(shared, &req, &call, arrived).await;
        let answer = handled.answer;
        {
            let mut state = shared.lock();
            state.in_flight -= 1;
            state.log.push(Exchange {
                service: call.service,
                action: call.action,
                arrived,
                ended: Instant::now(),
                upstream: handled.upstream,
                connection,
                decision: handled.decision,
                outcome: handled.outcome,
                added_latency: handled.added_latency,
            });
        }
        // No answer: the connection is dropped.
        let Some(resp) = answer else { return };
        let keep_alive = req.keep_alive();
        if write_response(&mut wr, &resp, keep_alive).await.is_err() || !keep_alive {
            return;
        }
    }
}

/// How the proxy handled one request.
struct Handled {
    /// The answer to send; `None` to close the connection instead.
    answer: Option<Response>,
    /// Time spent waiting for moto.
    upstream: Duration,
    /// The request's place in the order of decisions.
    decision: u64,
    outcome: Outcome,
    /// The latency added before answering.
    added_latency: Duration,
}

/// Applies the faults to one request.
async fn handle(shared: &Shared, req: &Request, call: &Call, arrived: Instant) -> Handled {
    let (decision, latency, index) = {
        let mut state = shared.lock();
        let index = state.decisions;
        state.decisions += 1;
        (state.decide(call, arrived), state.faults.latency, index)
    };
    let lose = match decision {
        Decision::Drop => {
            return Handled {
                answer: None,
                upstream: Duration::ZERO,
                decision: index,
                outcome: Outcome::Dropped,
                added_latency: Duration::ZERO,
            }
        }
        Decision::Answer(resp) => {
            tokio::time::sleep(latency).await;
            return Handled {
                outcome: Outcome::Answered(resp.status),
                answer: Some(resp),
                upstream: Duration::ZERO,
                decision: index,
                added_latency: latency,
            };
        }
        Decision::Forward { lose } => lose,
    };
    tokio::time::sleep(latency).await;
    let sent = Instant::now();
    let forwarded = forward(shared.upstream_port, req).await;
    let now = Instant::now();
    let resp = match forwarded {
        Ok(resp) => shared.lock().after_forward(call, resp, arrived, now),
        Err(e) => {
            let mut resp = server_error(call, false);
            resp.status = 502;
            resp.reason = reason(502).to_string();
            resp.headers
                .push(("x-fault-proxy-error".into(), e.to_string()));
            resp
        }
    };
    if lose {
        shared.lock().stats.lost_responses += 1;
        return Handled {
            answer: None,
            upstream: now - sent,
            decision: index,
            outcome: Outcome::Lost,
            added_latency: latency,
        };
    }
    Handled {
        outcome: Outcome::Forwarded(resp.status),
        answer: Some(resp),
        upstream: now - sent,
        decision: index,
        added_latency: latency,
    }
}
