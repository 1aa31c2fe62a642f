//! What other servers and browsers see: WebFinger, host-meta, NodeInfo, actors, collections,
//! content negotiation, health. JSON is snapshotted (the same snapshot for both engines).

mod common;

use common::TestApp;
use insta::assert_json_snapshot;
use staffroom::services::accounts::Role;
use staffroom::storage::follows;

const AP: &str = "application/activity+json";
const LD: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[tokio::test]
async fn webfinger_finds_members_by_acct_and_by_url() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let r = app.get("/.well-known/webfinger?resource=acct:ada@staffroom.test").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/jrd+json"));
    assert_eq!(r.header("access-control-allow-origin"), "*");
    assert_json_snapshot!("webfinger_person", r.json());

    for resource in [
        "acct:ADA@Staffroom.Test",
        "ada@staffroom.test",
        "@ada@staffroom.test",
        "https://staffroom.test/users/ada",
        "https://staffroom.test/@ada",
    ] {
        let uri = format!(
            "/.well-known/webfinger?resource={}",
            url::form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
        );
        let r = app.get(&uri).await;
        assert_eq!(r.status, 200, "{resource}");
        assert_eq!(
            r.json()["links"][1]["href"],
            "https://staffroom.test/users/ada",
            "{resource}"
        );
    }

    let r = app
        .get("/.well-known/webfinger?resource=acct:ada@staffroom.test&rel=self")
        .await;
    assert_eq!(r.json()["links"].as_array().unwrap().len(), 1, "rel filters links");
    assert_eq!(r.json()["links"][0]["rel"], "self");
}

#[tokio::test]
async fn webfinger_errors() {
    let app = TestApp::new().await;
    let r = app.get("/.well-known/webfinger").await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("resource"));
    assert_eq!(app.get("/.well-known/webfinger?resource=").await.status, 400);
    assert_eq!(
        app.get("/.well-known/webfinger?resource=acct:nobody@staffroom.test")
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/.well-known/webfinger?resource=acct:ada@elsewhere.example")
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/.well-known/webfinger?resource=https://elsewhere.example/users/ada")
            .await
            .status,
        404
    );
    assert_eq!(app.get("/.well-known/webfinger?resource=acct:ada").await.status, 404);
}

#[tokio::test]
async fn webfinger_for_the_domain_gives_the_application_actor() {
    let app = TestApp::new().await;
    for resource in [
        "acct:staffroom.test@staffroom.test",
        "https://staffroom.test/",
        "https://staffroom.test/actor",
    ] {
        let r = app.get(&format!("/.well-known/webfinger?resource={resource}")).await;
        assert_eq!(r.status, 200, "{resource}");
        let j = r.json();
        assert_eq!(
            j["links"].as_array().unwrap().last().unwrap()["href"],
            "https://staffroom.test/actor"
        );
        assert_eq!(
            j["properties"]["https://www.w3.org/ns/activitystreams#type"],
            "Application"
        );
    }
    let r = app.get_accept("/actor", AP).await;
    assert_eq!(r.status, 200);
    assert_json_snapshot!("application_actor", r.json(), {
        ".publicKey.publicKeyPem" => "[pem]", ".assertionMethod[].publicKeyMultibase" => "[multibase]", ".published" => "[time]"
    });
}

#[tokio::test]
async fn host_meta_in_xml_and_json() {
    let app = TestApp::new().await;
    let r = app.get("/.well-known/host-meta").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/xrd+xml"));
    insta::assert_snapshot!("host_meta_xrd", r.text());
    let r = app.get("/.well-known/host-meta.json").await;
    assert_json_snapshot!("host_meta_json", r.json());
    let r = app.get_accept("/.well-known/host-meta", "application/json").await;
    assert_eq!(r.json()["links"][0]["rel"], "lrdd");
}

#[tokio::test]
async fn nodeinfo_links_and_documents() {
    let app = TestApp::with_config(|c| c.node.name = "Teachers of Europe".into()).await;
    app.create_user("ada", Role::Admin).await;
    app.create_user("bob", Role::Member).await;
    let r = app.get("/.well-known/nodeinfo").await;
    assert_eq!(r.status, 200);
    assert_json_snapshot!("nodeinfo_links", r.json());
    let r = app.get("/nodeinfo/2.0").await;
    assert_eq!(
        r.header("content-type"),
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\""
    );
    assert_json_snapshot!("nodeinfo_20", r.json(), { ".software.version" => "[version]", ".metadata.mastodonApiVersion" => "[version]" });
    let j = app.get("/nodeinfo/2.1").await.json();
    assert_eq!(j["software"]["version"], env!("CARGO_PKG_VERSION"));
    assert_json_snapshot!("nodeinfo_21", j, { ".software.version" => "[version]", ".metadata.mastodonApiVersion" => "[version]" });
}

#[tokio::test]
async fn open_registrations_show_in_nodeinfo() {
    let app = TestApp::with_config(|c| c.registrations = staffroom::config::Registrations::Open).await;
    assert_eq!(app.get("/nodeinfo/2.1").await.json()["openRegistrations"], true);
}

#[tokio::test]
async fn person_actor_json() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    sqlx_set_profile(&app).await;
    for accept in [AP, LD, "application/json"] {
        let r = app.get_accept("/users/ada", accept).await;
        assert_eq!(r.status, 200, "{accept}");
        assert!(
            r.header("content-type").starts_with("application/activity+json"),
            "{accept}"
        );
        assert_eq!(r.header("vary"), "Accept");
    }
    let j = app.get_accept("/users/ada", AP).await.json();
    assert_json_snapshot!("person_actor", j, {
        ".publicKey.publicKeyPem" => "[pem]", ".assertionMethod[].publicKeyMultibase" => "[multibase]", ".published" => "[time]", ".updated" => "[time]"
    });
    assert!(
        j["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    // `/@name` serves the same actor to ActivityPub clients.
    assert_eq!(app.get_accept("/@ada", AP).await.json()["id"], j["id"]);
}

/// A display name, bio and avatar, set the way the profile API will set them.
async fn sqlx_set_profile(app: &TestApp) {
    staffroom::with_db!(&app.state.db, p => sqlx::query(
        "UPDATE actors SET display_name = 'Ada Lovelace', summary_html = '<p>Maths &amp; computing</p>', \
         avatar_url = 'https://staffroom.test/media/ada.png' WHERE username = 'ada'")
        .execute(p).await.map(|_| ()).unwrap());
}

#[tokio::test]
async fn browsers_get_html_profiles() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    let r = app.get_accept("/users/ada", BROWSER).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), "https://staffroom.test/@ada");
    let r = app.get_accept("/@ada", BROWSER).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/html"));
    let html = r.text();
    assert!(html.contains("@ada@staffroom.test"));
    assert!(html.contains(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"https://staffroom.test/users/ada\">"
    ));
    // No Accept at all: the profile URL is a page, the actor URL is JSON.
    assert!(app.get("/@ada").await.header("content-type").starts_with("text/html"));
    assert!(
        app.get("/users/ada")
            .await
            .header("content-type")
            .starts_with("application/activity+json")
    );
    assert_eq!(app.get_accept("/@nobody", BROWSER).await.status, 404);
    assert_eq!(
        app.get_accept("/nobody", BROWSER).await.status,
        404,
        "a segment without @ is no profile"
    );
}

#[tokio::test]
async fn html_escapes_what_members_typed() {
    let app = TestApp::new().await;
    app.create_user("ada", Role::Member).await;
    staffroom::with_db!(&app.state.db, p => sqlx::query(
        "UPDATE actors SET display_name = '<script>alert(1)</script>' WHERE username = 'ada'").execute(p).await.map(|_| ()).unwrap());
    let html = app.get_accept("/@ada", BROWSER).await.text();
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
        "the name is shown, escaped"
    );
}

#[tokio::test]
async fn collections_are_paged() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let mut followers = Vec::new();
    for i in 0..23 {
        let f = app.create_user(&format!("f{i}"), Role::Member).await;
        follows::insert(&app.state.db, f.actor.id, ada.actor.id, None, true)
            .await
            .unwrap();
        followers.push(f);
    }
    // A pending follow is not a follower.
    let pending = app.create_user("pending", Role::Member).await;
    follows::insert(&app.state.db, pending.actor.id, ada.actor.id, None, false)
        .await
        .unwrap();

    let c = app.get_accept("/users/ada/followers", AP).await.json();
    assert_json_snapshot!("followers_collection", c);
    let p1 = app.get_accept("/users/ada/followers?page=1", AP).await.json();
    assert_eq!(p1["type"], "OrderedCollectionPage");
    assert_eq!(p1["orderedItems"].as_array().unwrap().len(), 20);
    assert_eq!(
        p1["orderedItems"][0], "https://staffroom.test/users/f22",
        "newest first"
    );
    assert_eq!(p1["next"], "https://staffroom.test/users/ada/followers?page=2");
    let p2 = app.get_accept("/users/ada/followers?page=2", AP).await.json();
    assert_eq!(p2["orderedItems"].as_array().unwrap().len(), 3);
    assert!(p2.get("next").is_none());
    assert_eq!(p2["prev"], "https://staffroom.test/users/ada/followers?page=1");
    assert_eq!(app.get_accept("/users/ada/followers?page=3", AP).await.status, 404);
    assert_eq!(app.get_accept("/users/ada/followers?page=x", AP).await.status, 400);

    let following = app.get_accept("/users/f0/following?page=1", AP).await.json();
    assert_eq!(
        following["orderedItems"],
        serde_json::json!(["https://staffroom.test/users/ada"])
    );
    let outbox = app.get_accept("/users/ada/outbox", AP).await.json();
    assert_json_snapshot!("outbox_collection", outbox);
    assert_eq!(app.get_accept("/users/nobody/outbox", AP).await.status, 404);
}

#[tokio::test]
async fn health_readiness_and_unknown_paths() {
    let app = TestApp::new().await;
    let r = app.get("/health").await;
    assert_eq!((r.status.as_u16(), r.json()["status"].clone()), (200, "ok".into()));
    assert!(
        !r.header("x-request-id").is_empty(),
        "every response carries a request id"
    );
    let r = app.get("/ready").await;
    assert_eq!((r.status.as_u16(), r.json()["database"].clone()), (200, "ok".into()));
    let r = app.get("/no/such/path").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "Record not found");
    app.state.db.close().await;
    let r = app.get("/ready").await;
    assert_eq!(r.status, 503, "not ready without a database");
    assert_eq!(app.get("/health").await.status, 200, "but alive");
}

#[tokio::test]
async fn the_home_page_says_what_the_node_is() {
    let app = TestApp::new().await;
    let r = app.get("/").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Staffroom") && r.text().contains("staffroom.test"));
}

/// Lemmy 0.17 reads WebFinger into types whose links must each carry `properties` (its
/// `WebfingerLink` has no default for it), and finds a group by the link whose properties say
/// `Group`: without them it answered "missing field `properties`" for every handle of ours.
#[tokio::test]
async fn webfinger_reads_as_lemmy_reads_it_for_members_and_groups() {
    #[derive(serde::Deserialize)]
    struct LemmyWebfinger {
        links: Vec<LemmyLink>,
    }
    #[derive(serde::Deserialize)]
    struct LemmyLink {
        rel: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
        href: Option<url::Url>,
        properties: std::collections::HashMap<String, String>,
    }
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    app.create_group("coffee", Some(ada.actor.id), false).await;
    for (name, kind, href) in [
        ("ada", "Person", "https://staffroom.test/users/ada"),
        ("coffee", "Group", "https://staffroom.test/groups/coffee"),
    ] {
        let r = app
            .get(&format!("/.well-known/webfinger?resource=acct:{name}@staffroom.test"))
            .await;
        assert_eq!(r.status, 200);
        let wf: LemmyWebfinger = serde_json::from_str(&r.text()).expect("Lemmy 0.17 reads it");
        let link = wf
            .links
            .iter()
            .find(|l| {
                l.rel.as_deref() == Some("self")
                    && l.properties
                        .get("https://www.w3.org/ns/activitystreams#type")
                        .map(String::as_str)
                        == Some(kind)
            })
            .unwrap_or_else(|| panic!("{name}: a self link typed {kind}"));
        assert_eq!(link.href.as_ref().map(url::Url::as_str), Some(href));
        assert_eq!(link.kind.as_deref(), Some(AP));
    }
}
