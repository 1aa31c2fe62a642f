//! Node configuration: one documented struct, read from a TOML file and overridden by
//! `STAFFROOM_*` environment variables. `config/staffroom.toml` documents every key with its
//! default; a test keeps it in step with [`Config::default`].

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

/// Everything a node needs to know to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Public host name of the node, with `:port` where it is not 80/443.
    pub domain: String,
    /// Address and port the HTTP server binds to.
    pub listen: String,
    /// Directory for the SQLite database and uploaded media.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; empty means SQLite in `data_dir/staffroom.db`.
    pub database_url: String,
    /// Who may create an account.
    pub registrations: Registrations,
    /// Allow fetching from and delivering to loopback and private addresses (several nodes on one machine).
    pub allow_private_addresses: bool,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client;
    /// empty: the connecting address is the client's (rate limits count it).
    pub trusted_proxies: Vec<String>,
    pub node: NodeSettings,
    pub federation: FederationSettings,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub delivery: DeliverySettings,
    pub api: ApiSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiSettings {
    /// Allow OAuth's password grant (apps sending a member's password). Only for testing.
    pub password_grant: bool,
    /// Sign-in attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Account registrations allowed per client address per hour.
    pub registrations_per_hour: u32,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            password_grant: false,
            login_attempts_per_minute: 10,
            registrations_per_hour: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeSettings {
    /// Name shown in NodeInfo, the instance API and page titles.
    pub name: String,
    /// One paragraph about the node.
    pub description: String,
    /// Address of the secretariat, shown to other servers and members.
    pub contact_email: String,
    /// The rules members accept when they sign up, shown to apps (`/api/v1/instance/rules`).
    pub rules: Vec<String>,
    /// The languages the node's members mostly write in (ISO 639 codes), shown to apps.
    pub languages: Vec<String>,
    /// A longer text about the node (plain text; paragraphs separated by blank lines).
    pub extended_description: String,
    /// The privacy policy (plain text); empty: a short one that says what the node keeps.
    pub privacy_policy: String,
    /// The terms of service (plain text); empty: the node publishes none.
    pub terms_of_service: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FederationSettings {
    /// `open` (federate with everyone not blocked) or `allowlist` (only `allowed_domains`).
    pub mode: FederationMode,
    /// Partner domains federated with in `allowlist` mode.
    pub allowed_domains: Vec<String>,
    /// Domains never federated with, in both modes.
    pub blocked_domains: Vec<String>,
    /// Received activities waiting to be processed beyond which the inbox answers 503 with
    /// `Retry-After` (senders try again later).
    pub inbox_queue_limit: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests taking longer than this are answered 408 and abandoned.
    pub request_timeout_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// Connections in the pool of this process.
    pub max_connections: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverySettings {
    /// Deliveries in flight at once in this process.
    pub concurrency: usize,
    /// Deliveries in flight at once to one remote host.
    pub per_host_concurrency: usize,
    /// First retry after this many seconds; each further retry waits twice as long (with jitter, at most 6 h).
    pub retry_base_seconds: u64,
    /// A delivery still failing this many hours after it was queued is given up.
    pub give_up_after_hours: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            concurrency: 32,
            per_host_concurrency: 4,
            retry_base_seconds: 30,
            give_up_after_hours: 48,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registrations {
    Open,
    Approval,
    Invite,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationMode {
    Open,
    Allowlist,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: "localhost:8080".into(),
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            registrations: Registrations::Approval,
            allow_private_addresses: false,
            trusted_proxies: Vec::new(),
            node: NodeSettings::default(),
            federation: FederationSettings::default(),
            http: HttpSettings::default(),
            database: DatabaseSettings::default(),
            delivery: DeliverySettings::default(),
            api: ApiSettings::default(),
        }
    }
}

impl Default for NodeSettings {
    fn default() -> Self {
        NodeSettings {
            name: "Staffroom".into(),
            description: "A Staffroom node: a federated community for teachers and educators.".into(),
            contact_email: String::new(),
            rules: Vec::new(),
            languages: vec!["en".into()],
            extended_description: String::new(),
            privacy_policy: String::new(),
            terms_of_service: String::new(),
        }
    }
}

impl Default for FederationSettings {
    fn default() -> Self {
        FederationSettings {
            mode: FederationMode::Open,
            allowed_domains: Vec::new(),
            blocked_domains: Vec::new(),
            inbox_queue_limit: 20_000,
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            max_body_bytes: 1024 * 1024,
            request_timeout_seconds: 30,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings { max_connections: 10 }
    }
}

impl Registrations {
    pub const ALLOWED: &'static str = "open, approval, invite, closed";
    pub fn as_str(self) -> &'static str {
        match self {
            Registrations::Open => "open",
            Registrations::Approval => "approval",
            Registrations::Invite => "invite",
            Registrations::Closed => "closed",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Registrations::Open,
            "approval" => Registrations::Approval,
            "invite" => Registrations::Invite,
            "closed" => Registrations::Closed,
            _ => return None,
        })
    }
}

impl FederationMode {
    pub const ALLOWED: &'static str = "open, allowlist";
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => FederationMode::Open,
            "allowlist" => FederationMode::Allowlist,
            _ => return None,
        })
    }
}

/// A configuration that cannot be used, with the key at fault and what it accepts.
#[derive(Debug, PartialEq)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        cause: String,
    },
    Syntax {
        path: PathBuf,
        message: String,
    },
    UnknownKeys {
        path: PathBuf,
        keys: Vec<String>,
    },
    BadValue {
        key: String,
        value: String,
        expected: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, cause } => write!(f, "cannot read {}: {cause}", path.display()),
            ConfigError::Syntax { path, message } => write!(f, "{}: {message}", path.display()),
            ConfigError::UnknownKeys { path, keys } => write!(
                f,
                "{}: unknown key{} {} (see config/staffroom.toml for every setting)",
                path.display(),
                if keys.len() == 1 { "" } else { "s" },
                keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
            ConfigError::BadValue { key, value, expected } => {
                write!(f, "invalid value {value:?} for `{key}`: expected {expected}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The environment variables that override the file, in the order they are applied.
pub const ENV_OVERRIDES: &[&str] = &[
    "STAFFROOM_DOMAIN",
    "STAFFROOM_LISTEN",
    "STAFFROOM_DATABASE_URL",
    "STAFFROOM_DATA_DIR",
    "STAFFROOM_REGISTRATIONS",
    "STAFFROOM_FEDERATION_MODE",
    "STAFFROOM_ALLOWED_DOMAINS",
    "STAFFROOM_BLOCKED_DOMAINS",
    "STAFFROOM_ALLOW_PRIVATE_ADDRESSES",
    "STAFFROOM_TRUSTED_PROXIES",
];

/// An address (a single-host network) or a CIDR range.
fn parse_network(s: &str) -> Option<ipnet::IpNet> {
    s.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

impl Config {
    /// The `trusted_proxies` as networks (validated when the configuration was loaded).
    pub fn trusted_proxy_networks(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies.iter().filter_map(|p| parse_network(p)).collect()
    }

    /// Parses a TOML document; `path` only names the source in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut unknown = Vec::new();
        let de = toml::Deserializer::new(text);
        let mut record = |p: serde_ignored::Path<'_>| unknown.push(p.to_string());
        let de = serde_ignored::Deserializer::new(de, &mut record);
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            ConfigError::Syntax {
                path: path.to_owned(),
                message: if key == "." {
                    inner.to_string()
                } else {
                    format!("`{key}`: {}", inner.message())
                },
            }
        })?;
        if !unknown.is_empty() {
            return Err(ConfigError::UnknownKeys {
                path: path.to_owned(),
                keys: unknown,
            });
        }
        Ok(config)
    }

    /// Loads the configuration: the file (if any), then environment overrides, then validation.
    /// `env` looks up a variable; the binary passes `std::env::var`, tests a map.
    pub fn load(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                    path: path.to_owned(),
                    cause: e.to_string(),
                })?;
                Config::from_toml(&text, path)?
            }
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |key: &str, value: &str, expected: &str| ConfigError::BadValue {
            key: key.into(),
            value: value.into(),
            expected: expected.into(),
        };
        if let Some(v) = env("STAFFROOM_DOMAIN") {
            self.domain = v;
        }
        if let Some(v) = env("STAFFROOM_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = env("STAFFROOM_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = env("STAFFROOM_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("STAFFROOM_REGISTRATIONS") {
            self.registrations = Registrations::parse(v.trim()).ok_or_else(|| {
                bad(
                    "STAFFROOM_REGISTRATIONS",
                    &v,
                    &format!("one of {}", Registrations::ALLOWED),
                )
            })?;
        }
        if let Some(v) = env("STAFFROOM_FEDERATION_MODE") {
            // `allowlist:a.example,b.example` sets the mode and the partner list at once.
            let (mode, list) = match v.split_once(':') {
                Some((mode, list)) => (mode.trim(), Some(list)),
                None => (v.trim(), None),
            };
            self.federation.mode = FederationMode::parse(mode).ok_or_else(|| {
                bad(
                    "STAFFROOM_FEDERATION_MODE",
                    &v,
                    &format!("one of {} (or allowlist:DOMAIN,DOMAIN)", FederationMode::ALLOWED),
                )
            })?;
            if let Some(list) = list {
                self.federation.allowed_domains = split_list(list);
            }
        }
        if let Some(v) = env("STAFFROOM_ALLOWED_DOMAINS") {
            self.federation.allowed_domains = split_list(&v);
        }
        if let Some(v) = env("STAFFROOM_BLOCKED_DOMAINS") {
            self.federation.blocked_domains = split_list(&v);
        }
        if let Some(v) = env("STAFFROOM_ALLOW_PRIVATE_ADDRESSES") {
            self.allow_private_addresses = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => return Err(bad("STAFFROOM_ALLOW_PRIVATE_ADDRESSES", &v, "true or false")),
            };
        }
        if let Some(v) = env("STAFFROOM_TRUSTED_PROXIES") {
            self.trusted_proxies = split_list(&v);
        }
        Ok(())
    }

    /// Checks the values serde cannot: addresses, URLs, host names, ranges.
    pub fn validate(&mut self) -> Result<(), ConfigError> {
        let bad = |key: &str, value: &str, expected: &str| ConfigError::BadValue {
            key: key.into(),
            value: value.into(),
            expected: expected.into(),
        };
        self.domain = self.domain.trim().to_ascii_lowercase();
        if !is_valid_domain(&self.domain) {
            return Err(bad(
                "domain",
                &self.domain,
                "a host name with an optional :port, without scheme or path, such as staffroom.example.org",
            ));
        }
        for p in &self.trusted_proxies {
            if parse_network(p).is_none() {
                return Err(bad(
                    "trusted_proxies",
                    p,
                    "IP addresses or CIDR ranges, such as 127.0.0.1 or 10.0.0.0/8",
                ));
            }
        }
        if self.listen.parse::<SocketAddr>().is_err() {
            return Err(bad("listen", &self.listen, "an address:port such as 127.0.0.1:8080"));
        }
        for l in self.node.languages.iter_mut() {
            *l = crate::model::normalize_language(l)
                .ok_or_else(|| bad("node.languages", l, "ISO 639 language codes, such as en or pt-BR"))?;
        }
        if let Some(r) = self
            .node
            .rules
            .iter()
            .find(|r| r.trim().is_empty() || r.chars().count() > 1000)
        {
            return Err(bad("node.rules", r, "rules of 1 to 1,000 characters each"));
        }
        if self.database_url.is_empty() {
            self.database_url = format!("sqlite://{}", self.data_dir.join("staffroom.db").display());
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(bad(
                "database_url",
                &self.database_url,
                "sqlite://PATH or postgres://USER@HOST/DATABASE",
            ));
        }
        for (key, list) in [
            ("federation.allowed_domains", &mut self.federation.allowed_domains),
            ("federation.blocked_domains", &mut self.federation.blocked_domains),
        ] {
            for d in list.iter_mut() {
                *d = d.trim().to_ascii_lowercase();
                if !is_valid_domain(d) {
                    return Err(bad(key, d, "host names such as partner.example.org"));
                }
            }
        }
        if self.http.max_body_bytes < 1024 {
            return Err(bad(
                "http.max_body_bytes",
                &self.http.max_body_bytes.to_string(),
                "at least 1024",
            ));
        }
        if !(1..=3600).contains(&self.http.request_timeout_seconds) {
            return Err(bad(
                "http.request_timeout_seconds",
                &self.http.request_timeout_seconds.to_string(),
                "between 1 and 3600",
            ));
        }
        if !(10..=10_000_000).contains(&self.federation.inbox_queue_limit) {
            return Err(bad(
                "federation.inbox_queue_limit",
                &self.federation.inbox_queue_limit.to_string(),
                "between 10 and 10000000",
            ));
        }
        if !(1..=1000).contains(&self.database.max_connections) {
            return Err(bad(
                "database.max_connections",
                &self.database.max_connections.to_string(),
                "between 1 and 1000",
            ));
        }
        let d = &self.delivery;
        if !(1..=1024).contains(&d.concurrency) {
            return Err(bad(
                "delivery.concurrency",
                &d.concurrency.to_string(),
                "between 1 and 1024",
            ));
        }
        if !(1..=64).contains(&d.per_host_concurrency) {
            return Err(bad(
                "delivery.per_host_concurrency",
                &d.per_host_concurrency.to_string(),
                "between 1 and 64",
            ));
        }
        if !(1..=86_400).contains(&d.retry_base_seconds) {
            return Err(bad(
                "delivery.retry_base_seconds",
                &d.retry_base_seconds.to_string(),
                "between 1 and 86400",
            ));
        }
        if !(1..=24 * 30).contains(&d.give_up_after_hours) {
            return Err(bad(
                "delivery.give_up_after_hours",
                &d.give_up_after_hours.to_string(),
                "between 1 and 720",
            ));
        }
        Ok(())
    }

    /// `http` for `localhost` and `*.localhost` (trying nodes on one machine), `https` otherwise.
    pub fn scheme(&self) -> &'static str {
        let host = self.domain.split(':').next().unwrap_or_default();
        if host == "localhost" || host.ends_with(".localhost") {
            "http"
        } else {
            "https"
        }
    }

    /// The node's public base URL, with a trailing slash.
    pub fn base_url(&self) -> Url {
        Url::parse(&format!("{}://{}/", self.scheme(), self.domain)).expect("validated domain forms a URL")
    }

    /// The host part of `domain`, without port.
    pub fn host(&self) -> &str {
        self.domain.split(':').next().unwrap_or_default()
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A DNS host name (labels of letters, digits and hyphens) with an optional `:port`.
pub fn is_valid_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port
        && p.parse::<u16>().map(|p| p == 0).unwrap_or(true)
    {
        return false;
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}
