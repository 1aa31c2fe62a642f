//! Configuration: the shipped file, bad values, unknown keys and environment overrides.

use std::collections::HashMap;
use std::path::Path;

use staffroom::config::{Config, ConfigError, FederationMode, Registrations};

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |k| map.get(k).cloned()
}

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/staffroom.toml");

#[test]
fn shipped_file_documents_exactly_the_defaults() {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let parsed = Config::from_toml(&text, Path::new(SHIPPED)).unwrap();
    assert_eq!(
        parsed,
        Config::default(),
        "config/staffroom.toml must show every default"
    );
    // Every key of the struct appears in the file, so a new setting cannot go undocumented.
    let defaults: toml::Table = toml::from_str(&toml::to_string(&Config::default()).unwrap()).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    for (key, value) in &defaults {
        assert!(file.contains_key(key), "config/staffroom.toml lacks `{key}`");
        if let toml::Value::Table(section) = value {
            for sub in section.keys() {
                assert!(
                    file[key].as_table().unwrap().contains_key(sub),
                    "config/staffroom.toml lacks `{key}.{sub}`"
                );
            }
        }
    }
}

#[test]
fn a_good_file_is_read() {
    let text = r#"
        domain = "staffroom.example.org"
        listen = "0.0.0.0:3000"
        database_url = "postgres://staffroom@db/staffroom"
        registrations = "invite"
        [node]
        name = "Teachers of Tallinn"
        [federation]
        mode = "allowlist"
        allowed_domains = ["Partner.Example.ORG"]
    "#;
    let mut c = Config::from_toml(text, Path::new("t.toml")).unwrap();
    c.validate().unwrap();
    assert_eq!(c.domain, "staffroom.example.org");
    assert_eq!(c.registrations, Registrations::Invite);
    assert_eq!(c.federation.mode, FederationMode::Allowlist);
    assert_eq!(c.federation.allowed_domains, vec!["partner.example.org"]);
    assert_eq!(c.node.name, "Teachers of Tallinn");
    assert_eq!(c.http.max_body_bytes, 1048576, "unset keys keep their defaults");
    assert_eq!(c.base_url().as_str(), "https://staffroom.example.org/");
}

#[test]
fn unknown_keys_are_all_reported() {
    let err = Config::from_toml("domian = \"x\"\n[node]\nnmae = \"y\"\n", Path::new("t.toml")).unwrap_err();
    match &err {
        ConfigError::UnknownKeys { keys, .. } => assert_eq!(keys, &vec!["domian".to_string(), "node.nmae".to_string()]),
        other => panic!("expected unknown keys, got {other:?}"),
    }
    assert!(err.to_string().contains("`domian`"), "{err}");
}

#[test]
fn a_bad_value_names_the_key_and_what_is_allowed() {
    let err = Config::from_toml("registrations = \"sometimes\"\n", Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("registrations") && err.contains("approval"), "{err}");

    let err = Config::from_toml("[http]\nmax_body_bytes = \"big\"\n", Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("http.max_body_bytes"), "{err}");

    let mut c = Config::from_toml("listen = \"localhost\"\n", Path::new("t.toml")).unwrap();
    let err = c.validate().unwrap_err().to_string();
    assert!(err.contains("`listen`") && err.contains("address:port"), "{err}");

    let mut c = Config::from_toml("domain = \"https://x.org/path\"\n", Path::new("t.toml")).unwrap();
    assert!(c.validate().unwrap_err().to_string().contains("`domain`"));

    let mut c = Config::from_toml("database_url = \"mysql://x\"\n", Path::new("t.toml")).unwrap();
    assert!(c.validate().unwrap_err().to_string().contains("`database_url`"));
}

#[test]
fn environment_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("staffroom.toml");
    std::fs::write(&path, "domain = \"file.example\"\nregistrations = \"closed\"\n").unwrap();
    let c = Config::load(
        Some(&path),
        env(&[
            ("STAFFROOM_DOMAIN", "env.example:8443"),
            ("STAFFROOM_LISTEN", "127.0.0.1:9999"),
            ("STAFFROOM_DATABASE_URL", "postgres://u@h/db"),
            ("STAFFROOM_REGISTRATIONS", "open"),
            ("STAFFROOM_FEDERATION_MODE", "allowlist:a.example, b.example"),
            ("STAFFROOM_BLOCKED_DOMAINS", "bad.example"),
            ("STAFFROOM_ALLOW_PRIVATE_ADDRESSES", "true"),
        ]),
    )
    .unwrap();
    assert_eq!(c.domain, "env.example:8443");
    assert_eq!(c.base_url().as_str(), "https://env.example:8443/");
    assert_eq!(c.listen, "127.0.0.1:9999");
    assert_eq!(c.database_url, "postgres://u@h/db");
    assert_eq!(c.registrations, Registrations::Open);
    assert_eq!(c.federation.mode, FederationMode::Allowlist);
    assert_eq!(c.federation.allowed_domains, vec!["a.example", "b.example"]);
    assert_eq!(c.federation.blocked_domains, vec!["bad.example"]);
    assert!(c.allow_private_addresses);

    let c = Config::load(None, env(&[("STAFFROOM_DATA_DIR", "/srv/staffroom")])).unwrap();
    assert_eq!(
        c.database_url, "sqlite:///srv/staffroom/staffroom.db",
        "SQLite in the data directory by default"
    );
    assert_eq!(
        c.base_url().as_str(),
        "http://localhost:8080/",
        "localhost is served over http"
    );
}

#[test]
fn a_bad_environment_value_names_the_variable() {
    let err = Config::load(None, env(&[("STAFFROOM_REGISTRATIONS", "maybe")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("STAFFROOM_REGISTRATIONS") && err.contains("open, approval, invite, closed"),
        "{err}"
    );
    let err = Config::load(None, env(&[("STAFFROOM_FEDERATION_MODE", "closed")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("STAFFROOM_FEDERATION_MODE") && err.contains("allowlist"),
        "{err}"
    );
    let err = Config::load(None, env(&[("STAFFROOM_ALLOW_PRIVATE_ADDRESSES", "perhaps")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("STAFFROOM_ALLOW_PRIVATE_ADDRESSES"), "{err}");
    let err = Config::load(Some(Path::new("/nonexistent/staffroom.toml")), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/staffroom.toml"), "{err}");
}
