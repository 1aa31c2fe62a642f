//! Web sessions: a browser signs in with a member's password and gets a secret cookie; the
//! member lists and ends their sessions. Only the secret's SHA-256 is stored.

use chrono::{DateTime, Duration, Utc};

use crate::api::auth::{hash_secret, new_secret};
use crate::app::AppState;
use crate::services::accounts::{self, Account};
use crate::storage::web_sessions::{self, SessionRow};
use crate::storage::{self, actors, users};

/// A session unused this long ends.
pub const IDLE_DAYS: i64 = 30;
/// How often a session's "last seen" is written (not on every page).
const TOUCH_EVERY_MINUTES: i64 = 5;
/// The longest user agent kept.
const USER_AGENT_MAX: usize = 300;

/// A signed-in browser: the member and the session's row.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub row: SessionRow,
    /// The cookie's secret (for deriving the session's CSRF token).
    pub secret: String,
}

/// Starts a session for a member who proved their password; returns the cookie's secret.
pub async fn start(state: &AppState, account: &Account, user_agent: &str, ip: &str) -> anyhow::Result<String> {
    let secret = new_secret();
    let now = storage::now();
    let row = SessionRow {
        id: crate::ids::new_id(),
        user_id: account.user.id,
        user_agent: user_agent.chars().take(USER_AGENT_MAX).collect(),
        ip: ip.to_owned(),
        created_at: now,
        last_seen_at: now,
        locale: None,
    };
    web_sessions::insert(&state.db, &hash_secret(&secret), &row).await?;
    // Now and then, forget sessions nobody used for a long time.
    if rand::random::<u8>() == 0 {
        prune(state, now).await?;
    }
    Ok(secret)
}

/// The session a cookie names, when it is still valid and its member may sign in.
pub async fn resume(state: &AppState, secret: &str, ip: &str) -> anyhow::Result<Option<Session>> {
    if secret.is_empty() || secret.len() > 100 {
        return Ok(None);
    }
    let Some(row) = web_sessions::find(&state.db, &hash_secret(secret)).await? else {
        return Ok(None);
    };
    let now = storage::now();
    if now - row.last_seen_at > Duration::days(IDLE_DAYS) {
        web_sessions::delete(&state.db, row.user_id, row.id).await?;
        return Ok(None);
    }
    let (Some(actor), Some(user)) = (
        actors::find_by_id(&state.db, row.user_id).await?,
        users::find_by_id(&state.db, row.user_id).await?,
    ) else {
        return Ok(None);
    };
    if actor.is_suspended() || !user.approved {
        return Ok(None);
    }
    if now - row.last_seen_at > Duration::minutes(TOUCH_EVERY_MINUTES) {
        web_sessions::touch(&state.db, row.id, now, ip).await?;
    }
    Ok(Some(Session {
        account: accounts::Account { actor, user },
        row,
        secret: secret.to_owned(),
    }))
}

/// Ends one session of the member (signing out, or from the sessions page).
pub async fn end(state: &AppState, user_id: i64, id: i64) -> anyhow::Result<bool> {
    Ok(web_sessions::delete(&state.db, user_id, id).await?)
}

pub async fn list(state: &AppState, user_id: i64) -> anyhow::Result<Vec<SessionRow>> {
    Ok(web_sessions::of_user(&state.db, user_id).await?)
}

/// The apps the member authorised.
pub async fn authorized_apps(
    state: &AppState,
    user_id: i64,
) -> anyhow::Result<Vec<crate::storage::oauth::AuthorizedApp>> {
    Ok(crate::storage::oauth::authorized_apps(&state.db, user_id).await?)
}

/// Takes back everything the member gave an app: its tokens stop working at once.
pub async fn revoke_app(state: &AppState, user_id: i64, app_id: i64) -> anyhow::Result<bool> {
    Ok(crate::storage::oauth::revoke_app_for_user(&state.db, user_id, app_id, storage::now()).await? > 0)
}

/// Sessions idle for longer than [`IDLE_DAYS`] end (now and then, when a session starts).
pub async fn prune(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<u64> {
    Ok(web_sessions::delete_idle(&state.db, now - Duration::days(IDLE_DAYS)).await?)
}
