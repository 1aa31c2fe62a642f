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

/// Statistics kept fresh where the server does not: on PostgreSQL with autovacuum off, a table
/// that grew past autovacuum's threshold is analysed (and then not again until it changes).
#[tokio::test]
async fn maintenance_analyses_the_tables_that_changed() {
    let app = TestApp::new().await;
    for i in 0..120 {
        inbox::insert(
            &app.state.db,
            &format!("https://peer.test/activities/{i}"),
            "https://peer.test/users/a",
            "{}",
            storage::now(),
        )
        .await
        .unwrap();
    }
    let mut analysed = app.state.db.maintain().await.unwrap();
    let autovacuum_off = match &app.state.db {
        storage::Db::Postgres(p, _) => {
            sqlx::query_scalar::<_, String>("SHOW autovacuum")
                .fetch_one(p)
                .await
                .unwrap()
                == "off"
        }
        storage::Db::Sqlite(..) => false,
    };
    if autovacuum_off {
        // Backends report their changes to the statistics a moment after they commit.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !analysed.iter().any(|t| t == "inbox_activities") && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            analysed = app.state.db.maintain().await.unwrap();
        }
        // Analysed once; a second pass finds nothing left to do there.
        assert!(analysed.iter().any(|t| t == "inbox_activities"), "{analysed:?}");
        assert!(
            !app.state
                .db
                .maintain()
                .await
                .unwrap()
                .contains(&"inbox_activities".to_owned())
        );
    } else {
        assert!(analysed.is_empty(), "nothing to do: {analysed:?}");
    }
}
