//! Migrations on an empty database, and again on a migrated one.

mod common;

use staffroom::storage::Db;
use staffroom::with_db;

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    let db = Db::connect(&url, 2).await.unwrap();
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    for table in ["actors", "users", "follows"] {
        let n: i64 = with_db!(&db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(p).await.unwrap());
        assert_eq!(n, 0, "{table} exists and is empty");
    }
    let applied: i64 = with_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(p).await.unwrap());
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(applied as usize, files);
}

#[tokio::test]
async fn both_engines_have_the_same_migrations() {
    let names = |engine: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{engine}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("wal.db").display()), 2)
        .await
        .unwrap();
    let Db::Sqlite(pool, ..) = &db else { unreachable!() };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
    assert_eq!(fk, 1);
    let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(pool).await.unwrap();
    assert_eq!(timeout, 5000);
}
