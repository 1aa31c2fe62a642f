//! Reports: a member reports someone (and some of their posts) to the node's moderators; for
//! posts in a group, to that group's stewards too, wherever they are; for someone on another
//! server, to that server when the member asks (`forward`). Reports from other servers arrive
//! as `Flag`s. Everyone who handles a report is notified (`admin.report`).

use serde_json::Value;

use crate::app::AppState;
use crate::federation::{activities, delivery};
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::posts::{self, PostRow};
use crate::storage::reports::{self, ReportRow};
use crate::storage::{self, notifications};

pub const MAX_COMMENT: usize = 1000;
pub const MAX_POSTS: usize = 20;
pub const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ReportError {
    fn from(e: sqlx::Error) -> Self {
        ReportError::Internal(e.into())
    }
}

/// What a member reports.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub post_ids: Vec<i64>,
    pub comment: String,
    pub category: Option<String>,
    /// Whether a copy goes to the reported person's server.
    pub forward: bool,
}

/// Files a member's report of `target`; returns it.
pub async fn file(
    state: &AppState,
    reporter: &ActorRow,
    target: &ActorRow,
    r: NewReport,
) -> Result<ReportRow, ReportError> {
    if reporter.id == target.id {
        return Err(ReportError::Invalid("You cannot report yourself".into()));
    }
    let comment = r.comment.trim().to_owned();
    if comment.chars().count() > MAX_COMMENT {
        return Err(ReportError::Invalid(format!(
            "Validation failed: Comment is too long (at most {MAX_COMMENT} characters)"
        )));
    }
    let category = r.category.unwrap_or_else(|| "other".into());
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(ReportError::Invalid(format!(
            "category must be one of {}",
            CATEGORIES.join(", ")
        )));
    }
    if r.post_ids.len() > MAX_POSTS {
        return Err(ReportError::Invalid(format!("At most {MAX_POSTS} posts per report")));
    }
    // Each post is the reported person's (or, for a group, in it), and one the reporter may see.
    let mut reported: Vec<PostRow> = Vec::new();
    for id in &r.post_ids {
        let p = posts::find_by_id(&state.db, *id).await?;
        match p {
            Some(p)
                if (p.author_id == target.id || p.group_id == Some(target.id))
                    && super::visibility::may_see_post(state, &p, Some(reporter)).await? =>
            {
                if !reported.iter().any(|x| x.id == p.id) {
                    reported.push(p)
                }
            }
            _ => {
                return Err(ReportError::Invalid(format!(
                    "Post {id} is not one of the reported account's posts"
                )));
            }
        }
    }
    let mut groups: Vec<ActorRow> = Vec::new();
    let group_ids = reported
        .iter()
        .filter_map(|p| p.group_id)
        .chain((target.kind == KIND_GROUP).then_some(target.id));
    for g in group_ids {
        if !groups.iter().any(|x| x.id == g)
            && let Some(a) = actors::find_by_id(&state.db, g).await?
        {
            groups.push(a);
        }
    }
    let now = storage::now();
    let report = ReportRow {
        id: crate::ids::id_at(now),
        reporter_id: reporter.id,
        target_id: target.id,
        group_id: groups.first().map(|g| g.id),
        post_ids: serde_json::to_string(&reported.iter().map(|p| p.id).collect::<Vec<_>>())
            .map_err(anyhow::Error::from)?,
        comment: comment.clone(),
        category,
        forwarded: r.forward && !target.is_local(),
        ap_id: None,
        resolved_at: None,
        created_at: now,
    };
    let mut tx = state.db.begin().await?;
    reports::insert(&mut tx, &report).await?;
    if report.forwarded {
        let node = crate::federation::actors::ensure_application_actor(state).await?;
        let inbox = super::social::personal_inbox(state, target);
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        let post_ids: Vec<String> = reported.iter().map(|p| p.ap_id.clone()).collect();
        let flag = activities::reports::flag_account(&id, &node.ap_id, &target.ap_id, &post_ids, &comment);
        delivery::queue(&mut tx, &node, &flag, &inbox).await?;
    }
    // A remote group's stewards receive the report of each post in it, from the reporter.
    for g in groups.iter().filter(|g| !g.is_local()) {
        let inbox = super::social::personal_inbox(state, g);
        for p in reported.iter().filter(|p| p.group_id == Some(g.id)) {
            let id = state.urls.activity(crate::ids::new_id()).to_string();
            let flag = activities::reports::flag_in_group(&id, &reporter.ap_id, &p.ap_id, &g.ap_id, &comment);
            delivery::queue(&mut tx, reporter, &flag, &inbox).await?;
        }
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    notify_handlers(state, &report, &groups).await;
    Ok(report)
}

/// Tells the node's moderators and the local stewards of the groups concerned.
async fn notify_handlers(state: &AppState, report: &ReportRow, groups: &[ActorRow]) {
    let result: anyhow::Result<()> = async {
        let mut who = reports::staff(&state.db).await?;
        for g in groups.iter().filter(|g| g.is_local()) {
            who.extend(reports::local_stewards(&state.db, g.id).await?);
        }
        who.sort_unstable();
        who.dedup();
        for recipient in who.into_iter().filter(|r| *r != report.reporter_id) {
            let id =
                notifications::insert_for_report(&state.db, recipient, report.reporter_id, report.id, storage::now())
                    .await?;
            state.publish(crate::app::Event::Notification(recipient, id));
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "notifying a report");
    }
}

/// The ids in a `Flag`'s `object`: one URL or object, or an array of them.
fn object_ids(raw: &Value) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    match raw.get("object") {
        Some(Value::Array(items)) => items.iter().take(MAX_POSTS + 1).filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A `Flag` from another server (Mastodon's: the node's actor, the person and their posts;
/// Lemmy's: the reporter, one post, the group). Kept when it concerns one of our members or a
/// post in one of our groups; anything else is not ours to handle.
pub async fn received(
    state: &AppState,
    actor: &ActorRow,
    raw: &Value,
) -> Result<(), crate::federation::inbound::ProcessError> {
    let mut target: Option<ActorRow> = None;
    let mut reported: Vec<PostRow> = Vec::new();
    for id in object_ids(raw) {
        if let Some(p) = posts::find_by_ap_id(&state.db, &id).await? {
            reported.push(p);
        } else if target.is_none()
            && let Some(a) = actors::find_by_ap_id(&state.db, &id).await?
        {
            target = Some(a);
        }
    }
    let target = match target {
        Some(t) => t,
        None => match reported.first() {
            Some(p) => match actors::find_by_id(&state.db, p.author_id).await? {
                Some(a) => a,
                None => return Ok(()),
            },
            None => return Ok(()),
        },
    };
    reported.retain(|p| p.author_id == target.id || p.group_id == Some(target.id));
    let mut groups = Vec::new();
    for g in reported.iter().filter_map(|p| p.group_id) {
        if let Some(a) = actors::find_by_id(&state.db, g).await?
            && a.is_local()
            && !groups.iter().any(|x: &ActorRow| x.id == a.id)
        {
            groups.push(a);
        }
    }
    if !target.is_local() && groups.is_empty() {
        return Ok(());
    }
    let text = raw
        .get("content")
        .or_else(|| raw.get("summary"))
        .and_then(Value::as_str)
        .map(crate::text::html_to_plain)
        .unwrap_or_default();
    let comment: String = text.trim().chars().take(MAX_COMMENT).collect();
    let now = storage::now();
    let report = ReportRow {
        id: crate::ids::id_at(now),
        reporter_id: actor.id,
        target_id: target.id,
        group_id: groups.first().map(|g| g.id),
        post_ids: serde_json::to_string(&reported.iter().map(|p| p.id).collect::<Vec<_>>())
            .map_err(anyhow::Error::from)?,
        comment,
        category: "other".into(),
        forwarded: true,
        ap_id: raw.get("id").and_then(Value::as_str).map(str::to_owned),
        resolved_at: None,
        created_at: now,
    };
    if reports::insert(&state.db, &report).await? {
        notify_handlers(state, &report, &groups).await;
    }
    Ok(())
}
