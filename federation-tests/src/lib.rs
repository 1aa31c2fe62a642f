//! A harness that runs real `staffroom serve` processes on loopback ports, each with its own
//! database (SQLite, or PostgreSQL when `STAFFROOM_TEST_ENGINE=postgres`), for end-to-end tests.
//!
//! The binary is taken from `STAFFROOM_BIN`, else from the workspace's `target/debug/staffroom`
//! (`cargo test --workspace` builds it; `scripts/test` builds it first).

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn staffroom_bin() -> PathBuf {
    if let Ok(p) = std::env::var("STAFFROOM_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/staffroom");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --bin staffroom` (scripts/test does)",
        bin.display()
    );
    bin
}

pub fn engine() -> String {
    std::env::var("STAFFROOM_TEST_ENGINE").unwrap_or_else(|_| "sqlite".into())
}

/// A free port on loopback (bound and released; the node binds it right after), never one
/// already handed to another node of this test process: the kernel may give a port it just
/// released to the next request, and two nodes of tests running side by side then met on one
/// port (the second failed to listen while the first answered its readiness checks).
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut given = GIVEN.lock().unwrap();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

async fn fresh_database_url(dir: &std::path::Path) -> String {
    if engine() == "postgres" {
        let admin_url = std::env::var("STAFFROOM_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("staffroom_t_{:016x}", rand::random::<u64>());
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("connect to PostgreSQL for tests");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&name);
        url.to_string()
    } else {
        format!("sqlite://{}", dir.join("staffroom.db").display())
    }
}

/// One running node.
pub struct Node {
    pub name: String,
    pub port: u16,
    pub domain: String,
    pub database_url: String,
    pub extra_env: Vec<(String, String)>,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// Further `serve` processes of the same node (see [`Node::start_processes`]).
    others: Vec<Child>,
    pub http: reqwest::Client,
}

impl Node {
    /// Starts a node and waits until it is ready.
    pub async fn start(name: &str) -> Node {
        let mut node = Self::new(name).await;
        node.spawn().await;
        node
    }

    /// A node with its port, directory and database, not started yet.
    pub async fn new(name: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let database_url = fresh_database_url(dir.path()).await;
        // Retries come quickly in tests; everything else is the shipped default.
        let config = dir.path().join("staffroom.toml");
        std::fs::write(&config, "[delivery]\nretry_base_seconds = 1\n").unwrap();
        Node {
            name: name.into(),
            port,
            domain: format!("localhost:{port}"),
            database_url,
            extra_env: vec![("STAFFROOM_CONFIG".into(), config.display().to_string())],
            dir,
            child: None,
            others: Vec::new(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    /// The environment that points `staffroom` at this node.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("STAFFROOM_DOMAIN".to_owned(), self.domain.clone()),
            ("STAFFROOM_LISTEN".to_owned(), format!("127.0.0.1:{}", self.port)),
            ("STAFFROOM_DATABASE_URL".to_owned(), self.database_url.clone()),
            (
                "STAFFROOM_DATA_DIR".to_owned(),
                self.dir.path().join("data").display().to_string(),
            ),
            ("STAFFROOM_ALLOW_PRIVATE_ADDRESSES".to_owned(), "true".to_owned()),
        ];
        v.extend(self.extra_env.iter().cloned());
        v
    }

    /// The node's working directory.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Sets an environment variable for the node's processes (before `spawn`).
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.extra_env.push((key.into(), value.into()));
        self
    }

    /// `name@domain` of an actor on this node.
    pub fn handle(&self, name: &str) -> String {
        format!("{name}@{}", self.domain)
    }

    /// Runs a `staffroom` subcommand and returns its output, whether it succeeded or not.
    pub fn try_cli(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs a `staffroom` subcommand that must succeed; returns its standard output.
    pub fn run(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.cli(args).stdout).trim().to_owned()
    }

    /// A number from this node's database (`SELECT COUNT(*) …`), on either engine.
    pub async fn count(&self, sql: &str) -> i64 {
        if self.database_url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        } else {
            let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        }
    }

    /// Whether a post with this id is stored on this node (not deleted).
    pub async fn has_post(&self, ap_id: &str) -> bool {
        self.count(&format!(
            "SELECT COUNT(*) FROM posts WHERE ap_id = '{}' AND deleted_at IS NULL",
            ap_id.replace('\'', "''")
        ))
        .await
            > 0
    }

    /// POST requests this node logged on a path (such as `/inbox`), across restarts.
    pub fn posts_received(&self, path: &str) -> usize {
        self.log()
            .lines()
            .filter(|l| {
                l.contains("finished processing request")
                    && l.contains("method=POST")
                    && l.contains(&format!("uri={path} "))
            })
            .count()
    }

    fn command(&self) -> Command {
        let mut c = Command::new(staffroom_bin());
        c.current_dir(self.dir.path())
            .env_remove("STAFFROOM_CONFIG")
            .env("STAFFROOM_DOMAIN", &self.domain)
            .env("STAFFROOM_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("STAFFROOM_DATABASE_URL", &self.database_url)
            .env("STAFFROOM_DATA_DIR", self.dir.path().join("data"))
            .env("STAFFROOM_ALLOW_PRIVATE_ADDRESSES", "true")
            .env("RUST_LOG", "staffroom=debug,tower_http=info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        for (k, v) in &self.extra_env {
            c.env(k, v);
        }
        c
    }

    /// Starts (or restarts) the process, logging to `node.log` in its directory.
    pub async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let child = self
            .command()
            .arg("serve")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start staffroom");
        self.child = Some(child);
        self.wait_ready().await;
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("node.log")
    }

    /// The log of every process of the node (the first's, then the others').
    pub fn log(&self) -> String {
        let mut log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        for i in 1..=self.others.len() {
            log.push_str(&self.process_log(i));
        }
        log
    }

    /// The log of the node's `i`-th process (0 is the first).
    pub fn process_log(&self, i: usize) -> String {
        if i == 0 {
            return std::fs::read_to_string(self.log_path()).unwrap_or_default();
        }
        std::fs::read_to_string(self.dir.path().join(format!("node-{i}.log"))).unwrap_or_default()
    }

    /// A node of `processes` `serve` processes sharing one database, behind one address: a
    /// proxy on the node's port hands each new connection to the next process in turn, as a
    /// load balancer would. PostgreSQL only (a SQLite node is one process).
    pub async fn start_processes(name: &str, processes: usize) -> Node {
        let mut node = Self::new(name).await;
        let backends: Vec<u16> = (0..processes).map(|_| free_port()).collect();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", node.port)).await.unwrap();
        let targets = backends.clone();
        tokio::spawn(async move {
            let mut next = 0usize;
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let port = targets[next % targets.len()];
                next += 1;
                tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        for (i, port) in backends.iter().enumerate() {
            let path = if i == 0 {
                node.log_path()
            } else {
                node.dir.path().join(format!("node-{i}.log"))
            };
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap();
            let child = node
                .command()
                .env("STAFFROOM_LISTEN", format!("127.0.0.1:{port}"))
                .arg("serve")
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("start staffroom");
            if i == 0 {
                node.child = Some(child);
            } else {
                node.others.push(child);
            }
        }
        // Each process ready on its own port, then the node through the proxy.
        for port in &backends {
            let url = format!("http://127.0.0.1:{port}/ready");
            let client = node.http.clone();
            eventually(30, "a process of the node ready", || {
                let (client, url) = (client.clone(), url.clone());
                async move { client.get(&url).send().await.is_ok_and(|r| r.status().is_success()) }
            })
            .await;
        }
        node.wait_ready().await;
        node
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "node {} exited with {status} while starting:\n{}",
                    self.name,
                    self.log()
                );
            }
            if let Ok(r) = self.http.get(self.url("/ready")).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "node {} not ready after 30 s:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.domain, path)
    }

    /// Runs a `staffroom` subcommand against this node's database and configuration.
    pub fn cli(&self, args: &[&str]) -> Output {
        let o = self.command().args(args).output().unwrap();
        assert!(
            o.status.success(),
            "staffroom {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    pub fn create_user(&self, name: &str) {
        self.cli(&[
            "admin",
            "create-user",
            name,
            "--email",
            &format!("{name}@school.example"),
            "--password",
            "a long enough passphrase",
        ]);
    }

    pub async fn get_json(&self, path: &str, accept: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
    }

    /// Sends SIGTERM and waits for the process to end; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until `check` holds, polling; panics with `what` after `seconds`.
pub async fn eventually<F, Fut>(seconds: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if check().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {seconds} s waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- log of node {} ---\n{}", self.name, self.log());
        }
        self.kill();
        for mut child in self.others.drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The UTC instant of an event's `DTSTART` or `DTEND` in a parsed feed, worked out the way a
/// calendar does: a `Z` time as it is; a `TZID` time with the offsets of that zone's VTIMEZONE
/// in the same feed (the latest observance that began before it), never from a tz database.
pub fn ics_instant(cal: &icalendar::Calendar, event: &icalendar::Event, key: &str) -> Option<chrono::NaiveDateTime> {
    use icalendar::Component;
    let prop = event.properties().get(key)?;
    let parse = |s: &str| chrono::NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok();
    let local = parse(prop.value())?;
    if prop.value().ends_with('Z') {
        return Some(local);
    }
    let tzid = prop.params().get("TZID")?.value();
    let zone = cal.components.iter().find_map(|c| match c {
        icalendar::CalendarComponent::Other(o)
            if o.component_kind() == "VTIMEZONE" && o.property_value("TZID") == Some(tzid) =>
        {
            Some(o)
        }
        _ => None,
    })?;
    let offset = |s: &str| -> Option<i64> {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let d = &s[1..];
        Some(sign * (d.get(0..2)?.parse::<i64>().ok()? * 3600 + d.get(2..4)?.parse::<i64>().ok()? * 60))
    };
    let (_, to) = zone
        .components()
        .iter()
        .filter_map(|o| {
            Some((
                parse(o.property_value("DTSTART")?)?,
                offset(o.property_value("TZOFFSETTO")?)?,
            ))
        })
        .filter(|(start, _)| *start <= local)
        .max_by_key(|(start, _)| *start)?;
    Some(local - chrono::Duration::seconds(to))
}

/// The VEVENTs of a parsed feed.
pub fn ics_events(cal: &icalendar::Calendar) -> Vec<&icalendar::Event> {
    cal.components.iter().filter_map(|c| c.as_event()).collect()
}
