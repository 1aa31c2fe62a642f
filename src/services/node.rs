//! The node itself: first-start bootstrap and the figures it publishes.

use chrono::Duration;

use crate::app::AppState;
use crate::services::accounts::new_local_actor;
use crate::storage::actors::{self, ActorRow, KIND_APPLICATION};
use crate::storage::{self, is_unique_violation, users};

/// The node's application actor (FEP-d556, FEP-2677), which signs the node's own fetches.
/// Created on first start; several processes starting at once agree on one.
pub async fn ensure_application_actor(state: &AppState) -> anyhow::Result<ActorRow> {
    if let Some(actor) = actors::find_application(&state.db).await? {
        return Ok(actor);
    }
    let urls = &state.urls;
    let mut actor = new_local_actor(urls, KIND_APPLICATION, &state.config.domain).await?;
    let ap_id = urls.application_actor();
    actor.key_id = crate::app::Urls::key_id(&ap_id);
    actor.ap_id = ap_id.to_string();
    actor.url = Some(urls.base().to_string());
    actor.inbox_url = urls.application_inbox().to_string();
    actor.outbox_url = Some(urls.application_outbox().to_string());
    actor.followers_url = None;
    actor.following_url = None;
    actor.display_name = state.config.node.name.clone();
    actor.manually_approves_followers = true;
    actor.discoverable = false;
    match actors::insert(&state.db, &actor).await {
        Ok(()) => Ok(actor),
        Err(e) if is_unique_violation(&e) => Ok(actors::find_application(&state.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("application actor vanished"))?),
        Err(e) => Err(e.into()),
    }
}

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
