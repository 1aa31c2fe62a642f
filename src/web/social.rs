//! The member's notifications, and following people from their profile.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_templates::fluent_bundle::FluentValue;

use super::feed::{Back, Older, PAGE};
use super::pages::{self, Chrome, NotificationItem, NotificationsPage};
use super::{CsrfForm, Ctx, WebError, local_target};
use crate::api::Q;
use crate::app::AppState;
use crate::services::social::{self, SocialError};
use crate::storage::actors::{self, KIND_APPLICATION};
use crate::storage::notifications;

/// `GET /notifications`: what happened to the member, newest first, as the API would list it
/// (posts they may no longer see are left out).
pub async fn list(State(state): State<AppState>, ctx: Ctx, Q(q): Q<Older>) -> Result<Response, WebError> {
    let me = ctx.member()?.actor.clone();
    let rows = notifications::page(&state.db, me.id, q.page().max_id()?, None, PAGE, &[], &[]).await?;
    let last_row = rows.last().map(|n| n.id);
    let found = crate::api::entities::notifications(&state, &rows, &me).await?;
    let items = found
        .iter()
        .map(|(_, n)| {
            let who = if n.account.display_name.is_empty() {
                n.account.username.clone()
            } else {
                n.account.display_name.clone()
            };
            let key = format!("notification-{}", n.kind.replace('.', "-"));
            let args = [("name", FluentValue::from(who))];
            let text = ctx
                .tr
                .try_with(&key, &args)
                .unwrap_or_else(|| ctx.tr.with("notification-other", &args));
            NotificationItem {
                text,
                account_link: pages::account_link(&n.account),
                when: chrono::DateTime::parse_from_rfc3339(&n.created_at)
                    .map(|t| ctx.tr.datetime(t.with_timezone(&chrono::Utc)))
                    .unwrap_or_default(),
                post: n
                    .status
                    .as_ref()
                    .map(|s| pages::post_card(&ctx.tr, s, Some(me.username.as_str()))),
            }
        })
        .collect();
    // The next page starts below the last row read, even when that row was left out.
    let older = (rows.len() as i64 >= PAGE)
        .then(|| last_row.map(|l| format!("/notifications?max_id={l}")))
        .flatten();
    Ok(pages::render(
        StatusCode::OK,
        &NotificationsPage {
            c: Chrome::new(&ctx),
            items,
            older,
        },
    ))
}

/// `POST /web/accounts/{id}/{follow|unfollow}`: from a person's profile.
pub async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<Back>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let target = actors::find_by_id(&state.db, id)
        .await?
        .filter(|a| !a.is_suspended() && a.kind != KIND_APPLICATION)
        .ok_or(WebError::NotFound)?;
    let done = match action.as_str() {
        "follow" => social::follow(&state, &me.actor, &target).await.map(|_| ()),
        "unfollow" => social::unfollow(&state, &me.actor, &target).await,
        _ => return Err(WebError::NotFound),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&local_target(f.next.as_deref())).into_response()),
        Err(SocialError::Refused(m)) => Err(WebError::Forbidden(m.to_owned())),
        Err(e) => Err(WebError::Internal(anyhow::anyhow!(e))),
    }
}
