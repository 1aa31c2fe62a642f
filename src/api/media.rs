//! `POST /api/v2/media` (and v1), `GET`/`PUT /api/v1/media/{id}`, and serving uploaded files.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{Auth, MaybeAuth};
use super::model::MediaAttachment;
use super::{ApiError, ApiResult, Body};
use crate::app::AppState;
use crate::federation::inbox;
use crate::services::media::{self, MediaError};
use crate::services::visibility;
use crate::storage::media as store;

/// The owner's own upload; until it is posted, only they may load it, by a signed link.
async fn entity(state: &AppState, m: &store::MediaRow) -> anyhow::Result<MediaAttachment> {
    let mut a = media::attachment_json(state, m);
    if m.post_id.is_none() {
        a["url"] = serde_json::json!(media::private_link(state, &media::url(state, m)).await?);
    }
    Ok(super::entities::media_attachment(&a))
}

/// `POST /api/v2/media`: a multipart upload with `file` and optional `description`.
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    mut form: Multipart,
) -> ApiResult<Json<MediaAttachment>> {
    let me = auth.member("write:media")?;
    let mut file: Option<Vec<u8>> = None;
    let mut description = String::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::unprocessable(format!("Invalid upload: {e}")))?
    {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| {
                    ApiError::unprocessable(format!(
                        "File is too large: images are limited to {} MB",
                        media::MAX_IMAGE_BYTES / 1024 / 1024
                    ))
                })?;
                file = Some(bytes.to_vec());
            }
            Some("description") => description = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let bytes = file.ok_or_else(|| ApiError::unprocessable("Validation failed: File can't be blank"))?;
    if description.contains('\0') {
        return Err(ApiError::bad_request("the request contains a NUL character"));
    }
    let row = media::upload(&state, me.actor.id, &bytes, &description)
        .await
        .map_err(|e| match e {
            MediaError::Invalid(m) => ApiError::unprocessable(format!("Validation failed: {m}")),
            MediaError::Internal(e) => e.into(),
        })?;
    Ok(Json(entity(&state, &row).await?))
}

async fn own(state: &AppState, auth: &Auth, id: &str) -> ApiResult<store::MediaRow> {
    let me = auth.member("write:media")?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    store::find(&state.db, me.actor.id, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `GET /api/v1/media/{id}`
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MediaAttachment>> {
    Ok(Json(entity(&state, &own(&state, &auth, &id).await?).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct MediaUpdate {
    description: Option<String>,
}

/// `PUT /api/v1/media/{id}`: the description, until the media is posted.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(u): Body<MediaUpdate>,
) -> ApiResult<Json<MediaAttachment>> {
    let mut m = own(&state, &auth, &id).await?;
    if let Some(d) = u.description {
        if d.chars().count() > media::MAX_DESCRIPTION_CHARS {
            return Err(ApiError::unprocessable("Validation failed: description too long"));
        }
        if m.post_id.is_some() {
            return Err(ApiError::unprocessable(
                "Validation failed: the media is already posted",
            ));
        }
        store::set_description(&state.db, m.id, &d).await?;
        m.description = d;
    }
    Ok(Json(entity(&state, &m).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct FileLink {
    expires: Option<i64>,
    sig: Option<String>,
}

/// `GET /media/{file}`: an uploaded file, to those who may see it. A file of a public post is
/// public and cached for a year; any other is served, privately cached, to a signed link from
/// an API answer, to a bearer token or a signed fetch (a member on another node) of someone in
/// its audience, and is otherwise not there (404).
pub async fn file(
    State(state): State<AppState>,
    Path(name): Path<String>,
    super::Q(link): super::Q<FileLink>,
    MaybeAuth(auth): MaybeAuth,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let valid = name.len() <= 48
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        && name.matches('.').count() == 1;
    let content_type = match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "",
    };
    if !valid || content_type.is_empty() {
        return Err(ApiError::not_found());
    }
    let row = store::find_by_file_name(&state.db, &name)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let cache = if visibility::may_see_file(&state, &row, None).await? {
        "public, max-age=31536000, immutable"
    } else {
        let by_link = match (link.expires, &link.sig) {
            (Some(expires), Some(sig)) => media::link_is_valid(&state, &name, expires, sig).await?,
            _ => false,
        };
        let viewer = match auth.and_then(|a| a.account).map(|a| a.actor) {
            Some(v) => Some(v),
            None if !by_link => inbox::verify_signed(&state, &method, &uri, &headers, None)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        if !by_link && !visibility::may_see_file(&state, &row, viewer.as_ref()).await? {
            return Err(ApiError::not_found());
        }
        "private, max-age=3600"
    };
    match tokio::fs::read(media::media_dir(&state).join(&name)).await {
        Ok(bytes) => Ok((
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, cache),
                (header::VARY, "Authorization, Signature"),
            ],
            bytes,
        )
            .into_response()),
        Err(_) => Err(ApiError::not_found()),
    }
}
