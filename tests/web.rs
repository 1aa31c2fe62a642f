//! The web interface in process, on either engine: a browser's cookies, forms and CSRF tokens,
//! sign-up in both registration modes, sessions, languages, posting and reacting, and every page
//! asking the same privacy rules as the API (an anonymous visitor, an outsider, a pending member,
//! a removed member and a member).

mod common;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::Request;
use common::{TestApp, TestResponse};
use staffroom::config::Registrations;
use staffroom::services::accounts::Role;
use staffroom::services::groups::{self, Moderation};
use staffroom::services::posts::{self, NewPost};
use staffroom::storage::follows;

const PASSWORD: &str = "correct horse battery staple";

/// A browser: keeps cookies, sends forms with the CSRF token of the last page it read.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    language: Option<&'static str>,
    last: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: BTreeMap::new(),
            language: None,
            last: String::new(),
        }
    }

    fn keep(&mut self, r: &TestResponse) {
        for v in r.headers.get_all("set-cookie") {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_owned()).unwrap();
            if c.max_age().is_some_and(|a| a.is_zero()) || c.value().is_empty() {
                self.cookies.remove(c.name());
            } else {
                self.cookies.insert(c.name().to_owned(), c.value().to_owned());
            }
        }
    }

    fn request(&self, req: axum::http::request::Builder) -> axum::http::request::Builder {
        let mut req = req.header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
        if let Some(l) = self.language {
            req = req.header("accept-language", l);
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header("cookie", jar.join("; "));
        }
        req
    }

    async fn get(&mut self, uri: &str) -> TestResponse {
        let r = self
            .app
            .request(self.request(Request::get(uri)).body(Body::empty()).unwrap())
            .await;
        self.keep(&r);
        if r.header("content-type").starts_with("text/html") {
            self.last = r.text();
        }
        r
    }

    /// The CSRF token the last page's forms carry.
    fn csrf(&self) -> String {
        let at = self
            .last
            .find("name=\"csrf\" value=\"")
            .expect("a form on the last page")
            + 19;
        self.last[at..].split('"').next().unwrap().to_owned()
    }

    async fn post(&mut self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let mut all = vec![("csrf", self.csrf())];
        all.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
        self.post_raw(uri, &all).await
    }

    async fn post_raw(&mut self, uri: &str, pairs: &[(&str, String)]) -> TestResponse {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let req = self
            .request(Request::post(uri))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let r = self.app.request(req).await;
        self.keep(&r);
        if r.header("content-type").starts_with("text/html") {
            self.last = r.text();
        }
        r
    }

    async fn sign_in(&mut self, login: &str) {
        self.get("/auth/sign_in").await;
        let r = self
            .post("/auth/sign_in", &[("login", login), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(self.cookies.contains_key("staffroom_session"));
    }
}

fn signed_in(html: &str) -> bool {
    html.contains("action=\"/auth/sign_out\"")
}

#[tokio::test]
async fn a_visitor_signs_up_posts_likes_and_signs_out() {
    let app = TestApp::with_config(|c| c.registrations = Registrations::Open).await;
    let mut b = Browser::new(&app);
    let r = b.get("/auth/sign_up").await;
    assert_eq!(r.status, 200);
    let csrf_cookie = r.header("set-cookie").to_owned();
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"),
        "{csrf_cookie}"
    );
    assert!(r.header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(r.header("content-security-policy").contains("default-src 'none'"));

    // Without accepting the rules: the form again, with the error and what was typed.
    let r = b
        .post(
            "/auth/sign_up",
            &[
                ("username", "ada"),
                ("email", "ada@school.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("Please accept the rules") && r.text().contains("value=\"ada@school.example\""));

    let r = b
        .post(
            "/auth/sign_up",
            &[
                ("username", "ada"),
                ("email", "ada@school.example"),
                ("password", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let session = r.header("set-cookie").to_owned();
    assert!(
        session.starts_with("staffroom_session=") && session.contains("HttpOnly") && session.contains("SameSite=Lax")
    );
    assert!(session.contains("Secure"), "the node is served over https: {session}");

    let home = b.get("/").await.text();
    assert!(signed_in(&home) && home.contains("action=\"/web/statuses\""), "{home}");
    let r = b
        .post(
            "/web/statuses",
            &[
                ("status", "Hello #teachers, <b>bold</b> claims"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let link = r.header("location").to_owned();
    assert!(link.starts_with("/@ada/"), "{link}");
    let page = b.get(&link).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("Hello") && !html.contains("<b>bold</b>"),
        "text is cleaned: {html}"
    );
    assert!(html.contains("/tags/teachers"));
    // The post's URL opened by a browser is this page; by a server, ActivityPub JSON.
    let id = link.rsplit('/').next().unwrap();
    let r = b.get(&format!("/posts/{id}")).await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, link.as_str()));
    assert!(
        app.get_accept(&format!("/posts/{id}"), "application/activity+json")
            .await
            .header("content-type")
            .starts_with("application/activity+json")
    );
    // Tag and public pages show it.
    assert!(b.get("/tags/teachers").await.text().contains(&link));
    assert!(b.get("/public").await.text().contains(&link));

    b.get(&link).await;
    let r = b
        .post(&format!("/web/statuses/{id}/favourite"), &[("next", &link)])
        .await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, link.as_str()));
    let html = b.get(&link).await.text();
    assert!(html.contains("aria-pressed=\"true\"") && html.contains("(1)"), "{html}");
    let api = app
        .api("GET", &format!("/api/v1/statuses/{id}"), None, None)
        .await
        .json();
    assert_eq!(api["favourites_count"], 1);

    // Signing out ends the session on the server: the old cookie no longer signs in.
    let old = b.cookies["staffroom_session"].clone();
    b.get("/").await;
    let r = b.post("/auth/sign_out", &[]).await;
    assert_eq!(r.status, 303);
    assert!(!b.cookies.contains_key("staffroom_session"));
    b.cookies.insert("staffroom_session".into(), old);
    assert!(!signed_in(&b.get("/").await.text()));
}

#[tokio::test]
async fn in_approval_mode_a_registration_waits_for_the_secretariat() {
    let app = TestApp::with_config(|c| {
        c.registrations = Registrations::Approval;
        c.node.rules = vec!["Be kind to colleagues".into()];
    })
    .await;
    let mut b = Browser::new(&app);
    let html = b.get("/auth/sign_up").await.text();
    assert!(html.contains("Be kind to colleagues") && html.contains("name=\"reason\""));
    let fields = [
        ("username", "bea"),
        ("email", "bea@school.example"),
        ("password", PASSWORD),
        ("agreement", "on"),
    ];
    let r = b.post("/auth/sign_up", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("why you want to join"));
    let mut with_reason = fields.to_vec();
    with_reason.push(("reason", "I teach physics in Lyon"));
    let r = b.post("/auth/sign_up", &with_reason).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("The secretariat will review your registration"));
    assert!(!b.cookies.contains_key("staffroom_session"));

    b.get("/auth/sign_in").await;
    let r = b
        .post(
            "/auth/sign_in",
            &[("login", "bea@school.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 422, "not approved yet");
    // A second registration, which the secretariat will reject.
    let mut other = Browser::new(&app);
    other.get("/auth/sign_up").await;
    let r = other
        .post(
            "/auth/sign_up",
            &[
                ("username", "spam"),
                ("email", "spam@spam.example"),
                ("password", PASSWORD),
                ("agreement", "1"),
                ("reason", "buy now"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);

    // A member may not open the secretariat's page; the secretariat sees both, with reasons.
    app.create_user("cleo", Role::Member).await;
    let mut member = Browser::new(&app);
    member.sign_in("cleo").await;
    assert_eq!(member.get("/admin/registrations").await.status, 403);
    app.create_user("secretary", Role::Admin).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("secretary").await;
    let html = admin.get("/admin/registrations").await.text();
    assert!(
        html.contains("I teach physics in Lyon") && html.contains("buy now") && html.contains("@bea"),
        "{html}"
    );
    let bea = staffroom::services::accounts::find(&app.state, "bea").await.unwrap();
    let spam = staffroom::services::accounts::find(&app.state, "spam").await.unwrap();
    member.get("/").await;
    let r = member
        .post(&format!("/admin/registrations/{}/approve", bea.user.id), &[])
        .await;
    assert_eq!(r.status, 403, "members cannot approve");
    let r = admin
        .post(&format!("/admin/registrations/{}/approve", bea.user.id), &[])
        .await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, "/admin/registrations"));
    admin.get("/admin/registrations").await;
    let r = admin
        .post(&format!("/admin/registrations/{}/reject", spam.user.id), &[])
        .await;
    assert_eq!(r.status, 303);
    let html = admin.get("/admin/registrations").await.text();
    assert!(html.contains("No registration is waiting"), "{html}");
    assert!(
        staffroom::services::accounts::find(&app.state, "spam").await.is_err(),
        "rejected: removed"
    );
    // Deciding twice finds nothing.
    let r = admin
        .post(&format!("/admin/registrations/{}/approve", bea.user.id), &[])
        .await;
    assert_eq!(r.status, 404);

    b.sign_in("bea@school.example").await;
    assert!(signed_in(&b.get("/").await.text()));
}

#[tokio::test]
async fn forms_need_the_pages_csrf_token() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let mut b = Browser::new(&app);
    // No token cookie yet (another site posting): refused.
    let r = b
        .post_raw(
            "/auth/sign_in",
            &[
                ("csrf", "x".repeat(43)),
                ("login", "ada".into()),
                ("password", PASSWORD.into()),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    b.sign_in("ada").await;
    b.get("/").await;
    let anonymous_token = "a".repeat(43);
    for token in [String::new(), anonymous_token] {
        let r = b
            .post_raw("/web/statuses", &[("csrf", token), ("status", "forged".into())])
            .await;
        assert_eq!(r.status, 403);
        assert!(r.text().contains("This form has expired"));
    }
    let statuses = app.api("GET", "/api/v1/timelines/public", None, None).await.json();
    assert_eq!(statuses.as_array().unwrap().len(), 0, "nothing was posted");
    // Malformed bodies are a page, not a crash.
    let r = b.post("/web/statuses", &[("visibility", "everyone")]).await;
    assert_eq!(r.status, 422);
    // `next` never leaves the site.
    b.get("/auth/sign_in").await;
    b.cookies.remove("staffroom_session");
    b.get("/auth/sign_in").await;
    let r = b
        .post(
            "/auth/sign_in",
            &[("login", "ada"), ("password", PASSWORD), ("next", "//evil.example/x")],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, "/"));
}

#[tokio::test]
async fn the_interface_speaks_the_members_language() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let mut b = Browser::new(&app);
    b.language = Some("de-AT,de;q=0.9,en;q=0.5");
    let html = b.get("/auth/sign_in").await.text();
    assert!(
        html.contains("<html lang=\"de\">") && html.contains("Anmelden"),
        "{html}"
    );
    // The cookie beats the browser's languages.
    let r = b
        .post("/settings/language", &[("language", "fr"), ("next", "/auth/sign_in")])
        .await;
    assert_eq!(r.status, 303);
    let html = b.get("/auth/sign_in").await.text();
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Se connecter"));
    // A member's own choice follows them to another browser.
    b.sign_in("ada").await;
    b.get("/").await;
    b.post("/settings/language", &[("language", "tr"), ("next", "/")]).await;
    let mut other = Browser::new(&app);
    other.language = Some("de");
    other.sign_in("ada").await;
    let html = other.get("/").await.text();
    assert!(
        html.contains("<html lang=\"tr\">") && html.contains("Ana sayfa"),
        "{html}"
    );
    // A language the interface does not speak is refused, not stored.
    let r = other.post("/settings/language", &[("language", "xx")]).await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn sessions_are_listed_and_revocable() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let mut phone = Browser::new(&app);
    phone.sign_in("ada").await;
    let mut laptop = Browser::new(&app);
    laptop.sign_in("ada").await;
    let html = laptop.get("/settings/sessions").await.text();
    assert_eq!(html.matches("/revoke\"").count(), 2, "{html}");
    // The laptop signs the phone out.
    let ids: Vec<String> = html
        .match_indices("/settings/sessions/")
        .map(|(i, _)| html[i + 19..].split('/').next().unwrap().to_owned())
        .collect();
    let current = html.split("this browser").next().unwrap().rfind("<tr>").unwrap();
    let phone_id = ids
        .iter()
        .find(|id| html.find(&format!("/settings/sessions/{id}/revoke")).unwrap() < current)
        .or_else(|| ids.last())
        .unwrap()
        .clone();
    let r = laptop.post(&format!("/settings/sessions/{phone_id}/revoke"), &[]).await;
    assert_eq!(r.status, 303);
    let still: Vec<bool> = vec![
        signed_in(&phone.get("/").await.text()),
        signed_in(&laptop.get("/").await.text()),
    ];
    assert_eq!(
        still.iter().filter(|s| **s).count(),
        1,
        "exactly one browser is still signed in"
    );
    // Pages that need a member send visitors to sign in, and back.
    let mut visitor = Browser::new(&app);
    let r = visitor.get("/settings/sessions").await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/auth/sign_in?next=%2Fsettings%2Fsessions")
    );
}

#[tokio::test]
async fn every_page_asks_who_may_see_a_members_only_post() {
    let app = TestApp::new().await;
    let owner = app.create_user("owner", Role::Member).await;
    let group = app.create_group("physics", Some(owner.actor.id), true).await;
    for name in ["member", "pending", "removed", "outsider"] {
        let a = app.create_user(name, Role::Member).await;
        match name {
            "member" | "removed" => follows::insert(&app.state.db, a.actor.id, group.id, None, true)
                .await
                .unwrap(),
            "pending" => follows::insert(&app.state.db, a.actor.id, group.id, None, false)
                .await
                .unwrap(),
            _ => {}
        }
        if name == "removed" {
            groups::moderate(&app.state, &group, &a.actor, Some(&owner.actor), Moderation::Remove, "")
                .await
                .unwrap();
        }
    }
    let post = posts::create(
        &app.state,
        &owner.actor,
        NewPost {
            text: "Lab notes #optics for the group only".into(),
            group: Some(group.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let link = format!("/@owner/{}", post.id);
    for who in ["anonymous", "outsider", "pending", "removed", "member"] {
        let mut b = Browser::new(&app);
        if who != "anonymous" {
            b.sign_in(who).await;
        }
        let sees = who == "member";
        let r = b.get(&link).await;
        assert_eq!(r.status.as_u16(), if sees { 200 } else { 404 }, "{who} opens the post");
        assert_eq!(r.text().contains("Lab notes"), sees, "{who}");
        assert_eq!(
            b.get("/@owner").await.text().contains("Lab notes"),
            sees,
            "{who} on the profile"
        );
        assert!(
            !b.get("/public").await.text().contains("Lab notes"),
            "{who} on the public page"
        );
        assert!(
            !b.get("/tags/optics").await.text().contains("Lab notes"),
            "{who} on the tag page"
        );
        if who != "anonymous" {
            assert_eq!(b.get("/").await.text().contains("Lab notes"), sees, "{who} at home");
            b.get("/").await;
            let r = b.post(&format!("/web/statuses/{}/favourite", post.id), &[]).await;
            assert_eq!(r.status.as_u16(), if sees { 303 } else { 404 }, "{who} likes it");
        }
    }
}

#[tokio::test]
async fn an_app_signs_in_through_the_browsers_session() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let reg = app
        .api(
            "POST",
            "/api/v1/apps",
            None,
            Some(serde_json::json!({"client_name": "Elk", "redirect_uris": "https://elk.example/callback", "scopes": "read write"})),
        )
        .await
        .json();
    let (client_id, secret) = (
        reg["client_id"].as_str().unwrap(),
        reg["client_secret"].as_str().unwrap(),
    );
    let query = format!(
        "/oauth/authorize?client_id={client_id}&redirect_uri=https%3A%2F%2Felk.example%2Fcallback&response_type=code&scope=read+write:media&state=s1"
    );
    let mut b = Browser::new(&app);
    // Not signed in: the page asks for a password, and explains the scopes in words.
    let html = b.get(&query).await.text();
    assert!(
        html.contains("name=\"password\"") && html.contains("see everything in your account"),
        "{html}"
    );
    assert!(html.contains("change your pictures and files") && html.contains("/auth/sign_up"));
    b.sign_in("ada").await;
    let html = b.get(&query).await.text();
    assert!(
        html.contains("You are signed in as") && !html.contains("name=\"password\""),
        "{html}"
    );
    let fields = [
        ("client_id", client_id),
        ("redirect_uri", "https://elk.example/callback"),
        ("response_type", "code"),
        ("scope", "read write:media"),
        ("state", "s1"),
    ];
    // Another site cannot consent for her: no token, no code.
    let mut forged: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
    forged.push(("csrf", "x".repeat(43)));
    let r = b.post_raw("/oauth/authorize", &forged).await;
    assert_eq!(r.status, 403);
    assert!(!r.header("location").contains("code="));
    // One click.
    b.get(&query).await;
    let r = b.post("/oauth/authorize", &fields).await;
    assert_eq!(r.status, 303);
    let location = url::Url::parse(r.header("location")).unwrap();
    assert_eq!(location.host_str(), Some("elk.example"));
    let pairs: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], "s1");
    let token = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &pairs["code"]),
                ("client_id", client_id),
                ("client_secret", secret),
                ("redirect_uri", "https://elk.example/callback"),
            ],
        )
        .await
        .json();
    let me = app
        .api(
            "GET",
            "/api/v1/accounts/verify_credentials",
            token["access_token"].as_str(),
            None,
        )
        .await
        .json();
    assert_eq!(me["username"], "ada");
    // Deny goes back to the app with access_denied.
    b.get(&query).await;
    let mut deny = fields.to_vec();
    deny.push(("deny", "1"));
    let r = b.post("/oauth/authorize", &deny).await;
    assert!(
        r.header("location")
            .starts_with("https://elk.example/callback?error=access_denied")
    );
    // In French, scopes are explained in French.
    b.language = Some("fr");
    b.cookies.remove("staffroom_lang");
    let mut visitor = Browser::new(&app);
    visitor.language = Some("fr");
    assert!(visitor.get(&query).await.text().contains("voir tout votre compte"));
}

const BOUNDARY: &str = "----staffroom-test";

/// The compose form as a browser sends it with one image (and an empty second file input).
fn compose_multipart(csrf: &str, status: &str, image: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", csrf),
        ("status", status),
        ("visibility", "public"),
        ("description_1", "Shelves of picture books under a window"),
        ("description_2", ""),
    ] {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"media_1\"; filename=\"corner.png\"\r\nContent-Type: image/png\r\n\r\n")
            .bytes(),
    );
    body.extend(image);
    body.extend(b"\r\n");
    body.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"media_2\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n")
            .bytes(),
    );
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

#[tokio::test]
async fn a_post_carries_images_with_their_descriptions() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let mut b = Browser::new(&app);
    b.sign_in("ada").await;
    let html = b.get("/").await.text();
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let csrf = b.csrf();
    let send = |b: &Browser, body: Vec<u8>| {
        b.request(Request::post("/web/statuses"))
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(body))
            .unwrap()
    };
    let r = app
        .request(send(&b, compose_multipart(&csrf, "Our reading corner", &common::png())))
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.header("location").to_owned();
    let html = b.get(&location).await.text();
    assert!(
        html.contains("alt=\"Shelves of picture books under a window\""),
        "{html}"
    );
    let id = location.rsplit('/').next().unwrap().to_owned();
    let status = app
        .api("GET", &format!("/api/v1/statuses/{id}"), None, None)
        .await
        .json();
    assert_eq!(status["media_attachments"].as_array().unwrap().len(), 1);
    assert_eq!(
        status["media_attachments"][0]["description"],
        "Shelves of picture books under a window"
    );
    // The same form with another token is refused.
    let r = app
        .request(send(
            &b,
            compose_multipart(&"z".repeat(csrf.len()), "Forged", &common::png()),
        ))
        .await;
    assert_eq!(r.status, 403);
    // Not an image: the reason, and no post.
    let r = app
        .request(send(&b, compose_multipart(&csrf, "Junk", b"GIF89a not really")))
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let statuses = app.api("GET", "/api/v1/timelines/public", None, None).await.json();
    assert_eq!(statuses.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn members_find_join_post_in_and_leave_groups() {
    let app = TestApp::new().await;
    let owner = app.create_user("owner", Role::Member).await;
    app.create_user("ada", Role::Member).await;
    app.create_user("outsider", Role::Member).await;
    let open = app.create_group("coffee", Some(owner.actor.id), false).await;
    let closed = app.create_group("physics", Some(owner.actor.id), true).await;
    let mut b = Browser::new(&app);
    b.sign_in("ada").await;
    let html = b.get("/groups").await.text();
    assert!(
        html.contains("href=\"/@coffee\"") && html.contains("href=\"/@physics\""),
        "{html}"
    );
    assert!(html.contains("members-only group space"));

    // A public group: join with one click, post into it, see it there, leave.
    let html = b.get("/@coffee").await.text();
    assert!(html.contains(&format!("action=\"/web/groups/{}/join\"", open.id)) && html.contains(">Join<"));
    let r = b
        .post(&format!("/web/groups/{}/join", open.id), &[("next", "/@coffee")])
        .await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, "/@coffee"));
    let html = b.get("/@coffee").await.text();
    assert!(html.contains(">Leave<") && html.contains("name=\"group_id\""), "{html}");
    let r = b
        .post(
            "/web/statuses",
            &[
                ("status", "Who brings biscuits on Friday?"),
                ("group_id", &open.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(b.get("/@coffee").await.text().contains("Who brings biscuits"));
    let id = r.header("location").rsplit('/').next().unwrap().to_owned();
    let post = staffroom::storage::posts::find_by_id(&app.state.db, id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(post.group_id, Some(open.id), "posted into the group");
    b.get("/@coffee").await;
    b.post(&format!("/web/groups/{}/leave", open.id), &[("next", "/@coffee")])
        .await;
    assert!(b.get("/@coffee").await.text().contains(">Join<"));

    // A members-only space: asking to join waits for a steward; then a member posts for members.
    let html = b.get("/@physics").await.text();
    assert!(
        html.contains(">Ask to join<") && html.contains("Only members see the posts"),
        "{html}"
    );
    b.post(&format!("/web/groups/{}/join", closed.id), &[("next", "/@physics")])
        .await;
    let html = b.get("/@physics").await.text();
    assert!(
        html.contains("Your request is waiting for a steward") && !html.contains("name=\"group_id\""),
        "{html}"
    );
    // The steward sees the request on the group's page and approves it in the browser.
    let ada = staffroom::services::accounts::find(&app.state, "ada").await.unwrap();
    let mut steward = Browser::new(&app);
    steward.sign_in("owner").await;
    assert!(
        steward
            .get("/@physics")
            .await
            .text()
            .contains("href=\"/groups/physics/requests\">Join requests (1)")
    );
    let html = steward.get("/groups/physics/requests").await.text();
    assert!(html.contains("@ada@staffroom.test"), "{html}");
    let mut nosy = Browser::new(&app);
    nosy.sign_in("outsider").await;
    assert_eq!(nosy.get("/groups/physics/requests").await.status, 403);
    let approve = format!("/groups/physics/requests/{}/approve", ada.actor.id);
    nosy.get("/").await;
    assert_eq!(nosy.post(&approve, &[]).await.status, 403, "only stewards decide");
    let r = steward.post(&approve, &[]).await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/groups/physics/requests")
    );
    assert!(
        steward
            .get("/groups/physics/requests")
            .await
            .text()
            .contains("Nobody is waiting")
    );
    assert_eq!(steward.post(&approve, &[]).await.status, 404, "decided already");
    let html = b.get("/@physics").await.text();
    assert!(html.contains(">Leave<") && html.contains("name=\"group_id\""));
    assert!(
        html.contains("<option value=\"private\" selected>"),
        "members-only by default: {html}"
    );
    let r = b
        .post(
            "/web/statuses",
            &[
                ("status", "Lab schedule for the group"),
                ("group_id", &closed.id.to_string()),
                ("visibility", "private"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(b.get("/@physics").await.text().contains("Lab schedule"));
    let mut outsider = Browser::new(&app);
    outsider.sign_in("outsider").await;
    let html = outsider.get("/@physics").await.text();
    assert!(!html.contains("Lab schedule") && html.contains("Only members see the posts"));
    let mut visitor = Browser::new(&app);
    let html = visitor.get("/@physics").await.text();
    assert!(!html.contains("Lab schedule") && html.contains("Sign in to join this group"));
    // Another site cannot make her leave.
    let r = visitor
        .post_raw(&format!("/web/groups/{}/leave", closed.id), &[("csrf", "q".repeat(43))])
        .await;
    assert_eq!(r.status, 403);
    // An unknown group, or an action that is none of these, is a 404.
    b.get("/").await;
    assert_eq!(b.post("/web/groups/12345/join", &[]).await.status, 404);
    b.get("/").await;
    assert_eq!(
        b.post(&format!("/web/groups/{}/explode", open.id), &[]).await.status,
        404
    );
}

#[tokio::test]
async fn members_answer_events_and_the_waiting_list_moves_up() {
    let app = TestApp::new().await;
    let org = app.create_user("org", Role::Member).await;
    app.create_user("ada", Role::Member).await;
    app.create_user("bea", Role::Member).await;
    let group = app.create_group("physics", Some(org.actor.id), false).await;
    let token = app.token(&org, "read write").await;
    let e = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&token),
            Some(serde_json::json!({
                "title": "Lab safety", "description": "Bring goggles.", "starts_at": "2027-07-01T10:00",
                "timezone": "Europe/Helsinki", "place_name": "Room 12", "capacity": 1, "group_id": group.id.to_string(),
            })),
        )
        .await
        .json();
    let id = e["id"].as_str().unwrap().to_owned();
    let page = format!("/events/{id}");
    let rsvp = format!("/web/events/{id}/rsvp");

    let mut visitor = Browser::new(&app);
    let html = visitor.get("/events").await.text();
    assert!(
        html.contains(&format!("href=\"{page}\"")) && html.contains("Lab safety"),
        "{html}"
    );
    let html = visitor.get(&page).await.text();
    assert!(
        html.contains("Thursday 1 July 2027, 10:00 (EEST)") && html.contains("Sign in to answer"),
        "{html}"
    );
    assert!(html.contains("1 place left"));

    let mut ada = Browser::new(&app);
    ada.sign_in("ada").await;
    ada.get(&page).await;
    let r = ada.post(&rsvp, &[("answer", "going")]).await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, page.as_str()));
    let html = ada.get(&page).await.text();
    assert!(
        html.contains("You are going.") && html.contains("1 person going"),
        "{html}"
    );
    assert!(ada.get("/events").await.text().contains("My agenda"));

    let mut bea = Browser::new(&app);
    bea.sign_in("bea").await;
    bea.get(&page).await;
    bea.post(&rsvp, &[("answer", "going")]).await;
    assert!(bea.get(&page).await.text().contains("You are on the waiting list"));
    // Ada cannot go after all: Bea gets her place.
    ada.get(&page).await;
    ada.post(&rsvp, &[("answer", "no")]).await;
    assert!(!ada.get(&page).await.text().contains("You are going."));
    assert!(bea.get(&page).await.text().contains("You are going."));
    // Maybe, and nonsense.
    ada.get(&page).await;
    ada.post(&rsvp, &[("answer", "maybe")]).await;
    assert!(ada.get(&page).await.text().contains("You might come."));
    assert_eq!(ada.post(&rsvp, &[("answer", "perhaps")]).await.status, 422);
    // The page is HTML for browsers, ActivityPub for servers.
    let ap = app.get_accept(&page, "application/activity+json").await;
    assert_eq!(ap.json()["type"], "Event");
    assert_eq!(visitor.get("/events/999999").await.status, 404);
}

#[tokio::test]
async fn members_follow_from_profiles_and_read_their_notifications() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    app.create_user("bea", Role::Member).await;
    let post = posts::create(
        &app.state,
        &ada.actor,
        NewPost {
            text: "Fractions with paper strips".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut bea = Browser::new(&app);
    bea.sign_in("bea").await;
    let html = bea.get("/@ada").await.text();
    let follow = format!("/web/accounts/{}/follow", ada.actor.id);
    assert!(html.contains(&format!("action=\"{follow}\"")), "{html}");
    let r = bea.post(&follow, &[("next", "/@ada")]).await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, "/@ada"));
    assert!(bea.get("/@ada").await.text().contains(">Unfollow<"));
    // Her posts now reach Bea's home.
    assert!(bea.get("/").await.text().contains("Fractions with paper strips"));
    bea.get(&format!("/@ada/{}", post.id)).await;
    bea.post(&format!("/web/statuses/{}/favourite", post.id), &[]).await;

    let mut ada_b = Browser::new(&app);
    ada_b.sign_in("ada").await;
    let html = ada_b.get("/notifications").await.text();
    assert!(
        html.contains("bea followed you") && html.contains("bea liked your post"),
        "{html}"
    );
    assert!(html.contains("Fractions with paper strips"), "the post liked is shown");
    assert!(
        !ada_b.get("/@ada").await.text().contains("/follow\""),
        "no follow button on one's own profile"
    );
    // In German.
    ada_b.get("/").await;
    ada_b
        .post("/settings/language", &[("language", "de"), ("next", "/notifications")])
        .await;
    assert!(ada_b.get("/notifications").await.text().contains("bea folgt Ihnen"));

    bea.get("/@ada").await;
    bea.post(
        &format!("/web/accounts/{}/unfollow", ada.actor.id),
        &[("next", "/@ada")],
    )
    .await;
    assert!(bea.get("/@ada").await.text().contains(">Follow<"));
    let mut visitor = Browser::new(&app);
    assert_eq!(visitor.get("/notifications").await.status, 303);
    assert_eq!(bea.post("/web/accounts/424242/follow", &[]).await.status, 404);
}

#[tokio::test]
async fn members_edit_their_profile_and_change_their_password() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let mut b = Browser::new(&app);
    b.sign_in("ada").await;
    let mut other = Browser::new(&app);
    other.sign_in("ada").await;
    b.get("/settings/profile").await;
    let r = b
        .post(
            "/settings/profile",
            &[
                ("display_name", "Ada L."),
                ("bio", "Maths & <computing> in Turin"),
                ("locked", "1"),
            ],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, "/@ada"));
    let html = b.get("/@ada").await.text();
    assert!(
        html.contains("Ada L.") && html.contains("Maths &amp; &lt;computing&gt; in Turin"),
        "{html}"
    );
    let me = staffroom::services::accounts::find(&app.state, "ada").await.unwrap();
    assert!(me.actor.manually_approves_followers);
    let html = b.get("/settings/profile").await.text();
    assert!(html.contains("value=\"Ada L.\"") && html.contains(" checked"));
    let long = "x".repeat(5000);
    assert_eq!(b.post("/settings/profile", &[("bio", long.as_str())]).await.status, 422);

    // The password: the current one is needed, the new one must be strong.
    b.get("/settings/profile").await;
    let r = b
        .post(
            "/settings/password",
            &[("current", "wrong"), ("new", "a brand new passphrase")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("The current password is wrong"));
    let r = b
        .post("/settings/password", &[("current", PASSWORD), ("new", "password")])
        .await;
    assert_eq!(r.status, 422);
    let r = b
        .post(
            "/settings/password",
            &[("current", PASSWORD), ("new", "a brand new passphrase")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("your other browsers were signed out"));
    assert!(signed_in(&b.get("/").await.text()), "this browser stays signed in");
    assert!(!signed_in(&other.get("/").await.text()), "the other one is signed out");
    let mut fresh = Browser::new(&app);
    fresh.get("/auth/sign_in").await;
    let r = fresh
        .post("/auth/sign_in", &[("login", "ada"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 422, "the old password no longer works");
    fresh.get("/auth/sign_in").await;
    let r = fresh
        .post(
            "/auth/sign_in",
            &[("login", "ada"), ("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(r.status, 303);
}

#[tokio::test]
async fn members_see_and_revoke_the_apps_they_authorised() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let reg = app
        .api(
            "POST",
            "/api/v1/apps",
            None,
            Some(serde_json::json!({"client_name": "Tusky", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write", "website": "https://tusky.app"})),
        )
        .await
        .json();
    let row = staffroom::storage::oauth::find_app(&app.state.db, reg["client_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let token = staffroom::api::oauth::issue_token(&app.state, Some(row.id), Some(ada.user.id), "read write:media")
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b = Browser::new(&app);
    b.sign_in("ada").await;
    let html = b.get("/settings/apps").await.text();
    assert!(html.contains("Tusky") && html.contains("https://tusky.app"), "{html}");
    assert!(html.contains("see everything in your account") && html.contains("change your pictures and files"));
    let verify = |t: String| {
        let app = &app;
        async move {
            app.api("GET", "/api/v1/accounts/verify_credentials", Some(&t), None)
                .await
                .status
        }
    };
    assert_eq!(verify(token.clone()).await, 200);
    let r = b.post(&format!("/settings/apps/{}/revoke", row.id), &[]).await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, "/settings/apps"));
    assert_eq!(verify(token).await, 401, "the app's token stops working at once");
    assert!(
        b.get("/settings/apps")
            .await
            .text()
            .contains("No app may use your account")
    );
    assert_eq!(
        b.post(&format!("/settings/apps/{}/revoke", row.id), &[]).await.status,
        404
    );
}
