//! A moto server (an AWS API emulator) for the integration tests.
//!
//! [`moto()`] starts one server per test binary on a free 127.0.0.1 port and returns it; the
//! first call installs moto, if it is missing, into a virtualenv in the cargo target directory
//! (`<target>/moto-venv`, pinned to [`MOTO_SPEC`]), once even when several test binaries start
//! together (a file lock, `<target>/moto-venv.lock`, and a marker file written after a good
//! install). A missing `python3`, a failed install or a server that does not come up is a panic
//! with the command's output, never a silent skip.
//!
//! The server runs in a `python -c` wrapper that exits as soon as its standard input reaches
//! end of file; the test binary holds the other end of that pipe, so the server dies with the
//! binary however the binary ends.
//!
//! moto's state is global, so a test that uses it takes [`exclusive()`] first: that serialises
//! the tests of one binary and gives each a freshly reset moto with the recorder stopped and
//! empty. Every test that sends moto anything takes it, even one that only reads: the
//! integration tests are one binary, and a test of any module may reset moto or record its
//! calls. (`#[tokio::test]`s hold that guard across `.await`s, which is sound because each has
//! its own runtime on its own thread; such modules `#![allow(clippy::await_holding_lock)]`.)
//!
//! All traffic goes to 127.0.0.1 only.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::fs::{self, File, TryLockError};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The moto release the harness installs (`pip install` argument).
pub const MOTO_SPEC: &str = "moto[server]==5.2.5";

/// The region every test client uses.
pub const REGION: &str = "eu-west-1";

/// How long a started server may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long to wait for another test binary that is installing moto.
const INSTALL_LOCK_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// How many free ports to try when the port is taken between finding and binding it.
const START_ATTEMPTS: usize = 5;
/// How many lines of the server's output to keep for error messages.
const LOG_LINES: usize = 200;

/// Runs moto's server in-process and exits when standard input reaches end of file (the
/// test binary holds the pipe) or the server stops. argv: PORT.
const WRAPPER: &str = r#"
import os, sys, threading

def _watch_stdin():
    try:
        sys.stdin.buffer.read()
    finally:
        try:
            os.remove(os.environ["MOTO_RECORDER_FILEPATH"])
        except OSError:
            pass
        os._exit(0)

threading.Thread(target=_watch_stdin, daemon=True).start()
os.dup2(2, 1)
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
os._exit(1)
"#;

/// A running moto server.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    port: u16,
    pid: u32,
    /// Holds the server's standard input open for as long as this binary lives.
    _stdin: Mutex<ChildStdin>,
    child: Mutex<Child>,
    log: Arc<Mutex<VecDeque<String>>>,
}

/// The server of this test binary, started (and if need be installed) on first use. If that
/// fails, this and every later call panic with the reason (without trying again).
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
    let started = MOTO.get_or_init(|| {
        std::panic::catch_unwind(Moto::start).map_err(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string())
        })
    });
    match started {
        Ok(moto) => moto,
        Err(why) => panic!("moto is not available: {why}"),
    }
}

/// Serialises the tests of one binary that use moto, and resets moto (state and recorder)
/// for the test that takes it. Hold the guard for the whole test.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A test that failed while holding the guard poisons it; the next test resets anyway.
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let m = moto();
    m.recorder_stop();
    m.reset();
    m.reset_recording();
    guard
}

impl Moto {
    /// Environment for a process that should talk to this server (e.g. the ecsform CLI, a
    /// child process or in-process through `support::run_env`).
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.endpoint)
    }

    /// An SDK config aimed at this server with static test credentials and region
    /// [`REGION`]; it reads neither the developer's profile files nor their credentials.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        sdk_config_for(&self.endpoint).await
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The last lines the server printed (its request log and errors).
    pub fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// Forgets every resource (`POST /moto-api/reset`); moto recreates the defaults (such as
    /// the default VPC) on next use.
    pub fn reset(&self) {
        self.call("POST", "/moto-api/reset");
    }

    /// Starts recording every AWS request (moto's recorder).
    pub fn recorder_start(&self) {
        self.call("POST", "/moto-api/recorder/start-recording");
    }

    /// Stops recording; what was recorded is kept.
    pub fn recorder_stop(&self) {
        self.call("POST", "/moto-api/recorder/stop-recording");
    }

    /// Empties the recording.
    pub fn reset_recording(&self) {
        self.call("POST", "/moto-api/recorder/reset-recording");
    }

    /// The recorded requests, one JSON object each, oldest first: `method`, `url`, `headers`,
    /// `body` (base64 when `body_encoded`).
    pub fn recorded_calls(&self) -> Vec<serde_json::Value> {
        let body = self.call("GET", "/moto-api/recorder/download-recording");
        String::from_utf8_lossy(&body)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("moto recording line is not JSON ({e}): {l}"))
            })
            .collect()
    }

    /// The API action of each recorded request, e.g. `DescribeVpcs` (query protocols) or
    /// `CreateCluster` (JSON protocols, from `X-Amz-Target`); `?` when there is none.
    pub fn recorded_actions(&self) -> Vec<String> {
        self.recorded_calls().iter().map(action_of).collect()
    }

    fn start() -> Moto {
        let python = ensure_installed();
        let mut last_failure = String::new();
        for _ in 0..START_ATTEMPTS {
            match Moto::spawn(&python) {
                Ok(m) => return m,
                Err(Failure::PortTaken(log)) => last_failure = log,
                Err(Failure::Fatal(msg)) => panic!("{msg}"),
            }
        }
        panic!(
            "moto could not bind a free port in {START_ATTEMPTS} attempts; last output:\n{last_failure}"
        );
    }

    fn spawn(python: &Path) -> Result<Moto, Failure> {
        let port = free_port();
        let recording = target_dir().join("tmp").join(format!(
            "moto-recording-{}-{port}.jsonl",
            std::process::id()
        ));
        fs::create_dir_all(recording.parent().unwrap()).expect("creating target/tmp");
        let mut child = Command::new(python)
            .arg("-c")
            .arg(WRAPPER)
            .arg(port.to_string())
            .env("MOTO_RECORDER_FILEPATH", &recording)
            // AWS's managed policies (AmazonEC2ContainerServiceforEC2Role...) exist in every
            // account; moto loads them only when asked.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            // moto issues a DNS-validated ACM certificate this many seconds after the request
            // (60 by default): long enough to see it pending, short enough for the tests.
            .env("MOTO_ACM_VALIDATION_WAIT", "3")
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting moto with {}: {e}", python.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&log);
        let echo = std::env::var_os("ECSFORM_MOTO_LOG").is_some();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if echo {
                    eprintln!("[moto] {line}");
                }
                let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
                if log.len() == LOG_LINES {
                    log.pop_front();
                }
                log.push_back(line);
            }
        });
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            pid: child.id(),
            _stdin: Mutex::new(stdin),
            child: Mutex::new(child),
            log,
        };
        moto.wait_ready()?;
        Ok(moto)
    }

    /// Waits until this process has bound the port (werkzeug logs "Running on" after binding,
    /// so an answer from some other server on a stolen port is not mistaken for ours) and the
    /// moto API answers.
    fn wait_ready(&self) -> Result<(), Failure> {
        let started = Instant::now();
        let bound = format!("Running on http://127.0.0.1:{}", self.port);
        loop {
            let exited = self.child.lock().unwrap().try_wait().expect("polling moto");
            if let Some(status) = exited {
                // Let the reader thread collect the last lines.
                std::thread::sleep(Duration::from_millis(200));
                let log = self.log_tail();
                if log.contains("Address already in use") {
                    return Err(Failure::PortTaken(log));
                }
                return Err(Failure::Fatal(format!(
                    "moto exited ({status}) before answering on {}; its output:\n{log}",
                    self.endpoint
                )));
            }
            if self.log_tail().contains(&bound) {
                if let Ok((200, _)) = self.request("GET", "/moto-api/") {
                    return Ok(());
                }
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = self.child.lock().unwrap().kill();
                return Err(Failure::Fatal(format!(
                    "moto did not answer on {} within {START_TIMEOUT:?}; its output:\n{}",
                    self.endpoint,
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A moto API call that must answer 200; returns the body.
    fn call(&self, method: &str, path: &str) -> Vec<u8> {
        match self.request(method, path) {
            Ok((200, body)) => body,
            Ok((status, body)) => panic!(
                "{method} {}{path} answered {status}: {}\nmoto output:\n{}",
                self.endpoint,
                String::from_utf8_lossy(&body),
                self.log_tail()
            ),
            Err(e) => panic!(
                "{method} {}{path} failed: {e}\nmoto output:\n{}",
                self.endpoint,
                self.log_tail()
            ),
        }
    }

    /// A minimal HTTP/1.1 exchange with the server: (status, body).
    fn request(&self, method: &str, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_write_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Length: 0\r\n\r\n",
            self.port
        )?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        parse_response(&raw)
    }
}

/// Environment for a process that should talk to `endpoint` (this server, or a proxy in
/// front of it) with the test credentials and region.
pub fn env_for(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        // The emulator does not throttle: keep the client-side limits on (so they stay
        // exercised) but ten times AWS's rates, so the suite does not wait on them.
        // tests/it/rate_limits.rs sets its own scale.
        ("ECSFORM_RATE_LIMIT_SCALE", "10"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// An SDK config aimed at `endpoint` with static test credentials and region [`REGION`]; it
/// reads neither the developer's profile files nor their credentials.
pub async fn sdk_config_for(endpoint: &str) -> aws_config::SdkConfig {
    #[allow(deprecated)] // the non-deprecated path is in aws-runtime, not a dependency
    let no_profile = aws_config::profile::profile_file::ProfileFiles::builder()
        .with_contents(
            aws_config::profile::profile_file::ProfileFileKind::Config,
            "[default]\n",
        )
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .profile_files(no_profile)
        .profile_name("default")
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await
}

enum Failure {
    /// Someone else bound the port first; the server's output.
    PortTaken(String),
    Fatal(String),
}

fn invalid(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn parse_response(raw: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("HTTP response without end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("bad HTTP status line in {head:?}")))?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| invalid("truncated chunk size"))?;
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| invalid(format!("bad chunk size {size_text:?}")))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err(invalid("truncated chunk"));
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// The operation a recorded call made: the `X-Amz-Target` or `Action` of the JSON and query
/// protocols, or [`rest_call`]'s method and path.
fn action_of(call: &serde_json::Value) -> String {
    use base64::Engine as _;
    if let Some(headers) = call["headers"].as_object() {
        let target = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
            .and_then(|(_, v)| v.as_str());
        if let Some(target) = target {
            return target.rsplit('.').next().unwrap_or(target).to_string();
        }
    }
    let body = call["body"].as_str().unwrap_or("");
    let body = if call["body_encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    } else {
        body.to_string()
    };
    let query = call["url"]
        .as_str()
        .and_then(|u| u.split_once('?'))
        .map(|(_, q)| q)
        .unwrap_or("");
    body.split('&')
        .chain(query.split('&'))
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(str::to_string)
        .unwrap_or_else(|| rest_call(call))
}

/// A call of a REST protocol (Route 53, S3, Lambda, EFS), which names its operation by method,
/// path and query: `GET /2013-04-01/hostedzone/{id}/rrset`, `GET /{bucket}/?tagging`. Ids, bucket names
/// and object keys are replaced by placeholders and query values dropped, so that the calls of
/// one operation on different objects read alike.
pub fn rest_call(call: &serde_json::Value) -> String {
    let method = call["method"].as_str().unwrap_or("?");
    let url = call["url"].as_str().unwrap_or("");
    let path_and_query = url.split_once("://").map_or(url, |(_, rest)| {
        rest.find('/').map_or("/", |at| &rest[at..])
    });
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let dated = segments.first().is_some_and(|s| {
        s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            })
    });
    let named: Vec<&str> = if dated {
        // An API version, then collections and ids in turn (Route 53, Lambda, EFS:
        // /2015-03-31/functions/{id}/policy), but for Route 53's tags calls, whose resource
        // type comes before the id (/2013-04-01/tags/hostedzone/{id}).
        let tags = segments.get(1) == Some(&"tags");
        segments
            .iter()
            .enumerate()
            .map(|(i, seg)| {
                let id = if tags { i == 3 } else { i > 0 && i % 2 == 0 };
                if id && !seg.is_empty() {
                    "{id}"
                } else {
                    seg
                }
            })
            .collect()
    } else {
        // S3, path style: the bucket, then the object's key.
        segments
            .iter()
            .enumerate()
            .map(|(i, seg)| match (i, seg.is_empty()) {
                (_, true) => "",
                (0, false) => "{bucket}",
                (_, false) => "{key}",
            })
            .collect()
    };
    let mut out = format!("{method} /{}", named.join("/"));
    let keys: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k))
        .collect();
    if !keys.is_empty() {
        out.push('?');
        out.push_str(&keys.join("&"));
    }
    out
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding 127.0.0.1:0 to find a free port")
        .port()
}

/// The cargo target directory of this build (also when CARGO_TARGET_DIR points elsewhere).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent")
        .to_path_buf()
}

/// The test virtualenv's Python, with moto and its dependencies installed (among them
/// `cryptography`, which tests use as an independent reader of keys).
pub fn python() -> PathBuf {
    ensure_installed()
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Installs [`MOTO_SPEC`] into `<target>/moto-venv` unless that is done; returns the venv's
/// python.
fn ensure_installed() -> PathBuf {
    let target = target_dir();
    let venv = target.join("moto-venv");
    let marker = venv.join(".ecsform-moto-installed");
    let python = venv_python(&venv);
    let done = || fs::read_to_string(&marker).is_ok_and(|s| s.trim() == MOTO_SPEC);
    if done() {
        return python;
    }

    fs::create_dir_all(&target).unwrap_or_else(|e| panic!("creating {}: {e}", target.display()));
    let lock_path = target.join("moto-venv.lock");
    let lock = File::create(&lock_path)
        .unwrap_or_else(|e| panic!("creating {}: {e}", lock_path.display()));
    let waited = Instant::now();
    let mut told = false;
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if !told {
                    eprintln!("moto: waiting for another test binary to install moto");
                    told = true;
                }
                if waited.elapsed() > INSTALL_LOCK_TIMEOUT {
                    panic!(
                        "moto: {} still locked after {INSTALL_LOCK_TIMEOUT:?}",
                        lock_path.display()
                    );
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(TryLockError::Error(e)) => panic!("locking {}: {e}", lock_path.display()),
        }
    }
    // Someone else may have finished while we waited.
    if done() {
        return python;
    }

    let started = Instant::now();
    eprintln!("moto: installing {MOTO_SPEC} into {}", venv.display());
    if venv.exists() {
        fs::remove_dir_all(&venv)
            .unwrap_or_else(|e| panic!("removing stale {}: {e}", venv.display()));
    }
    run_checked(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        "python3 -m venv (the moto tests need Python 3 with venv; on Debian: apt-get install python3-venv)",
    );
    run_checked(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            MOTO_SPEC,
        ]),
        &format!("pip install {MOTO_SPEC}"),
    );
    run_checked(
        Command::new(&python).args(["-c", "import moto.server"]),
        "importing moto.server from the new virtualenv",
    );
    let tmp = venv.join(".ecsform-moto-installed.tmp");
    fs::write(&tmp, format!("{MOTO_SPEC}\n"))
        .and_then(|()| fs::rename(&tmp, &marker))
        .unwrap_or_else(|e| panic!("writing {}: {e}", marker.display()));
    eprintln!("moto: installed in {:.1?}", started.elapsed());
    drop(lock);
    python
}

/// Runs `cmd`; panics with its output unless it succeeds.
fn run_checked(cmd: &mut Command, what: &str) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("moto setup: cannot run {what}: {e} (command: {cmd:?})"));
    if !out.status.success() {
        panic!(
            "moto setup: {what} failed ({})\ncommand: {cmd:?}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
