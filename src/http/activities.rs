//! `/activities/{id}`: every activity this node sent dereferences, as ActivityPub asks. One
//! addressed to the public is served to anyone; any other only to a fetch signed by an actor of a
//! server it was delivered to (the followee looking up our Follow, a member's server our Create),
//! and everyone else gets 404.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::Value;

use super::actors::activity_json;
use super::error::{AppError, AppResult};
use crate::app::AppState;
use crate::federation::inbox;
use crate::federation::policy::authority;
use crate::federation::protocol::{addresses, is_public_address};
use crate::storage::deliveries;

pub async fn activity(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let ap_id = state.urls.activity(id).to_string();
    let (payload, hosts) = deliveries::sent(&state.db, &ap_id).await?.ok_or(AppError::NotFound)?;
    let activity: Value = serde_json::from_str(&payload).map_err(|e| AppError::Internal(e.into()))?;
    let public = addresses(&activity["to"])
        .iter()
        .chain(addresses(&activity["cc"]).iter())
        .any(|a| is_public_address(a));
    if !public {
        let Ok(Some(signer)) = inbox::verify_signed(&state, &method, &uri, &headers, None).await else {
            return Err(AppError::NotFound);
        };
        let host = url::Url::parse(&signer.ap_id)
            .map(|u| authority(&u))
            .unwrap_or_default();
        if !hosts.contains(&host) {
            return Err(AppError::NotFound);
        }
    }
    Ok(activity_json(&activity))
}
