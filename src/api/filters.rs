//! Filters: `/api/v2/filters…` (filters with keywords and posts) and the first API,
//! `/api/v1/filters` (one keyword each), which older apps still use.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Auth;
use super::entities::api_time;
use super::model::{Filter, FilterKeyword, FilterResult, FilterStatus, FilterV1};
use super::{ApiError, ApiResult, Body};
use crate::app::AppState;
use crate::services::filters::{self as service, Active, FilterError, KeywordChange, Settings, Verdict};
use crate::storage::filters::{self as store, FilterRow, FilteredPostRow, KeywordRow};

impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> Self {
        match e {
            FilterError::NotFound => ApiError::not_found(),
            FilterError::Invalid(m) => ApiError::unprocessable(m),
            FilterError::Internal(e) => e.into(),
        }
    }
}

fn id(s: &str) -> ApiResult<i64> {
    s.parse().map_err(|_| ApiError::not_found())
}

fn keyword_entity(k: &KeywordRow) -> FilterKeyword {
    FilterKeyword {
        id: k.id.to_string(),
        keyword: k.keyword.clone(),
        whole_word: k.whole_word,
    }
}

fn status_entity(s: &FilteredPostRow) -> FilterStatus {
    FilterStatus {
        id: s.id.to_string(),
        status_id: s.post_id.to_string(),
    }
}

/// The named converter: a filter with its keywords and posts as Mastodon's `Filter`.
pub fn filter_entity(f: &FilterRow, keywords: &[KeywordRow], posts: &[FilteredPostRow]) -> Filter {
    Filter {
        id: f.id.to_string(),
        title: f.title.clone(),
        context: f.context_list(),
        expires_at: f.expires_at.map(api_time),
        filter_action: f.action.clone(),
        keywords: keywords.iter().map(keyword_entity).collect(),
        statuses: posts.iter().map(status_entity).collect(),
    }
}

/// What a warning verdict shows apps, in `Status.filtered`.
pub fn results(active: &Active, verdict: &Verdict) -> Vec<Value> {
    let Verdict::Warn(matched) = verdict else {
        return Vec::new();
    };
    matched
        .iter()
        .filter_map(|(f, words, posts)| {
            let (_, keywords, chosen) = active.filters.iter().find(|(x, ..)| x.id == f.id)?;
            serde_json::to_value(FilterResult {
                filter: filter_entity(f, keywords, chosen),
                keyword_matches: (!words.is_empty()).then(|| words.clone()),
                status_matches: (!posts.is_empty()).then(|| posts.iter().map(i64::to_string).collect()),
            })
            .ok()
        })
        .collect()
}

async fn full(state: &AppState, f: &FilterRow) -> ApiResult<Filter> {
    let keywords = store::keywords_of(&state.db, &[f.id]).await?;
    let posts = store::posts_of(&state.db, &[f.id]).await?;
    Ok(filter_entity(f, &keywords, &posts))
}

#[derive(Debug, Default, Deserialize)]
pub struct KeywordForm {
    #[serde(default, deserialize_with = "super::lenient::ids")]
    id: Vec<String>,
    keyword: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    whole_word: Option<bool>,
    #[serde(default, rename = "_destroy", deserialize_with = "super::lenient::flag")]
    destroy: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct FilterForm {
    title: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::ids")]
    context: Vec<String>,
    #[serde(default, rename = "context[]", deserialize_with = "super::lenient::ids")]
    context_form: Vec<String>,
    filter_action: Option<String>,
    /// Seconds; an empty value clears the expiry.
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    keywords_attributes: Vec<KeywordForm>,
    /// The same in a form body: paired by position.
    #[serde(
        default,
        rename = "keywords_attributes[][keyword]",
        deserialize_with = "super::lenient::ids"
    )]
    form_keywords: Vec<String>,
    #[serde(
        default,
        rename = "keywords_attributes[][whole_word]",
        deserialize_with = "super::lenient::ids"
    )]
    form_whole_words: Vec<String>,
}

/// `expires_in` as a setting: absent keeps, empty or null clears, a number sets.
fn expires_in(v: &Option<Value>) -> ApiResult<Option<Option<i64>>> {
    Ok(match v {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) if s.trim().is_empty() => Some(None),
        Some(Value::String(s)) => {
            Some(Some(s.trim().parse().map_err(|_| {
                ApiError::unprocessable("expires_in is a number of seconds")
            })?))
        }
        Some(Value::Number(n)) => {
            Some(Some(n.as_i64().ok_or_else(|| {
                ApiError::unprocessable("expires_in is a number of seconds")
            })?))
        }
        Some(_) => return Err(ApiError::unprocessable("expires_in is a number of seconds")),
    })
}

impl FilterForm {
    fn settings(&self) -> ApiResult<Settings> {
        let contexts: Vec<String> = self.context.iter().chain(&self.context_form).cloned().collect();
        Ok(Settings {
            title: self.title.clone(),
            contexts: (!contexts.is_empty()).then_some(contexts),
            action: self.filter_action.clone().filter(|a| !a.is_empty()),
            expires_in: expires_in(&self.expires_in)?,
        })
    }

    fn keyword_changes(&self) -> ApiResult<Vec<KeywordChange>> {
        let mut out = Vec::new();
        for k in &self.keywords_attributes {
            out.push(KeywordChange {
                id: match k.id.first() {
                    Some(s) if !s.is_empty() => Some(id(s)?),
                    _ => None,
                },
                keyword: k.keyword.clone(),
                whole_word: k.whole_word,
                destroy: k.destroy.unwrap_or(false),
            });
        }
        for (i, w) in self.form_keywords.iter().enumerate() {
            out.push(KeywordChange {
                keyword: Some(w.clone()),
                whole_word: self.form_whole_words.get(i).and_then(|b| super::lenient::truth(b)),
                ..Default::default()
            });
        }
        Ok(out)
    }
}

/// `GET /api/v2/filters`
pub async fn index(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Filter>>> {
    let me = auth.member("read:filters")?;
    let rows = store::of_owner(&state.db, me.actor.id, true).await?;
    let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
    let keywords = store::keywords_of(&state.db, &ids).await?;
    let posts = store::posts_of(&state.db, &ids).await?;
    Ok(Json(
        rows.iter()
            .map(|f| {
                let k: Vec<KeywordRow> = keywords.iter().filter(|k| k.filter_id == f.id).cloned().collect();
                let p: Vec<FilteredPostRow> = posts.iter().filter(|p| p.filter_id == f.id).cloned().collect();
                filter_entity(f, &k, &p)
            })
            .collect(),
    ))
}

/// `POST /api/v2/filters`
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Body(form): Body<FilterForm>,
) -> ApiResult<Json<Filter>> {
    let me = auth.member("write:filters")?;
    let keywords = form
        .keyword_changes()?
        .into_iter()
        .filter(|k| !k.destroy)
        .map(|k| (k.keyword.unwrap_or_default(), k.whole_word.unwrap_or(true)))
        .collect();
    let f = service::create(&state, &me.actor, form.settings()?, keywords).await?;
    Ok(Json(full(&state, &f).await?))
}

/// `GET /api/v2/filters/{id}`
pub async fn get(State(state): State<AppState>, auth: Auth, Path(fid): Path<String>) -> ApiResult<Json<Filter>> {
    let me = auth.member("read:filters")?;
    let f = service::find(&state, &me.actor, id(&fid)?).await?;
    Ok(Json(full(&state, &f).await?))
}

/// `PUT /api/v2/filters/{id}`
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(fid): Path<String>,
    Body(form): Body<FilterForm>,
) -> ApiResult<Json<Filter>> {
    let me = auth.member("write:filters")?;
    let f = service::update(&state, &me.actor, id(&fid)?, form.settings()?, form.keyword_changes()?).await?;
    Ok(Json(full(&state, &f).await?))
}

/// `DELETE /api/v2/filters/{id}`
pub async fn delete(State(state): State<AppState>, auth: Auth, Path(fid): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:filters")?;
    service::delete(&state, &me.actor, id(&fid)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v2/filters/{id}/keywords`
pub async fn keywords(
    State(state): State<AppState>,
    auth: Auth,
    Path(fid): Path<String>,
) -> ApiResult<Json<Vec<FilterKeyword>>> {
    let me = auth.member("read:filters")?;
    let f = service::find(&state, &me.actor, id(&fid)?).await?;
    let rows = store::keywords_of(&state.db, &[f.id]).await?;
    Ok(Json(rows.iter().map(keyword_entity).collect()))
}

/// `POST /api/v2/filters/{id}/keywords`
pub async fn add_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(fid): Path<String>,
    Body(form): Body<KeywordForm>,
) -> ApiResult<Json<FilterKeyword>> {
    let me = auth.member("write:filters")?;
    let k = service::add_keyword(
        &state,
        &me.actor,
        id(&fid)?,
        form.keyword.as_deref().unwrap_or_default(),
        form.whole_word.unwrap_or(true),
    )
    .await?;
    Ok(Json(keyword_entity(&k)))
}

/// `GET /api/v2/filters/keywords/{id}`
pub async fn get_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(kid): Path<String>,
) -> ApiResult<Json<FilterKeyword>> {
    let me = auth.member("read:filters")?;
    let k = store::find_keyword(&state.db, me.actor.id, id(&kid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(keyword_entity(&k)))
}

/// `PUT /api/v2/filters/keywords/{id}`
pub async fn update_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(kid): Path<String>,
    Body(form): Body<KeywordForm>,
) -> ApiResult<Json<FilterKeyword>> {
    let me = auth.member("write:filters")?;
    let k = store::find_keyword(&state.db, me.actor.id, id(&kid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    service::update(
        &state,
        &me.actor,
        k.filter_id,
        Settings::default(),
        vec![KeywordChange {
            id: Some(k.id),
            keyword: form.keyword,
            whole_word: form.whole_word,
            destroy: false,
        }],
    )
    .await?;
    let k = store::find_keyword(&state.db, me.actor.id, k.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(keyword_entity(&k)))
}

/// `DELETE /api/v2/filters/keywords/{id}`
pub async fn delete_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(kid): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:filters")?;
    let k = store::find_keyword(&state.db, me.actor.id, id(&kid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    store::delete_keyword(&state.db, k.id).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v2/filters/{id}/statuses`
pub async fn statuses(
    State(state): State<AppState>,
    auth: Auth,
    Path(fid): Path<String>,
) -> ApiResult<Json<Vec<FilterStatus>>> {
    let me = auth.member("read:filters")?;
    let f = service::find(&state, &me.actor, id(&fid)?).await?;
    Ok(Json(
        store::posts_of(&state.db, &[f.id])
            .await?
            .iter()
            .map(status_entity)
            .collect(),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default, deserialize_with = "super::lenient::ids")]
    status_id: Vec<String>,
}

/// `POST /api/v2/filters/{id}/statuses`
pub async fn add_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(fid): Path<String>,
    Body(form): Body<StatusForm>,
) -> ApiResult<Json<FilterStatus>> {
    let me = auth.member("write:filters")?;
    let sid = form
        .status_id
        .first()
        .ok_or_else(|| ApiError::unprocessable("status_id is required"))?;
    let post = super::statuses::visible(&state, sid, Some(&me.actor)).await?;
    let row = service::add_post(&state, &me.actor, id(&fid)?, &post).await?;
    Ok(Json(status_entity(&row)))
}

/// `GET /api/v2/filters/statuses/{id}`
pub async fn get_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(sid): Path<String>,
) -> ApiResult<Json<FilterStatus>> {
    let me = auth.member("read:filters")?;
    let s = store::find_post(&state.db, me.actor.id, id(&sid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(status_entity(&s)))
}

/// `DELETE /api/v2/filters/statuses/{id}`
pub async fn delete_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(sid): Path<String>,
) -> ApiResult<Json<Value>> {
    let me = auth.member("write:filters")?;
    let s = store::find_post(&state.db, me.actor.id, id(&sid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    store::delete_post(&state.db, s.id).await?;
    Ok(Json(json!({})))
}

fn v1_entity(f: &FilterRow, k: &KeywordRow) -> FilterV1 {
    FilterV1 {
        id: k.id.to_string(),
        phrase: k.keyword.clone(),
        context: f.context_list(),
        expires_at: f.expires_at.map(api_time),
        irreversible: f.action == "hide",
        whole_word: k.whole_word,
    }
}

/// `GET /api/v1/filters`: each keyword as a filter of its own.
pub async fn index_v1(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<FilterV1>>> {
    let me = auth.member("read:filters")?;
    let rows = store::of_owner(&state.db, me.actor.id, true).await?;
    let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
    let keywords = store::keywords_of(&state.db, &ids).await?;
    Ok(Json(
        keywords
            .iter()
            .filter_map(|k| rows.iter().find(|f| f.id == k.filter_id).map(|f| v1_entity(f, k)))
            .collect(),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct FilterV1Form {
    phrase: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::ids")]
    context: Vec<String>,
    #[serde(default, rename = "context[]", deserialize_with = "super::lenient::ids")]
    context_form: Vec<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    irreversible: Option<bool>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    whole_word: Option<bool>,
    #[serde(default)]
    expires_in: Option<Value>,
}

/// `POST /api/v1/filters`: a filter of one keyword, titled by it.
pub async fn create_v1(
    State(state): State<AppState>,
    auth: Auth,
    Body(form): Body<FilterV1Form>,
) -> ApiResult<Json<FilterV1>> {
    let me = auth.member("write:filters")?;
    let phrase = form.phrase.clone().unwrap_or_default();
    let contexts: Vec<String> = form.context.iter().chain(&form.context_form).cloned().collect();
    let f = service::create(
        &state,
        &me.actor,
        Settings {
            title: Some(phrase.clone()),
            contexts: Some(contexts),
            action: Some(
                if form.irreversible.unwrap_or(false) {
                    "hide"
                } else {
                    "warn"
                }
                .into(),
            ),
            expires_in: expires_in(&form.expires_in)?,
        },
        vec![(phrase, form.whole_word.unwrap_or(true))],
    )
    .await?;
    let k = store::keywords_of(&state.db, &[f.id])
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(v1_entity(&f, &k)))
}

/// `GET /api/v1/filters/{id}` (a keyword's id)
pub async fn get_v1(State(state): State<AppState>, auth: Auth, Path(kid): Path<String>) -> ApiResult<Json<FilterV1>> {
    let me = auth.member("read:filters")?;
    let k = store::find_keyword(&state.db, me.actor.id, id(&kid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let f = service::find(&state, &me.actor, k.filter_id).await?;
    Ok(Json(v1_entity(&f, &k)))
}

/// `DELETE /api/v1/filters/{id}`: the keyword goes, and its filter when it held no other.
pub async fn delete_v1(State(state): State<AppState>, auth: Auth, Path(kid): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:filters")?;
    let k = store::find_keyword(&state.db, me.actor.id, id(&kid)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    store::delete_keyword(&state.db, k.id).await?;
    if store::keywords_of(&state.db, &[k.filter_id]).await?.is_empty()
        && store::posts_of(&state.db, &[k.filter_id]).await?.is_empty()
    {
        store::delete(&state.db, me.actor.id, k.filter_id).await?;
    }
    Ok(Json(json!({})))
}
