//! Other servers, as the node meets them: remote actors known to it with their signing keys,
//! signed deliveries to its inbox, signed fetches, and what it queued for a remote inbox.

use axum::body::Body;
use axum::http::Request;
use serde_json::Value;
use staffroom::federation::signatures::{SigningKey, sign_request};
use staffroom::storage::actors::{self, ActorRow};

use super::TestApp;

pub const AP: &str = "application/activity+json";

/// A remote actor known to the node (as if fetched a moment ago), with its signing key.
pub async fn remote_actor(app: &TestApp, name: &str, domain: &str) -> (ActorRow, SigningKey) {
    remote_actor_at(app, "Person", &format!("https://{domain}"), name).await
}

/// A remote actor of `kind` at `{base}/users/{name}` (`base` is a scheme and authority).
pub async fn remote_actor_at(app: &TestApp, kind: &str, base: &str, name: &str) -> (ActorRow, SigningKey) {
    let (actor, key, _) = remote_actor_with_pem(app, kind, base, name).await;
    (actor, key)
}

/// [`remote_actor_at`], with the private key's PEM too (to sign in other ways).
pub async fn remote_actor_with_pem(
    app: &TestApp,
    kind: &str,
    base: &str,
    name: &str,
) -> (ActorRow, SigningKey, String) {
    let keys = staffroom::federation::keys::generate().unwrap();
    let now = staffroom::storage::now();
    let ap_id = format!("{base}/users/{name}");
    let domain = base.split("://").nth(1).unwrap().to_owned();
    let row = ActorRow {
        id: staffroom::ids::id_at(now),
        kind: kind.into(),
        username: name.into(),
        domain: Some(domain),
        ap_id: ap_id.clone(),
        url: None,
        inbox_url: format!("{ap_id}/inbox"),
        shared_inbox_url: Some(format!("{base}/inbox")),
        outbox_url: None,
        followers_url: Some(format!("{ap_id}/followers")),
        following_url: None,
        featured_url: None,
        display_name: String::new(),
        summary_source: String::new(),
        summary_html: String::new(),
        avatar_url: None,
        header_url: None,
        key_id: format!("{ap_id}#main-key"),
        public_key_pem: keys.public_pem,
        private_key_pem: None,
        manually_approves_followers: false,
        discoverable: true,
        suspended_at: None,
        fetched_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    actors::upsert_remote(&app.state.db, &row).await.unwrap();
    let key = SigningKey::from_pem(&row.key_id, &keys.private_pem).unwrap();
    (
        actors::find_by_ap_id(&app.state.db, &ap_id).await.unwrap().unwrap(),
        key,
        keys.private_pem,
    )
}

pub async fn post_signed(app: &TestApp, path: &str, activity: &Value, key: Option<&SigningKey>) -> super::TestResponse {
    let body = serde_json::to_vec(activity).unwrap();
    let url = url::Url::parse(&format!("https://staffroom.test{path}")).unwrap();
    let mut req = Request::post(path).header("content-type", AP);
    if let Some(key) = key {
        for (k, v) in sign_request("POST", &url, Some(&body), key).unwrap() {
            req = req.header(k, v);
        }
    }
    app.request(req.body(Body::from(body)).unwrap()).await
}

/// A GET signed with `key`, asking for ActivityPub JSON.
pub fn signed_get(path: String, key: &SigningKey) -> Request<Body> {
    let url = url::Url::parse(&format!("https://staffroom.test{path}")).unwrap();
    let mut req = Request::get(path).header("accept", AP);
    for (k, v) in sign_request("GET", &url, None, key).unwrap() {
        req = req.header(k, v);
    }
    req.body(Body::empty()).unwrap()
}

/// Posts a signed activity to the shared inbox and lets the worker process it.
pub async fn deliver(app: &TestApp, key: &SigningKey, activity: Value) {
    assert_eq!(
        post_signed(app, "/inbox", &activity, Some(key)).await.status,
        202,
        "{activity}"
    );
    staffroom::services::inbound::run_once(&app.state).await.unwrap();
}

/// The activities queued for delivery to one inbox, oldest first.
pub async fn sent_to(app: &TestApp, inbox: &str) -> Vec<Value> {
    let payloads: Vec<String> = staffroom::with_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT o.payload FROM deliveries d JOIN outgoing_activities o ON o.id = d.activity_id WHERE d.inbox_url = $1 ORDER BY d.id")
        .bind(inbox).fetch_all(p).await.unwrap());
    payloads.iter().map(|p| serde_json::from_str(p).unwrap()).collect()
}
