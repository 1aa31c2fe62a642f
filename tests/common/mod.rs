//! The test application: the whole router on a fresh database of the engine under test.
//!
//! `STAFFROOM_TEST_ENGINE=postgres` (with `STAFFROOM_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`) runs every test on its own new PostgreSQL
//! database; otherwise each test gets a SQLite file in a temporary directory.
#![allow(dead_code)]

pub mod peer;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use staffroom::app::AppState;
use staffroom::config::Config;
use staffroom::services::accounts::{self, Account, NewAccount, Role};
use staffroom::storage::Db;

pub const DOMAIN: &str = "staffroom.test";

pub fn engine() -> String {
    std::env::var("STAFFROOM_TEST_ENGINE").unwrap_or_else(|_| "sqlite".into())
}

/// A database URL for a new, empty database of the engine under test.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
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
        format!("sqlite://{}", dir.join("test.db").display())
    }
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    _dir: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(edit: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            domain: DOMAIN.into(),
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        config.database_url = fresh_database_url(dir.path()).await;
        config.database.max_connections = 4;
        edit(&mut config);
        config.validate().unwrap();
        let db = Db::connect(&config.database_url, config.database.max_connections)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let state = AppState::new(config, db);
        staffroom::services::node::bootstrap(&state).await.unwrap();
        let router = staffroom::http::router(state.clone());
        TestApp {
            state,
            router,
            _dir: dir,
        }
    }

    pub async fn request(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        TestResponse { status, headers, body }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    pub async fn get_accept(&self, uri: &str, accept: &str) -> TestResponse {
        self.request(Request::get(uri).header("accept", accept).body(Body::empty()).unwrap())
            .await
    }

    pub async fn create_user(&self, name: &str, role: Role) -> Account {
        accounts::create(
            &self.state,
            NewAccount {
                username: name.into(),
                email: format!("{name}@school.example"),
                password: "correct horse battery staple".into(),
                role,
                display_name: String::new(),
                bio: String::new(),
                approved: true,
            },
        )
        .await
        .unwrap()
    }
}

impl TestApp {
    /// A token for a member, as if issued by the OAuth flow.
    pub async fn token(&self, account: &Account, scopes: &str) -> String {
        let v = staffroom::api::oauth::issue_token(&self.state, None, Some(account.user.id), scopes)
            .await
            .unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn api(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        json: Option<serde_json::Value>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = match json {
            Some(j) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&j).unwrap())
            }
            None => Body::empty(),
        };
        self.request(req.body(body).unwrap()).await
    }

    pub async fn form(&self, uri: &str, token: Option<&str>, pairs: &[(&str, &str)]) -> TestResponse {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut req = Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.request(req.body(Body::from(body)).unwrap()).await
    }
}

/// Appends a PNG chunk (length, type, data, CRC-32).
fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut c = kind.to_vec();
    c.extend(data);
    out.extend(&c);
    // CRC-32 of type and data.
    let mut crc = 0xffff_ffffu32;
    for b in &c {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xedb8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    out.extend((!crc).to_be_bytes());
}

/// A PNG with only its header: it claims `width`×`height` pixels and holds none.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A valid 3×2 RGB PNG, built here.
pub fn png() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(3u32.to_be_bytes());
    ihdr.extend(2u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // Two rows of three grey pixels, stored uncompressed in a zlib stream.
    let raw: Vec<u8> = [0u8, 128, 128, 128, 128, 128, 128, 128, 128, 128].repeat(2);
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend((raw.len() as u16).to_le_bytes());
    z.extend((!(raw.len() as u16)).to_le_bytes());
    z.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + *x as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A multipart body with a `description` and a `file`: (its content type, the body).
pub fn multipart(file: &[u8], content_type: &str, description: &str) -> (String, Vec<u8>) {
    let boundary = "staffroomboundary";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{description}\r\n")
            .as_bytes(),
    );
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Uploads `bytes` as an image through `/api/v2/media`; answers the attachment.
    pub async fn upload_media(&self, token: &str, bytes: &[u8], description: &str) -> TestResponse {
        let (content_type, body) = multipart(bytes, "image/png", description);
        self.request(
            Request::post("/api/v2/media")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

impl TestApp {
    /// A local group `name`, owned by `owner` (an actor id) when given.
    pub async fn create_group(
        &self,
        name: &str,
        owner: Option<i64>,
        members_only: bool,
    ) -> staffroom::storage::actors::ActorRow {
        staffroom::services::groups::create(
            &self.state,
            staffroom::services::groups::NewGroup {
                name: name.into(),
                display_name: format!("{name} group"),
                summary: "For teachers".into(),
                members_only,
                posting_restricted_to_mods: false,
                owner,
            },
        )
        .await
        .unwrap()
        .0
    }
}
