//! Group commit (`storage::batch`): writes that arrive together share one transaction, yet each
//! succeeds or fails alone, and none is acknowledged before it is committed.

mod common;

use common::TestApp;
use staffroom::storage::{self, inbox};

fn payload(i: usize) -> String {
    format!("{{\"id\":\"https://peer.test/activities/{i}\"}}")
}

#[tokio::test]
async fn concurrent_writes_commit_and_a_failing_one_is_undone_alone() {
    let app = TestApp::new().await;
    let db = app.state.db.clone();
    let writes = (0..200).map(|i| {
        let db = db.clone();
        async move {
            db.write(move |tx| {
                Box::pin(async move {
                    let id = format!("https://peer.test/activities/{i}");
                    inbox::insert(&mut *tx, &id, "https://peer.test/users/a", &payload(i), storage::now()).await?;
                    if i % 50 == 7 {
                        // Fails after writing: what it wrote must go, and only that.
                        staffroom::with_tx!(tx, c => sqlx::query("SELECT * FROM no_such_table").execute(c).await.map(|_| ()))?;
                    }
                    Ok::<usize, sqlx::Error>(i)
                })
            })
            .await
        }
    });
    let results = futures::future::join_all(writes).await;
    for (i, r) in results.iter().enumerate() {
        if i % 50 == 7 {
            assert!(r.is_err(), "write {i} fails");
        } else {
            assert_eq!(r.as_ref().ok(), Some(&i), "write {i} commits");
        }
    }
    let (pending, _, _) = inbox::counts(&app.state.db).await.unwrap();
    assert_eq!(pending, 196, "every write but the 4 failing ones is stored");
    for i in [7usize, 57, 107, 157] {
        let id = format!("https://peer.test/activities/{i}");
        let stored: i64 = staffroom::with_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM inbox_activities WHERE ap_id = $1").bind(&id).fetch_one(p).await.unwrap());
        assert_eq!(stored, 0, "write {i} was undone");
    }
}

#[tokio::test]
async fn a_write_to_an_unreachable_database_fails_as_unavailable() {
    let app = TestApp::new().await;
    app.state.db.close().await;
    let r = app
        .state
        .db
        .write(|tx| {
            Box::pin(async move {
                inbox::insert(
                    &mut *tx,
                    "https://peer.test/activities/x",
                    "https://peer.test/users/a",
                    "{}",
                    storage::now(),
                )
                .await
            })
        })
        .await;
    let e = r.expect_err("nothing can be written");
    assert!(storage::is_unavailable(&e), "{e:?}");
}
