//! The hardening a black-box probe asked for, in process on either engine: rate limits that a
//! forwarded header cannot dodge and that several processes share, scopes, redirect URIs,
//! headers of HTML pages, NUL bytes, and signatures bound to our host.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::TestApp;
use serde_json::json;
use staffroom::services::accounts::Role;

async fn register_app(app: &TestApp, redirect: &str, scopes: &str) -> common::TestResponse {
    app.form(
        "/api/v1/apps",
        None,
        &[
            ("client_name", "Probe"),
            ("redirect_uris", redirect),
            ("scopes", scopes),
        ],
    )
    .await
}

/// A sign-in attempt on the consent page, from `forwarded` as X-Forwarded-For; its page text.
async fn sign_in(router: &axum::Router, client_id: &str, password: &str, forwarded: &str) -> String {
    use tower::ServiceExt;
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", client_id),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ("response_type", "code"),
            ("scope", "read"),
            ("username", "ada"),
            ("password", password),
        ])
        .finish();
    let req = Request::post("/oauth/authorize")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(body))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

const LIMITED: &str = "Too many attempts";

#[tokio::test]
async fn sign_in_limits_count_the_connection_and_are_shared_by_processes() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let client_id = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await.json()["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A second process of the same node: its own state and router, the same database.
    let other = staffroom::http::router(staffroom::app::AppState::new(
        (*app.state.config).clone(),
        app.state.db.clone(),
    ));
    let mut limited = 0;
    for n in 0..50 {
        let router = if n % 2 == 0 { &app.router } else { &other };
        let page = sign_in(router, &client_id, "wrong password", &format!("198.51.100.{n}")).await;
        if page.contains(LIMITED) {
            limited += 1;
        }
    }
    assert_eq!(
        limited, 40,
        "10 attempts a minute in all, whatever the forwarded header says"
    );
    let page = sign_in(&app.router, &client_id, "correct horse battery staple", "203.0.113.1").await;
    assert!(page.contains(LIMITED), "the right password is not even tried");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_ipv6_counts_by_64() {
    let app = TestApp::with_config(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]).await;
    app.create_user("ada", Role::Member).await;
    let client_id = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await.json()["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 0..20 {
        let page = sign_in(&app.router, &client_id, "wrong password", &format!("198.51.100.{n}")).await;
        assert!(!page.contains(LIMITED), "distinct clients behind the proxy");
    }
    let mut limited = 0;
    for n in 0..12 {
        let page = sign_in(
            &app.router,
            &client_id,
            "wrong password",
            &format!("2001:db8:5:6::{n:x}"),
        )
        .await;
        if page.contains(LIMITED) {
            limited += 1;
        }
    }
    assert_eq!(limited, 2, "one /64 is one client");
    let r = staffroom::config::Config {
        trusted_proxies: vec!["not-a-network".into()],
        ..(*app.state.config).clone()
    }
    .validate();
    assert!(r.unwrap_err().to_string().contains("trusted_proxies"));
}

#[tokio::test]
async fn tokens_get_at_most_the_apps_scopes_and_redirects_are_http_or_app_schemes() {
    let app = TestApp::with_config(|c| c.api.password_grant = true).await;
    app.create_user("ada", Role::Member).await;
    let a = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await.json();
    let grant = |scope: &'static str| {
        let mut body = json!({ "grant_type": "password", "client_id": a["client_id"], "client_secret": a["client_secret"],
                               "username": "ada", "password": "correct horse battery staple" });
        if !scope.is_empty() {
            body["scope"] = json!(scope);
        }
        app.api("POST", "/oauth/token", None, Some(body))
    };
    let r = grant("read write follow push").await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"], "invalid_scope");
    let r = grant("").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["scope"], "read");

    for bad in [
        "javascript:alert(document.domain)//",
        "data:text/html,<script>x</script>",
        "file:///etc/passwd",
        "vbscript:x",
    ] {
        let r = register_app(&app, bad, "read").await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text());
    }
    for good in [
        "https://app.example/callback",
        "http://localhost:4000/cb",
        "tusky://oauth",
        "com.example.app:/oauth",
        "urn:ietf:wg:oauth:2.0:oob",
    ] {
        let r = register_app(&app, good, "read").await;
        assert_eq!(r.status, 200, "{good}: {}", r.text());
    }
}

#[tokio::test]
async fn pages_forbid_framing_and_scripts_and_the_consent_page_has_no_cors() {
    let app = TestApp::new().await;
    let client_id = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read").await.json()["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let req = Request::get(format!(
        "/oauth/authorize?client_id={client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&response_type=code&scope=read"
    ))
    .header("origin", "https://evil.example")
    .body(Body::empty())
    .unwrap();
    let page = app.request(req).await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{csp}");
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "same-origin");
    assert_eq!(
        page.header("access-control-allow-origin"),
        "",
        "no CORS on the consent page"
    );
    // Styles come only from our own sheet, which the policy allows; nothing is inline.
    assert!(
        page.text()
            .contains("<link rel=\"stylesheet\" href=\"/static/style.css\">")
    );
    assert!(!page.text().contains("<style") && !page.text().contains("style=\""));
    assert!(csp.contains("style-src 'self'"), "{csp}");
    // toot opens the page with a trailing slash.
    let slash = app
        .get(&format!(
            "/oauth/authorize/?client_id={client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&response_type=code"
        ))
        .await;
    assert_eq!(slash.status, 200);
    for path in ["/@reception", "/"] {
        let r = app.get_accept(path, "text/html").await;
        assert!(
            r.header("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
    }
    // JSON keeps nosniff, and the API keeps CORS for browser apps.
    let r = app
        .request(
            Request::get("/api/v1/instance")
                .header("origin", "https://elk.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("access-control-allow-origin"), "*");
}

#[tokio::test]
async fn nul_bytes_are_refused_at_the_door_on_both_engines() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read write").await;
    for path in [
        "/.well-known/webfinger?resource=acct:a%00b@staffroom.test",
        "/users/a%00b",
        "/@a%00b",
        "/groups/a%00b",
        "/api/v1/accounts/lookup?acct=a%00b",
        "/oauth/authorize?client_id=a%00&redirect_uri=x&response_type=code",
        "/api/v2/search?q=%00",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        assert!(r.json()["error"].as_str().unwrap().contains("NUL"), "{path}");
    }
    let r = app.get(&format!("/api/v2/search?q=a%00&access_token={token}")).await;
    assert_eq!(r.status, 400);
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&token),
            Some(json!({ "status": "a\u{0}b" })),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = app.form("/api/v1/statuses", Some(&token), &[("status", "a\0b")]).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = app
        .form(
            "/api/v1/apps",
            None,
            &[("client_name", "a\0"), ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    // Nothing was stored, and the node still answers.
    assert_eq!(app.get("/api/v1/timelines/public").await.json(), json!([]));
}

#[tokio::test]
async fn images_are_decoded_under_limits_not_trusted_by_their_header() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read write").await;
    for (bytes, what) in [
        (common::png_header_only(8192, 8192), "a header claiming 8192×8192"),
        (common::png_header_only(3, 2), "a header with no pixels"),
        (common::png()[..60].to_vec(), "a truncated image"),
    ] {
        let r = app.upload_media(&token, &bytes, "").await;
        assert_eq!(r.status, 422, "{what}: {}", r.text());
    }
    assert_eq!(app.upload_media(&token, &common::png(), "").await.status, 200);
}

#[tokio::test]
async fn registrations_per_address_cannot_be_dodged_with_a_forwarded_header() {
    use tower::ServiceExt;
    let app = TestApp::with_config(|c| c.registrations = staffroom::config::Registrations::Open).await;
    let a = register_app(&app, "urn:ietf:wg:oauth:2.0:oob", "read write")
        .await
        .json();
    let t = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", a["client_id"].as_str().unwrap()),
                ("client_secret", a["client_secret"].as_str().unwrap()),
                ("scope", "read write"),
            ],
        )
        .await
        .json();
    let token = t["access_token"].as_str().unwrap().to_owned();
    let mut created = 0;
    for n in 0..8 {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("username", format!("newbie{n}")),
                ("email", format!("new{n}@school.example")),
                ("password", "a long enough passphrase".into()),
                ("agreement", "true".into()),
            ])
            .finish();
        let req = Request::post("/api/v1/accounts")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", format!("Bearer {token}"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .body(Body::from(body))
            .unwrap();
        let res = app.router.clone().oneshot(req).await.unwrap();
        match res.status().as_u16() {
            200 => created += 1,
            429 => {}
            other => panic!("registration answered {other}"),
        }
    }
    assert_eq!(created, 5, "five an hour from one address");
}

#[tokio::test]
async fn the_token_endpoint_answers_browser_apps_on_their_own_origin_only() {
    let app = TestApp::with_config(|c| c.api.password_grant = true).await;
    app.create_user("ada", Role::Member).await;
    let a = register_app(&app, "https://phanpy.example/ urn:ietf:wg:oauth:2.0:oob", "read")
        .await
        .json();
    let token = |origin: &str| {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "password"),
                ("client_id", a["client_id"].as_str().unwrap()),
                ("client_secret", a["client_secret"].as_str().unwrap()),
                ("username", "ada"),
                ("password", "correct horse battery staple"),
            ])
            .finish();
        Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin)
            .body(Body::from(body))
            .unwrap()
    };
    let own = app.request(token("https://phanpy.example")).await;
    assert_eq!(own.status, 200, "{}", own.text());
    assert_eq!(own.header("access-control-allow-origin"), "https://phanpy.example");
    let other = app.request(token("https://evil.example")).await;
    assert_eq!(
        other.header("access-control-allow-origin"),
        "",
        "another site may not read it"
    );
    let preflight = app
        .request(
            Request::options("/oauth/token")
                .header("origin", "https://phanpy.example")
                .header("access-control-request-method", "POST")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(preflight.status.is_success());
    assert_ne!(preflight.header("access-control-allow-origin"), "*");
    for path in ["/oauth/token", "/oauth/revoke", "/oauth/authorize"] {
        let r = app
            .request(
                Request::options(path)
                    .header("origin", "https://x.example")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_ne!(r.header("access-control-allow-origin"), "*", "{path}");
    }
}
