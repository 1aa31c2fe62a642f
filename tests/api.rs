//! The Mastodon client API's contract, in process, on a fresh database of either engine.

mod common;

use common::TestApp;
use serde_json::{Value, json};
use staffroom::services::accounts::Role;

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn oauth_authorization_code_with_pkce_and_oob() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let r = app
        .form(
            "/api/v1/apps",
            None,
            &[
                ("client_name", "Tusky"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob tusky://oauth"),
                ("scopes", "read write follow"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json();
    assert_eq!(a["name"], "Tusky");
    assert_eq!(
        a["redirect_uris"],
        json!(["urn:ietf:wg:oauth:2.0:oob", "tusky://oauth"])
    );
    assert_eq!(a["scopes"], json!(["read", "write", "follow"]));
    let (client_id, secret) = (
        a["client_id"].as_str().unwrap().to_owned(),
        a["client_secret"].as_str().unwrap().to_owned(),
    );

    // The authorization page, then sign-in with PKCE S256 and the out-of-band redirect.
    let verifier = "dBjftJeZ4CVP-mJ0OLXk5uCU6ejp8i7mGgYdyRPUrwM";
    let challenge = "5zEgpsyr5eb_D6KOK8wb4_9X2vaFqeWTL6SwsA-VW0Y";
    let page = app.get(&format!("/oauth/authorize?client_id={client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&response_type=code&scope=read+write&code_challenge={challenge}&code_challenge_method=S256")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Tusky") && page.text().contains("<form"));
    let fields = [
        ("client_id", client_id.as_str()),
        ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
        ("response_type", "code"),
        ("scope", "read write"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("username", "ada"),
    ];
    let mut wrong = fields.to_vec();
    wrong.push(("password", "not the password"));
    let r = app.form("/oauth/authorize", None, &wrong).await;
    assert_eq!(r.status, 401);
    assert!(r.text().contains("Invalid username"));
    let mut right = fields.to_vec();
    right.push(("password", "correct horse battery staple"));
    let r = app.form("/oauth/authorize", None, &right).await;
    assert_eq!(r.status, 200);
    let html = r.text();
    let code = html
        .split("<code id=\"code\">")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();

    // Without the verifier, or with a wrong one, the code is refused (and spent).
    let r = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("code", &code),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                ("code_verifier", "wrong-verifier-wrong-verifier-wrong-verifier"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");
    assert!(r.json()["error_description"].is_string());

    // Again, right: a token.
    let r = app.form("/oauth/authorize", None, &right).await;
    let code = r
        .text()
        .split("<code id=\"code\">")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();
    let r = app.api("POST", "/oauth/token", None, Some(json!({ "grant_type": "authorization_code", "client_id": client_id, "client_secret": secret, "code": code, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "code_verifier": verifier }))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["token_type"], "Bearer");
    assert_eq!(r.json()["scope"], "read write");
    let me = app
        .api("GET", "/api/v1/accounts/verify_credentials", Some(&token), None)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "ada");
    assert!(me.json()["source"]["note"].is_string());
    // A used code cannot be used again.
    let r = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("code", &code),
                ("code_verifier", verifier),
            ],
        )
        .await;
    assert_eq!(r.status, 400);

    // Revocation ends the token.
    let r = app
        .form(
            "/oauth/revoke",
            None,
            &[("client_id", &client_id), ("client_secret", &secret), ("token", &token)],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .api("GET", "/api/v1/accounts/verify_credentials", Some(&token), None)
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "The access token is invalid");
}

#[tokio::test]
async fn oauth_redirects_client_credentials_and_errors() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let a = app.api("POST", "/api/v1/apps", None, Some(json!({ "client_name": "Elk", "redirect_uris": ["https://elk.example/callback"], "scopes": "read write" }))).await.json();
    let (id, secret) = (a["client_id"].as_str().unwrap(), a["client_secret"].as_str().unwrap());
    let r = app
        .form(
            "/oauth/authorize",
            None,
            &[
                ("client_id", id),
                ("redirect_uri", "https://elk.example/callback"),
                ("response_type", "code"),
                ("scope", "read"),
                ("state", "xyz"),
                ("username", "ada@school.example"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let location = r.header("location").to_owned();
    assert!(location.starts_with("https://elk.example/callback?"));
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz"));
    assert!(query_param(&location, "code").is_some());

    // A redirect URI the app did not register, and scopes beyond the app's, are refused.
    let r = app
        .get(&format!(
            "/oauth/authorize?client_id={id}&redirect_uri=https://evil.example/&response_type=code"
        ))
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .get(&format!(
            "/oauth/authorize?client_id={id}&redirect_uri=https://elk.example/callback&scope=follow"
        ))
        .await;
    assert_eq!(r.status, 400);

    let r = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "read"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let app_token = r.json()["access_token"].as_str().unwrap().to_owned();
    let r = app
        .api("GET", "/api/v1/apps/verify_credentials", Some(&app_token), None)
        .await;
    assert_eq!(r.json()["name"], "Elk");
    let r = app
        .api("GET", "/api/v1/accounts/verify_credentials", Some(&app_token), None)
        .await;
    assert_eq!(r.status, 422, "an app token acts for no member");

    let r = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", "nope"),
            ],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let r = app
        .form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("username", "ada"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["error"].as_str()),
        (400, Some("unsupported_grant_type")),
        "no password grant unless configured"
    );
    let r = app
        .api(
            "POST",
            "/api/v1/apps",
            None,
            Some(json!({ "client_name": "x", "redirect_uris": "not a uri" })),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"].as_str().unwrap().contains("Redirect URI"));

    let meta = app.get("/.well-known/oauth-authorization-server").await.json();
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(meta["token_endpoint"], "https://staffroom.test/oauth/token");
}

#[tokio::test]
async fn scopes_are_enforced() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let read = app.token(&ada, "read").await;
    let r = app
        .api("POST", "/api/v1/statuses", Some(&read), Some(json!({ "status": "hi" })))
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"], "This action is outside the authorized scopes");
    let narrow = app.token(&ada, "write:statuses").await;
    assert_eq!(
        app.api(
            "POST",
            "/api/v1/statuses",
            Some(&narrow),
            Some(json!({ "status": "hi" }))
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.api("GET", "/api/v1/timelines/home", Some(&narrow), None)
            .await
            .status,
        403
    );
    assert_eq!(app.api("GET", "/api/v1/timelines/home", None, None).await.status, 401);
}

#[tokio::test]
async fn statuses_timelines_pagination_and_context() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let bob = app.create_user("bob", Role::Member).await;
    let (ta, tb) = (
        app.token(&ada, "read write follow").await,
        app.token(&bob, "read write follow").await,
    );

    let mut ids = Vec::new();
    for i in 0..5 {
        let r = app
            .api(
                "POST",
                "/api/v1/statuses",
                Some(&ta),
                Some(json!({ "status": format!("Post {i} #maths") })),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        ids.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let s = app
        .api("GET", &format!("/api/v1/statuses/{}", ids[0]), None, None)
        .await
        .json();
    assert_eq!(s["account"]["username"], "ada");
    assert!(
        s["account"]["avatar"]
            .as_str()
            .unwrap()
            .starts_with("https://staffroom.test/"),
        "absolute default avatar"
    );
    assert_eq!(s["filtered"], json!([]));
    assert_eq!(s["visibility"], "public");
    assert_eq!(s["tags"][0]["name"], "maths");
    let t = s["created_at"].as_str().unwrap();
    assert!(
        t.len() == 24 && t.ends_with('Z') && t.as_bytes()[19] == b'.',
        "YYYY-MM-DDTHH:MM:SS.sssZ: {t}"
    );

    // Idempotency-Key: the same post once.
    let req = |key: &str| {
        axum::http::Request::post("/api/v1/statuses")
            .header("authorization", format!("Bearer {ta}"))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(axum::body::Body::from(r#"{"status":"once"}"#))
            .unwrap()
    };
    let first = app.request(req("k1")).await.json();
    let again = app.request(req("k1")).await.json();
    assert_eq!(first["id"], again["id"]);

    // Bob follows Ada: her posts come home to him, page by page with Link headers.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/accounts/{}/follow", ada.actor.id),
            Some(&tb),
            None,
        )
        .await;
    assert_eq!(r.json()["following"], true);
    let page1 = app.api("GET", "/api/v1/timelines/home?limit=3", Some(&tb), None).await;
    let items = page1.json();
    assert_eq!(items.as_array().unwrap().len(), 3);
    assert_eq!(items[0]["id"], first["id"], "newest first");
    let link = page1.header("link").to_owned();
    assert!(link.contains("rel=\"next\"") && link.contains("rel=\"prev\""), "{link}");
    let next = link
        .split(';')
        .next()
        .unwrap()
        .trim_matches(['<', '>', ' '])
        .replace("https://staffroom.test", "");
    let page2 = app.api("GET", &next, Some(&tb), None).await.json();
    assert_eq!(page2.as_array().unwrap().len(), 3);
    assert!(
        page2[0]["id"].as_str().unwrap().parse::<i64>().unwrap()
            < items[2]["id"].as_str().unwrap().parse::<i64>().unwrap()
    );
    let since = app
        .api(
            "GET",
            &format!("/api/v1/timelines/home?min_id={}", ids[3]),
            Some(&tb),
            None,
        )
        .await
        .json();
    assert_eq!(since.as_array().unwrap().len(), 2, "{since}");
    assert_eq!(
        app.api("GET", "/api/v1/timelines/public?local=true", None, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        6
    );
    assert_eq!(
        app.api("GET", "/api/v1/timelines/tag/maths", None, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        app.api("GET", "/api/v1/timelines/home?limit=x", Some(&tb), None)
            .await
            .status,
        400
    );

    // A reply, its context, favourites and boosts, and the notifications they cause.
    let reply = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&tb),
            Some(json!({ "status": "@ada nice", "in_reply_to_id": ids[0] })),
        )
        .await
        .json();
    assert_eq!(reply["in_reply_to_id"], ids[0].as_str());
    assert_eq!(reply["mentions"][0]["acct"], "ada");
    let ctx = app
        .api("GET", &format!("/api/v1/statuses/{}/context", ids[0]), None, None)
        .await
        .json();
    assert_eq!(ctx["descendants"][0]["id"], reply["id"]);
    let ctx = app
        .api(
            "GET",
            &format!("/api/v1/statuses/{}/context", reply["id"].as_str().unwrap()),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(ctx["ancestors"][0]["id"], ids[0].as_str());
    let fav = app
        .api(
            "POST",
            &format!("/api/v1/statuses/{}/favourite", ids[0]),
            Some(&tb),
            None,
        )
        .await
        .json();
    assert_eq!(
        (fav["favourited"].as_bool(), fav["favourites_count"].as_i64()),
        (Some(true), Some(1))
    );
    let boost = app
        .api("POST", &format!("/api/v1/statuses/{}/reblog", ids[1]), Some(&tb), None)
        .await
        .json();
    assert_eq!(boost["reblogged"], true);
    let notes = app.api("GET", "/api/v1/notifications", Some(&ta), None).await.json();
    let kinds: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["reblog", "favourite", "mention", "follow"], "{notes}");
    let only = app
        .api("GET", "/api/v1/notifications?types[]=mention", Some(&ta), None)
        .await
        .json();
    assert_eq!(only.as_array().unwrap().len(), 1);
    let excl = app
        .api(
            "GET",
            "/api/v1/notifications?exclude_types[]=follow&exclude_types[]=mention",
            Some(&ta),
            None,
        )
        .await
        .json();
    assert_eq!(excl.as_array().unwrap().len(), 2);
    let nid = only[0]["id"].as_str().unwrap();
    assert_eq!(
        app.api("GET", &format!("/api/v1/notifications/{nid}"), Some(&ta), None)
            .await
            .json()["type"],
        "mention"
    );
    app.api("POST", &format!("/api/v1/notifications/{nid}/dismiss"), Some(&ta), None)
        .await;
    assert_eq!(
        app.api("GET", "/api/v1/notifications", Some(&ta), None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    app.api("POST", "/api/v1/notifications/clear", Some(&ta), None).await;
    assert_eq!(
        app.api("GET", "/api/v1/notifications", Some(&ta), None).await.json(),
        json!([])
    );

    // Edits and deletes by the author only.
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/statuses/{}", ids[0]), Some(&tb), None)
            .await
            .status,
        404
    );
    let edited = app
        .api(
            "PUT",
            &format!("/api/v1/statuses/{}", ids[1]),
            Some(&ta),
            Some(json!({ "status": "Edited" })),
        )
        .await
        .json();
    assert!(edited["content"].as_str().unwrap().contains("Edited") && edited["edited_at"].is_string());
    let gone = app
        .api("DELETE", &format!("/api/v1/statuses/{}", ids[0]), Some(&ta), None)
        .await;
    assert_eq!(gone.status, 200);
    assert_eq!(gone.json()["text"], "Post 0 #maths");
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{}", ids[0]), None, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn groups_in_apps() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let bob = app.create_user("bob", Role::Member).await;
    let (ta, tb) = (
        app.token(&ada, "read write follow").await,
        app.token(&bob, "read write follow").await,
    );
    app.create_group("maths", Some(ada.actor.id), true).await;

    let found = app
        .api(
            "GET",
            "/api/v2/search?q=@maths@staffroom.test&resolve=true",
            Some(&tb),
            None,
        )
        .await
        .json();
    let group = &found["accounts"][0];
    assert_eq!(group["group"], true);
    assert_eq!(group["locked"], true);
    let gid = group["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.api("GET", "/api/v1/accounts/lookup?acct=maths", None, None)
            .await
            .json()["id"],
        gid.as_str()
    );

    // Joining a members-only group is a follow request, which its owner approves in the app.
    let rel = app
        .api("POST", &format!("/api/v1/accounts/{gid}/follow"), Some(&tb), None)
        .await
        .json();
    assert_eq!(
        (rel["following"].as_bool(), rel["requested"].as_bool()),
        (Some(false), Some(true))
    );
    let rel = app
        .api(
            "GET",
            &format!("/api/v1/accounts/relationships?id[]={gid}"),
            Some(&tb),
            None,
        )
        .await
        .json();
    assert_eq!(rel[0]["requested"], true);
    let post = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&tb),
            Some(json!({ "status": "@maths@staffroom.test hello" })),
        )
        .await;
    // Not a member yet: the mention does not block the post, which stays out of the group.
    assert_eq!(post.status, 200, "{}", post.text());
    let id: i64 = post.json()["id"].as_str().unwrap().parse().unwrap();
    let row = staffroom::storage::posts::find_by_id(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.group_id, row.visibility.as_str()), (None, "public"));

    // The owner sees the request in the app's follow-requests screen and approves it there.
    let requests = app.api("GET", "/api/v1/follow_requests", Some(&ta), None).await.json();
    assert_eq!(requests[0]["username"], "bob");
    let r = app
        .api(
            "POST",
            &format!("/api/v1/follow_requests/{}/authorize", bob.actor.id),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/accounts/relationships?id[]={gid}"),
            Some(&tb),
            None
        )
        .await
        .json()[0]["following"],
        true
    );
    assert_eq!(
        app.api("GET", "/api/v1/follow_requests", Some(&ta), None).await.json(),
        json!([])
    );
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/follow_requests/{}/authorize", bob.actor.id),
            Some(&ta),
            None
        )
        .await
        .status,
        404
    );

    // Ada posts into the group by mentioning it; bob, approved, sees it at home as a boost by the group.
    let p = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&ta),
            Some(json!({ "status": "@maths Welcome, members!" })),
        )
        .await
        .json();
    assert_eq!(p["visibility"], "private", "members-only posts show as private");
    let home = app.api("GET", "/api/v1/timelines/home", Some(&tb), None).await.json();
    assert_eq!(home[0]["account"]["group"], true);
    assert_eq!(home[0]["reblog"]["id"], p["id"]);
    assert_eq!(home[0]["reblog"]["account"]["username"], "ada");
    // Outsiders see nothing of it.
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/statuses/{}", p["id"].as_str().unwrap()),
            None,
            None
        )
        .await
        .status,
        404
    );
    let group_posts = app
        .api("GET", &format!("/api/v1/accounts/{gid}/statuses"), None, None)
        .await
        .json();
    assert_eq!(group_posts, json!([]));
    let group_posts = app
        .api("GET", &format!("/api/v1/accounts/{gid}/statuses"), Some(&tb), None)
        .await
        .json();
    assert_eq!(group_posts.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn registration_follows_the_mode() {
    for (mode, expect) in [("open", 200u16), ("approval", 200), ("invite", 403), ("closed", 403)] {
        let app = TestApp::with_config(|c| {
            c.registrations = match mode {
                "open" => staffroom::config::Registrations::Open,
                "approval" => staffroom::config::Registrations::Approval,
                "invite" => staffroom::config::Registrations::Invite,
                _ => staffroom::config::Registrations::Closed,
            }
        })
        .await;
        let a = app
            .api(
                "POST",
                "/api/v1/apps",
                None,
                Some(
                    json!({ "client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write" }),
                ),
            )
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
        let app_token = t["access_token"].as_str().unwrap();
        let r = app
            .form(
                "/api/v1/accounts",
                Some(app_token),
                &[
                    ("username", "newbie"),
                    ("email", "new@school.example"),
                    ("password", "a long enough passphrase"),
                    ("agreement", "true"),
                    ("reason", "I teach physics"),
                ],
            )
            .await;
        assert_eq!(r.status, expect, "{mode}: {}", r.text());
        if r.status == 200 {
            let token = r.json()["access_token"].as_str().unwrap().to_owned();
            let me = app
                .api("GET", "/api/v1/accounts/verify_credentials", Some(&token), None)
                .await;
            assert_eq!(
                me.status,
                if mode == "open" { 200 } else { 403 },
                "{mode}: awaiting approval"
            );
        } else {
            assert!(r.json()["error"].is_string());
        }
        let bad = app
            .form(
                "/api/v1/accounts",
                Some(app_token),
                &[
                    ("username", "x y"),
                    ("email", "e@school.example"),
                    ("password", "a long enough passphrase"),
                    ("agreement", "true"),
                    ("reason", "r"),
                ],
            )
            .await;
        assert!(bad.status == 422 || bad.status == 403, "{mode}: {}", bad.status);
    }
}

#[tokio::test]
async fn instance_unserved_endpoints_and_errors() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let t = app.token(&ada, "read write").await;
    for path in [
        "/api/v1/instance",
        "/api/v1/instance/",
        "/api/v2/instance",
        "/api/v2/instance/",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.json()["version"]
                .as_str()
                .unwrap()
                .starts_with("4.2.0 (compatible; Staffroom "),
            "{path}"
        );
    }
    let v2 = app.get("/api/v2/instance").await.json();
    assert_eq!(v2["configuration"]["statuses"]["max_characters"], 10000);
    assert_eq!(v2["contact"]["account"]["username"], "ada");
    for path in [
        "/api/v1/custom_emojis",
        "/api/v1/lists",
        "/api/v1/filters",
        "/api/v2/filters",
        "/api/v1/bookmarks",
        "/api/v1/favourites",
        "/api/v1/blocks",
        "/api/v1/mutes",
        "/api/v1/conversations",
        "/api/v1/announcements",
        "/api/v1/follow_requests",
    ] {
        let r = app.api("GET", path, Some(&t), None).await;
        assert_eq!((r.status.as_u16(), r.json()), (200, json!([])), "{path}");
    }
    // Someone else's list, or none at all, is not found.
    let r = app.api("GET", "/api/v1/timelines/list/1", Some(&t), None).await;
    assert_eq!((r.status.as_u16(), r.json()["error"].is_string()), (404, true));
    let r = app.api("GET", "/api/v1/no_such_thing", Some(&t), None).await;
    assert_eq!((r.status.as_u16(), r.json()["error"].is_string()), (404, true));
    assert_eq!(app.api("GET", "/api/v1/statuses/123", None, None).await.status, 404);
    assert_eq!(app.api("GET", "/api/v1/statuses/abc", None, None).await.status, 404);
    assert_eq!(
        app.api("GET", "/api/v1/accounts/999", None, None).await.json()["error"],
        "Record not found"
    );
    let r = app
        .request(
            axum::http::Request::post("/api/v1/statuses")
                .header("authorization", format!("Bearer {t}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{oops"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"].as_str().unwrap().starts_with("Invalid JSON"));
    let long = "x".repeat(10_001);
    let r = app
        .api("POST", "/api/v1/statuses", Some(&t), Some(json!({ "status": long })))
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&t),
            Some(json!({ "status": "pic", "media_ids": ["1"] })),
        )
        .await;
    assert_eq!(r.status, 422);
    let cors = app
        .request(
            axum::http::Request::get("/api/v1/instance")
                .header("origin", "https://elk.zone")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(cors.header("access-control-allow-origin"), "*");
    let r = app
        .form(
            "/api/v1/markers",
            Some(&t),
            &[("home[last_read_id]", "123"), ("notifications[last_read_id]", "45")],
        )
        .await;
    assert_eq!(r.json()["home"]["last_read_id"], "123");
    app.api(
        "POST",
        "/api/v1/markers",
        Some(&t),
        Some(json!({ "home": { "last_read_id": "124" } })),
    )
    .await;
    let m = app
        .api("GET", "/api/v1/markers?timeline[]=home", Some(&t), None)
        .await
        .json();
    assert_eq!(
        (m["home"]["last_read_id"].as_str(), m["home"]["version"].as_i64()),
        (Some("124"), Some(2))
    );
    assert!(m.get("notifications").is_none());
    let png = app.get("/avatars/original/missing.png").await;
    assert_eq!(png.header("content-type"), "image/png");
    let me: Value = app
        .api("GET", "/api/v1/accounts/verify_credentials", Some(&t), None)
        .await
        .json();
    assert_eq!(me["id"], ada.actor.id.to_string());
}

#[tokio::test]
async fn media_uploads_and_attachments() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let t = app.token(&ada, "read write").await;
    let upload = |bytes: Vec<u8>, ct: &'static str| {
        let (content_type, body) = common::multipart(&bytes, ct, "Three grey pixels");
        axum::http::Request::post("/api/v2/media")
            .header("authorization", format!("Bearer {t}"))
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let r = app.request(upload(common::png(), "image/png")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let m = r.json();
    assert_eq!(m["type"], "image");
    assert_eq!(m["description"], "Three grey pixels");
    assert_eq!(m["meta"]["original"]["width"], 3);
    assert_eq!(m["meta"]["original"]["height"], 2);
    let url = m["url"].as_str().unwrap().to_owned();
    let file = app.get(&url.replace("https://staffroom.test", "")).await;
    assert_eq!((file.status.as_u16(), file.header("content-type")), (200, "image/png"));
    assert_eq!(file.body, common::png());

    // The type is read from the content, not the name or the declared type.
    let r = app
        .request(upload(b"<html>not an image</html>".to_vec(), "image/png"))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"].as_str().unwrap().contains("not supported"));
    let r = app.request(upload(vec![0u8; 11 * 1024 * 1024], "image/png")).await;
    assert!(r.status == 422 || r.status == 413, "too large: {}", r.status);

    let id = m["id"].as_str().unwrap();
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/media/{id}"),
            Some(&t),
            Some(json!({ "description": "Grey" })),
        )
        .await;
    assert_eq!(r.json()["description"], "Grey");
    let s = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&t),
            Some(json!({ "status": "A picture", "media_ids": [id] })),
        )
        .await;
    assert_eq!(s.status, 200, "{}", s.text());
    let s = s.json();
    assert_eq!(s["media_attachments"][0]["id"], id);
    assert_eq!(s["media_attachments"][0]["description"], "Grey");
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&t),
            Some(json!({ "status": "again", "media_ids": [id] })),
        )
        .await;
    assert_eq!(r.status, 422, "media attach to one post only");
    let note = app
        .get_accept(
            &format!("/posts/{}", s["id"].as_str().unwrap()),
            "application/activity+json",
        )
        .await
        .json();
    assert_eq!(note["attachment"][0]["type"], "Image");
    // The upload's own link is signed for its owner until it is posted; the post's file is public.
    assert_eq!(note["attachment"][0]["url"], url.split('?').next().unwrap());
    assert_eq!(s["media_attachments"][0]["url"], url.split('?').next().unwrap());
    assert_eq!(note["attachment"][0]["name"], "Grey");
    assert_eq!(app.get("/media/..%2Fsecret.png").await.status, 404);
}

#[tokio::test]
async fn profiles_bookmarks_reactions_and_history() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let bob = app.create_user("bob", Role::Member).await;
    let (ta, tb) = (
        app.token(&ada, "read write follow").await,
        app.token(&bob, "read write follow").await,
    );

    let me = app
        .api(
            "PATCH",
            "/api/v1/accounts/update_credentials",
            Some(&ta),
            Some(json!({ "display_name": "Ada L.", "note": "Maths <b>teacher</b>", "locked": "true" })),
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.text());
    let me = me.json();
    assert_eq!(
        (me["display_name"].as_str(), me["locked"].as_bool()),
        (Some("Ada L."), Some(true))
    );
    assert_eq!(me["note"], "<p>Maths &lt;b&gt;teacher&lt;/b&gt;</p>");
    assert_eq!(me["source"]["note"], "Maths <b>teacher</b>");
    let (ct, body) = multipart_field("avatar", &common::png());
    let r = app
        .request(
            axum::http::Request::patch("/api/v1/accounts/update_credentials")
                .header("authorization", format!("Bearer {ta}"))
                .header("content-type", ct)
                .body(axum::body::Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let avatar = r.json()["avatar"].as_str().unwrap().to_owned();
    assert!(avatar.starts_with("https://staffroom.test/media/") && avatar.ends_with(".png"));
    let actor = app.get_accept("/users/ada", "application/activity+json").await.json();
    assert_eq!(actor["icon"]["url"], avatar.as_str());
    assert_eq!(actor["manuallyApprovesFollowers"], true);
    let r = app
        .api(
            "PATCH",
            "/api/v1/accounts/update_credentials",
            Some(&ta),
            Some(json!({ "display_name": "x".repeat(101) })),
        )
        .await;
    assert_eq!(r.status, 422);

    let found = app
        .api("GET", "/api/v1/accounts/search?q=ad", Some(&tb), None)
        .await
        .json();
    assert_eq!(found[0]["username"], "ada");

    let s = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&ta),
            Some(json!({ "status": "First version" })),
        )
        .await
        .json();
    let id = s["id"].as_str().unwrap();
    app.api(
        "PUT",
        &format!("/api/v1/statuses/{id}"),
        Some(&ta),
        Some(json!({ "status": "Second version" })),
    )
    .await;
    let history = app
        .api("GET", &format!("/api/v1/statuses/{id}/history"), None, None)
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert!(history[0]["content"].as_str().unwrap().contains("First version"));
    assert!(history[1]["content"].as_str().unwrap().contains("Second version"));

    app.api("POST", &format!("/api/v1/statuses/{id}/favourite"), Some(&tb), None)
        .await;
    app.api("POST", &format!("/api/v1/statuses/{id}/reblog"), Some(&tb), None)
        .await;
    let b = app
        .api("POST", &format!("/api/v1/statuses/{id}/bookmark"), Some(&tb), None)
        .await
        .json();
    assert_eq!(b["bookmarked"], true);
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{id}/favourited_by"), None, None)
            .await
            .json()[0]["username"],
        "bob"
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{id}/reblogged_by"), None, None)
            .await
            .json()[0]["username"],
        "bob"
    );
    assert_eq!(
        app.api("GET", "/api/v1/bookmarks", Some(&tb), None).await.json()[0]["id"],
        id
    );
    assert_eq!(
        app.api("GET", "/api/v1/favourites", Some(&tb), None).await.json()[0]["id"],
        id
    );
    app.api("POST", &format!("/api/v1/statuses/{id}/unbookmark"), Some(&tb), None)
        .await;
    assert_eq!(
        app.api("GET", "/api/v1/bookmarks", Some(&tb), None).await.json(),
        json!([])
    );
    assert_eq!(
        app.api("GET", "/api/v1/bookmarks", Some(&ta), None).await.json(),
        json!([]),
        "bookmarks are private"
    );
}

fn multipart_field(name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "staffroomboundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_tag_timeline_matches_the_tag_exactly() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let t = app.token(&ada, "read write").await;
    for text in ["About #a1b", "About #a_b", "About #ab"] {
        assert_eq!(
            app.api("POST", "/api/v1/statuses", Some(&t), Some(json!({ "status": text })))
                .await
                .status,
            200
        );
    }
    let page = app.get("/api/v1/timelines/tag/a_b").await.json();
    let texts: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("a_b"));
}

#[tokio::test]
async fn an_idempotency_key_makes_one_post_even_when_sent_at_once() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write").await;
    let req = || {
        axum::http::Request::post("/api/v1/statuses")
            .header("authorization", format!("Bearer {ta}"))
            .header("content-type", "application/json")
            .header("idempotency-key", "k2")
            .body(axum::body::Body::from(r#"{"status":"once, really"}"#))
            .unwrap()
    };
    let answers = futures::future::join_all((0..5).map(|_| app.request(req()))).await;
    let distinct: std::collections::HashSet<String> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(distinct.len(), 1, "{distinct:?}");
    let mine = app
        .api(
            "GET",
            &format!("/api/v1/accounts/{}/statuses", ada.actor.id),
            Some(&ta),
            None,
        )
        .await
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 1, "one post: {mine}");
}

/// `statuses_count` and `last_status_at` come from counters kept by triggers: they follow posts
/// written, posts filed under a group, and deletions, on both engines.
#[tokio::test]
async fn account_counters_follow_posts_and_deletions() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let token = app.token(&ada, "read write").await;
    let group = app.create_group("maths", Some(ada.actor.id), false).await;
    let count = |id: i64| {
        let (app, token) = (&app, &token);
        async move {
            let r = app
                .api("GET", &format!("/api/v1/accounts/{id}"), Some(token), None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            (
                r.json()["statuses_count"].as_i64().unwrap(),
                r.json()["last_status_at"].clone(),
            )
        }
    };
    assert_eq!(count(ada.actor.id).await, (0, Value::Null));
    let mut ids = Vec::new();
    for text in ["one", "two", "@maths three"] {
        let r = app
            .api(
                "POST",
                "/api/v1/statuses",
                Some(&token),
                Some(json!({ "status": text })),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        ids.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let (n, last) = count(ada.actor.id).await;
    assert_eq!(n, 3);
    assert!(last.is_string(), "last_status_at is set: {last}");
    assert_eq!(count(group.id).await.0, 1, "the group counts the post filed under it");
    for id in [&ids[0], &ids[2]] {
        let r = app
            .api("DELETE", &format!("/api/v1/statuses/{id}"), Some(&token), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(count(ada.actor.id).await.0, 1);
    assert_eq!(count(group.id).await.0, 0);
}

/// Every form Mastodon takes may come as multipart (masto.js signs up and megalodon edits media
/// this way): text fields are read as the form; a file where none belongs is refused.
#[tokio::test]
async fn multipart_forms_are_read_like_any_form() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write").await;
    let boundary = "staffroomboundary";
    let body = |fields: &[(&str, &str)], file: bool| {
        let mut b = String::new();
        for (k, v) in fields {
            b.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        if file {
            b.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n"
            ));
        }
        b.push_str(&format!("--{boundary}--\r\n"));
        b
    };
    let post = |b: String| {
        let app = &app;
        let ta = &ta;
        async move {
            app.request(
                axum::http::Request::post("/api/v1/statuses")
                    .header("authorization", format!("Bearer {ta}"))
                    .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                    .body(axum::body::Body::from(b))
                    .unwrap(),
            )
            .await
        }
    };
    let r = post(body(
        &[
            ("status", "Sent as multipart"),
            ("visibility", "unlisted"),
            ("sensitive", "true"),
        ],
        false,
    ))
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.json();
    assert_eq!((&s["visibility"], &s["sensitive"]), (&json!("unlisted"), &json!(true)));
    let r = post(body(&[("status", "with a stray file")], true)).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("/api/v2/media"));
}

/// What the secretariat writes in the configuration reaches apps: rules, languages, the longer
/// description, the privacy policy (a default one otherwise) and terms (404 when there are
/// none); and a member's unread notifications are counted from their marker.
#[tokio::test]
async fn instance_texts_and_unread_notifications() {
    let app = TestApp::with_config(|c| {
        c.node.rules = vec!["Be kind to colleagues.".into(), "No advertising.".into()];
        c.node.languages = vec!["fr".into(), "en".into()];
        c.node.extended_description = "First paragraph.\n\nSecond & last.".into();
        c.node.contact_email = "office@school.example".into();
    })
    .await;
    let rules = app.get("/api/v1/instance/rules").await.json();
    assert_eq!(
        rules,
        json!([{ "id": "1", "text": "Be kind to colleagues.", "hint": "" }, { "id": "2", "text": "No advertising.", "hint": "" }])
    );
    assert_eq!(app.get("/api/v2/instance").await.json()["rules"], rules);
    assert_eq!(
        app.get("/api/v2/instance").await.json()["languages"],
        json!(["fr", "en"])
    );
    let langs = app.get("/api/v1/instance/languages").await.json();
    assert_eq!(langs[0], json!({ "code": "fr", "name": "French" }));
    assert!(langs.as_array().unwrap().len() > 40);
    let ext = app.get("/api/v1/instance/extended_description").await.json();
    assert_eq!(ext["content"], "<p>First paragraph.</p><p>Second &amp; last.</p>");
    let privacy = app.get("/api/v1/instance/privacy_policy").await.json();
    assert!(
        privacy["content"].as_str().unwrap().contains("office@school.example"),
        "{privacy}"
    );
    assert_eq!(app.get("/api/v1/instance/terms_of_service").await.status, 404);

    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write").await;
    let bob = app.create_user("bob", Role::Member).await;
    let tb = app.token(&bob, "read write").await;
    let mut last = String::new();
    for n in 0..3 {
        let r = app
            .api(
                "POST",
                "/api/v1/statuses",
                Some(&tb),
                Some(json!({ "status": format!("@ada note {n}") })),
            )
            .await;
        assert_eq!(r.status, 200);
        if n == 0 {
            let notes = app.api("GET", "/api/v1/notifications", Some(&ta), None).await.json();
            last = notes[0]["id"].as_str().unwrap().to_owned();
        }
    }
    let count = |q: &'static str| {
        let (app, ta) = (&app, &ta);
        async move {
            app.api("GET", &format!("/api/v1/notifications/unread_count{q}"), Some(ta), None)
                .await
                .json()["count"]
                .clone()
        }
    };
    assert_eq!(count("").await, 3);
    assert_eq!(count("?limit=2").await, 2);
    let r = app
        .api(
            "POST",
            "/api/v1/markers",
            Some(&ta),
            Some(json!({ "notifications": { "last_read_id": last } })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(count("").await, 2);
}

/// Page two of a filtered list answers the same question: its `Link` keeps the query's
/// parameters (here a mentions-only list of notifications, among favourites).
#[tokio::test]
async fn link_headers_keep_the_query() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write").await;
    let bob = app.create_user("bob", Role::Member).await;
    let tb = app.token(&bob, "read write").await;
    let mine = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&ta),
            Some(json!({ "status": "ada's" })),
        )
        .await
        .json();
    for n in 0..3 {
        app.api(
            "POST",
            "/api/v1/statuses",
            Some(&tb),
            Some(json!({ "status": format!("@ada mention {n}") })),
        )
        .await;
    }
    app.api(
        "POST",
        &format!("/api/v1/statuses/{}/favourite", mine["id"].as_str().unwrap()),
        Some(&tb),
        None,
    )
    .await;
    let mut uri = "/api/v1/notifications?types[]=mention&limit=1".to_owned();
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let r = app.api("GET", &uri, Some(&ta), None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        kinds.extend(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["type"].as_str().unwrap().to_owned()),
        );
        let link = r.header("link").to_owned();
        let next = link
            .split(", ")
            .find(|p| p.ends_with("rel=\"next\""))
            .unwrap_or_else(|| panic!("no next in {link}"));
        let url = next.trim_start_matches('<').split('>').next().unwrap();
        assert!(
            url.contains("types%5B%5D=mention") || url.contains("types[]=mention"),
            "{url}"
        );
        uri = url.trim_start_matches("https://staffroom.test").to_owned();
    }
    assert_eq!(kinds, ["mention", "mention", "mention"]);
}
