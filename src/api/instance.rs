//! `GET /api/v1/instance` and `/api/v2/instance`, with the limits clients need to know.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ApiResult;
use crate::app::AppState;
use crate::config::Registrations;
use crate::services::content;
use crate::services::node;
use crate::storage::users;

pub fn version() -> String {
    format!("4.2.0 (compatible; Staffroom {})", env!("CARGO_PKG_VERSION"))
}

fn configuration() -> Value {
    json!({
        "urls": { "streaming": null },
        "accounts": { "max_featured_tags": 0, "max_pinned_statuses": 0 },
                "statuses": {
            "max_characters": content::MAX_CONTENT_CHARS,
            "max_media_attachments": crate::services::media::MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
                        "supported_mime_types": crate::services::media::SUPPORTED,
            "image_size_limit": crate::services::media::MAX_IMAGE_BYTES,
            "image_matrix_limit": crate::services::media::MAX_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": crate::services::polls::MAX_OPTIONS,
            "max_characters_per_option": crate::services::polls::MAX_OPTION_CHARS,
            "min_expiration": crate::services::polls::MIN_EXPIRATION,
            "max_expiration": crate::services::polls::MAX_EXPIRATION,
        },
        "translation": { "enabled": false },
    })
}

async fn contact(state: &AppState) -> ApiResult<Value> {
    // The secretariat: the first admin.
    let admin = users::list(&state.db)
        .await?
        .into_iter()
        .find(|u| u.role == "admin" && u.suspended_at.is_none());
    let account = match admin {
        Some(u) => match crate::storage::actors::find_by_id(&state.db, u.id).await? {
            Some(a) => Some(super::entities::account(state, &a).await?),
            None => None,
        },
        None => None,
    };
    Ok(json!({ "email": state.config.node.contact_email, "account": account }))
}

/// `GET /api/v1/instance`
pub async fn v1(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let c = &state.config;
    let usage = node::usage(&state).await?;
    let contact = contact(&state).await?;
    let mut configuration = configuration();
    configuration["urls"] = json!({ "streaming_api": format!("ws{}", state.urls.base().as_str().trim_end_matches('/').trim_start_matches("http")) });
    Ok(Json(json!({
        "uri": c.domain,
        "title": c.node.name,
        "short_description": c.node.description,
        "description": c.node.description,
        "email": c.node.contact_email,
        "version": version(),
        "urls": configuration["urls"],
        "stats": { "user_count": usage.users_total, "status_count": usage.local_posts, "domain_count": 0 },
        "thumbnail": null,
        "languages": ["en"],
        "registrations": matches!(c.registrations, Registrations::Open | Registrations::Approval),
        "approval_required": c.registrations == Registrations::Approval,
        "invites_enabled": c.registrations == Registrations::Invite,
        "configuration": configuration,
        "contact_account": contact["account"],
        "rules": [],
    })))
}

/// `GET /api/v2/instance`
pub async fn v2(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let c = &state.config;
    let usage = node::usage(&state).await?;
    let mut configuration = configuration();
    configuration["urls"] = json!({ "streaming": format!("ws{}", state.urls.base().as_str().trim_end_matches('/').trim_start_matches("http")) });
    Ok(Json(json!({
        "domain": c.domain,
        "title": c.node.name,
        "version": version(),
        "source_url": "https://www.gnu.org/licenses/agpl-3.0.html",
        "description": c.node.description,
        "usage": { "users": { "active_month": usage.active_month } },
        "thumbnail": { "url": format!("{}avatars/original/missing.png", state.urls.base()) },
        "icon": [],
        "languages": ["en"],
        "configuration": configuration,
        "registrations": {
            "enabled": matches!(c.registrations, Registrations::Open | Registrations::Approval),
            "approval_required": c.registrations == Registrations::Approval,
            "message": null,
            "url": null,
        },
        "api_versions": { "mastodon": 2 },
        "contact": contact(&state).await?,
        "rules": [],
    })))
}
