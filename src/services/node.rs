//! The node itself: first-start bootstrap and the figures it publishes.

use chrono::Duration;

use crate::app::AppState;
use crate::federation::actors::ensure_application_actor;

use crate::storage::{self, users};

/// Everything the node does once before serving: the application actor and the default groups.
pub async fn bootstrap(state: &AppState) -> anyhow::Result<()> {
    ensure_application_actor(state).await?;
    crate::services::groups::bootstrap_defaults(state).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub users_total: i64,
    pub active_month: i64,
    pub active_half_year: i64,
    pub local_posts: i64,
}

pub async fn usage(state: &AppState) -> anyhow::Result<Usage> {
    let now = storage::now();
    let (users_total, active_month, active_half_year) =
        users::usage_counts(&state.db, now - Duration::days(30), now - Duration::days(180)).await?;
    let local_posts = crate::storage::posts::count_local(&state.db).await?;
    Ok(Usage {
        users_total,
        active_month,
        active_half_year,
        local_posts,
    })
}
