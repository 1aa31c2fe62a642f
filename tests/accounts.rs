//! Account rules on a real database: names, emails, passwords, duplicates, roles, suspension.

mod common;

use common::TestApp;
use staffroom::services::accounts::{self, AccountError, NewAccount, Role};

fn new(name: &str, email: &str, password: &str) -> NewAccount {
    NewAccount {
        username: name.into(),
        email: email.into(),
        password: password.into(),
        role: Role::Member,
        display_name: "Ada".into(),
        bio: "Maths teacher.\nTallinn".into(),
        approved: true,
    }
}

const GOOD: &str = "correct horse battery staple";

#[tokio::test]
async fn creating_a_member_stores_actor_user_and_keys() {
    let app = TestApp::new().await;
    let a = accounts::create(&app.state, new("ada_l", "ada@school.example", GOOD))
        .await
        .unwrap();
    assert_eq!(a.actor.ap_id, "https://staffroom.test/users/ada_l");
    assert_eq!(a.actor.key_id, "https://staffroom.test/users/ada_l#main-key");
    assert!(a.actor.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(a.user.password_hash.starts_with("$argon2id$"), "argon2id hash");
    assert_eq!(a.actor.summary_html, "<p>Maths teacher.<br>Tallinn</p>");
    assert!(accounts::verify_password(GOOD, &a.user.password_hash).await);
    assert!(!accounts::verify_password("wrong password!", &a.user.password_hash).await);

    let found = accounts::find(&app.state, "ADA_L").await.unwrap();
    assert_eq!(
        found.actor, a.actor,
        "lookups ignore case and read back what was written"
    );
    assert_eq!(found.user, a.user);
}

#[tokio::test]
async fn duplicates_are_refused_ignoring_case() {
    let app = TestApp::new().await;
    accounts::create(&app.state, new("ada", "ada@school.example", GOOD))
        .await
        .unwrap();
    let e = accounts::create(&app.state, new("ADA", "other@school.example", GOOD))
        .await
        .unwrap_err();
    assert!(matches!(e, AccountError::UsernameTaken(_)), "{e}");
    let e = accounts::create(&app.state, new("bob", "Ada@School.Example", GOOD))
        .await
        .unwrap_err();
    assert!(matches!(e, AccountError::EmailTaken(_)), "{e}");
}

#[tokio::test]
async fn invalid_names_emails_and_weak_passwords_are_refused() {
    let app = TestApp::new().await;
    for name in ["", "a b", "ada!", "élodie", "x".repeat(31).as_str(), "ada.l"] {
        let e = accounts::create(&app.state, new(name, "a@school.example", GOOD))
            .await
            .unwrap_err();
        assert!(matches!(e, AccountError::InvalidUsername(_)), "{name:?}: {e}");
    }
    for name in ["reception", "Coffeeshop", "actor", "inbox"] {
        let e = accounts::create(&app.state, new(name, "a@school.example", GOOD))
            .await
            .unwrap_err();
        assert!(matches!(e, AccountError::ReservedUsername(_)), "{name:?}: {e}");
    }
    for email in [
        "",
        "ada",
        "ada@",
        "@school.example",
        "ada@school",
        "a b@school.example",
        "ada@-x.org",
    ] {
        let e = accounts::create(&app.state, new("ada", email, GOOD)).await.unwrap_err();
        assert!(matches!(e, AccountError::InvalidEmail(_)), "{email:?}: {e}");
    }
    for password in [
        "short",
        "password123",
        "aaaaaaaaaaaa",
        "my-ada-password",
        "x".repeat(129).as_str(),
    ] {
        let e = accounts::create(&app.state, new("ada", "teacher@school.example", password))
            .await
            .unwrap_err();
        assert!(matches!(e, AccountError::WeakPassword(_)), "{password:?}: {e}");
    }
    assert!(app.state.db.ping().await.is_ok());
    assert!(accounts::find(&app.state, "ada").await.is_err(), "nothing was stored");
}

#[tokio::test]
async fn roles_and_suspension() {
    let app = TestApp::new().await;
    app.create_user("secretary", Role::Admin).await;
    app.create_user("ada", Role::Member).await;

    let e = accounts::set_role(&app.state, "secretary", Role::Member)
        .await
        .unwrap_err();
    assert!(
        matches!(e, AccountError::LastAdmin(_)),
        "the last admin cannot step down: {e}"
    );
    let e = accounts::set_suspended(&app.state, "secretary", true)
        .await
        .unwrap_err();
    assert!(
        matches!(e, AccountError::LastAdmin(_)),
        "the last admin cannot be suspended: {e}"
    );

    let ada = accounts::set_role(&app.state, "ada", Role::Moderator).await.unwrap();
    assert_eq!(ada.role(), Role::Moderator);
    assert_eq!(accounts::find(&app.state, "ada").await.unwrap().role(), Role::Moderator);

    let ada = accounts::set_suspended(&app.state, "ada", true).await.unwrap();
    assert!(ada.actor.is_suspended());
    assert_eq!(app.get("/users/ada").await.status, 410);
    assert_eq!(
        app.get("/.well-known/webfinger?resource=acct:ada@staffroom.test")
            .await
            .status,
        410
    );
    let nodeinfo = app.get("/nodeinfo/2.1").await.json();
    assert_eq!(
        nodeinfo["usage"]["users"]["total"], 1,
        "suspended members are not counted"
    );

    accounts::set_suspended(&app.state, "ada", false).await.unwrap();
    assert_eq!(app.get("/users/ada").await.status, 200);

    let e = accounts::set_role(&app.state, "nobody", Role::Admin).await.unwrap_err();
    assert!(matches!(e, AccountError::NotFound(_)));
}

#[tokio::test]
async fn the_application_actor_is_created_once() {
    let app = TestApp::new().await;
    let first = staffroom::federation::actors::ensure_application_actor(&app.state)
        .await
        .unwrap();
    let second = staffroom::federation::actors::ensure_application_actor(&app.state)
        .await
        .unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.ap_id, "https://staffroom.test/actor");
}
