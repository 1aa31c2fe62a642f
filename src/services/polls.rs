//! Polls, as Mastodon has them: a post with two to [`MAX_OPTIONS`] options, one or several
//! choices, an end, totals hidden until then if the author wishes. On the wire a poll is a
//! `Question` (`oneOf`/`anyOf` Notes with their counts); a vote is a `Create` of a `Note` whose
//! `name` is the option, answering the poll, sent to its author alone. Votes on our polls are
//! counted here and the poll's new counts go out as an `Update`; votes on remote polls are
//! sent to their servers, whose `Update`s bring the counts back.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::federation::{activities, delivery, objects};
use crate::storage::actors::{self, ActorRow};
use crate::storage::polls::{self, PollRow, Tally};
use crate::storage::posts::PostRow;
use crate::storage::{self};

pub const MAX_OPTIONS: usize = 4;
pub const MAX_OPTION_CHARS: usize = 50;
pub const MIN_EXPIRATION: i64 = 300;
pub const MAX_EXPIRATION: i64 = 2_629_746;

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("{0}")]
    Invalid(String),
    #[error("Record not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PollError {
    fn from(e: sqlx::Error) -> Self {
        PollError::Internal(e.into())
    }
}

/// A poll as a member asks for it.
#[derive(Debug, Clone, Default)]
pub struct NewPoll {
    pub options: Vec<String>,
    /// Seconds from now.
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

/// Checks a new poll and makes its row for the post `post_id`.
pub fn prepare(p: &NewPoll, post_id: i64, now: DateTime<Utc>) -> Result<PollRow, String> {
    let options: Vec<String> = p.options.iter().map(|o| o.trim().to_owned()).collect();
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(format!("a poll has 2 to {MAX_OPTIONS} options"));
    }
    if options
        .iter()
        .any(|o| o.is_empty() || o.chars().count() > MAX_OPTION_CHARS)
    {
        return Err(format!("poll options have 1 to {MAX_OPTION_CHARS} characters"));
    }
    if (1..options.len()).any(|i| options[..i].contains(&options[i])) {
        return Err("poll options must differ".into());
    }
    if !(MIN_EXPIRATION..=MAX_EXPIRATION).contains(&p.expires_in) {
        return Err(format!(
            "a poll lasts {MIN_EXPIRATION} to {MAX_EXPIRATION} seconds (expires_in)"
        ));
    }
    Ok(PollRow {
        post_id,
        counts: json!(vec![0; options.len()]).to_string(),
        options: json!(options).to_string(),
        multiple: p.multiple,
        hide_totals: p.hide_totals,
        expires_at: Some(now + chrono::Duration::seconds(p.expires_in)),
        voters_count: None,
    })
}

/// A poll's figures: votes per option and the number of voters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub counts: Vec<i64>,
    pub voters: Option<i64>,
    /// The options the viewer chose.
    pub mine: Vec<i64>,
}

/// The figures of some polls in one statement: counted here for our polls, as their servers
/// last said for remote ones; and the viewer's choices.
pub async fn figures(
    state: &AppState,
    polls: &[(PollRow, bool)],
    viewer: Option<&ActorRow>,
) -> anyhow::Result<std::collections::HashMap<i64, Figures>> {
    let ids: Vec<i64> = polls.iter().map(|(p, _)| p.post_id).collect();
    let tallies = polls::tallies(&state.db, &ids, viewer.map(|v| v.id)).await?;
    let mut out = std::collections::HashMap::new();
    for (poll, local) in polls {
        let n = poll.titles().len();
        let mut f = Figures {
            counts: if *local {
                vec![0; n]
            } else {
                let mut c = poll.remote_counts();
                c.resize(n, 0);
                c
            },
            voters: if *local { Some(0) } else { poll.voters_count },
            mine: Vec::new(),
        };
        for t in tallies.iter() {
            match *t {
                Tally::Option { post_id, choice, votes } if post_id == poll.post_id && *local => {
                    if let Some(c) = f.counts.get_mut(choice as usize) {
                        *c = votes;
                    }
                }
                Tally::Voters { post_id, voters } if post_id == poll.post_id && *local => f.voters = Some(voters),
                Tally::Mine { post_id, choice } if post_id == poll.post_id => f.mine.push(choice),
                _ => {}
            }
        }
        f.mine.sort_unstable();
        out.insert(poll.post_id, f);
    }
    Ok(out)
}

/// A post as its ActivityPub object: a poll's post as a `Question` with its counts.
pub async fn object(
    state: &AppState,
    post: &PostRow,
    author: &ActorRow,
    group: Option<&ActorRow>,
) -> anyhow::Result<Value> {
    let mut o = objects::post_to_ap(post, author, group);
    if post.kind == "Question"
        && let Some(poll) = polls::find(&state.db, post.id).await?
    {
        let f = figures(state, &[(poll.clone(), post.local)], None).await?;
        let f = f.get(&post.id).cloned().unwrap_or_default();
        objects::add_poll(&mut o, &poll, &f.counts, f.voters, storage::now());
    }
    Ok(o)
}

/// A local member votes: `choices` are option indexes. On our poll the votes are counted and
/// the new counts sent to the poll's audience; on a remote poll each choice goes to its author.
pub async fn vote(state: &AppState, voter: &ActorRow, post: &PostRow, choices: &[i64]) -> Result<(), PollError> {
    let poll = polls::find(&state.db, post.id).await?.ok_or(PollError::NotFound)?;
    let now = storage::now();
    if poll.expired(now) {
        return Err(PollError::Invalid("The poll has already ended".into()));
    }
    let n = poll.titles().len() as i64;
    let mut choices: Vec<i64> = choices.to_vec();
    choices.sort_unstable();
    choices.dedup();
    if choices.is_empty() || choices.iter().any(|c| *c < 0 || *c >= n) {
        return Err(PollError::Invalid(format!(
            "choices are option numbers from 0 to {}",
            n - 1
        )));
    }
    if !poll.multiple && choices.len() > 1 {
        return Err(PollError::Invalid("This poll takes one choice".into()));
    }
    if !polls::choices_of(&state.db, post.id, voter.id).await?.is_empty() {
        return Err(PollError::Invalid("You have already voted on this poll".into()));
    }
    let author = actors::find_by_id(&state.db, post.author_id)
        .await?
        .ok_or(PollError::NotFound)?;
    let titles = poll.titles();
    let mut tx = state.db.begin().await?;
    for c in &choices {
        let id = format!("{}#votes/{}/{c}", voter.ap_id, post.id);
        polls::vote(&mut tx, post.id, voter.id, *c, Some(&id)).await?;
        if !post.local {
            let note = json!({
                "id": id, "type": "Note", "name": titles[*c as usize], "attributedTo": voter.ap_id,
                "inReplyTo": post.ap_id, "to": [author.ap_id],
            });
            let create = activities::create_or_update(
                "Create",
                state.urls.activity(crate::ids::new_id()).as_str(),
                &voter.ap_id,
                &note,
            );
            delivery::queue(&mut tx, voter, &create, &super::social::personal_inbox(state, &author)).await?;
        }
    }
    tx.commit().await?;
    if post.local {
        send_counts(state, post, &author).await?;
    }
    state.delivery_wake.notify_one();
    Ok(())
}

/// Our poll's new counts, as an `Update` of the `Question` to everyone who got it.
async fn send_counts(state: &AppState, post: &PostRow, author: &ActorRow) -> anyhow::Result<()> {
    let (group, visibility, mentioned) = super::posts::context(state, post).await?;
    let object = object(state, post, author, group.as_ref()).await?;
    let update = activities::create_or_update(
        "Update",
        state.urls.activity(crate::ids::new_id()).as_str(),
        &author.ap_id,
        &object,
    );
    let audience = super::posts::audience(state, author, group.as_ref(), visibility, &mentioned).await?;
    let mut tx = state.db.begin().await?;
    super::posts::send(&mut tx, state, author, &update, &audience, None).await?;
    tx.commit().await?;
    Ok(())
}

/// A vote from another server on one of our polls (a Note naming an option, answering the
/// poll): counted once per person and option while the poll is open and the voter may see it;
/// anything else is ignored. Returns whether the object was a vote.
pub async fn received_vote(state: &AppState, voter: &ActorRow, object: &Value) -> anyhow::Result<bool> {
    let (Some(name), Some(parent)) = (
        object.get("name").and_then(Value::as_str),
        object.get("inReplyTo").and_then(Value::as_str),
    ) else {
        return Ok(false);
    };
    let has_content = object
        .get("content")
        .and_then(Value::as_str)
        .is_some_and(|c| !c.trim().is_empty());
    let Some(post) = storage::posts::find_by_ap_id(&state.db, parent).await? else {
        return Ok(false);
    };
    if has_content || !post.local || post.kind != "Question" {
        return Ok(false);
    }
    let Some(poll) = polls::find(&state.db, post.id).await? else {
        return Ok(false);
    };
    let Some(choice) = poll.titles().iter().position(|t| t == name.trim()) else {
        return Ok(true);
    };
    if poll.expired(storage::now()) || !super::visibility::may_see_post(state, &post, Some(voter)).await? {
        return Ok(true);
    }
    let earlier = polls::choices_of(&state.db, post.id, voter.id).await?;
    if !earlier.is_empty() && !poll.multiple {
        return Ok(true);
    }
    let id = object.get("id").and_then(Value::as_str);
    if polls::vote(&state.db, post.id, voter.id, choice as i64, id).await?
        && let Some(author) = actors::find_by_id(&state.db, post.author_id).await?
    {
        send_counts(state, &post, &author).await?;
        state.delivery_wake.notify_one();
    }
    Ok(true)
}

/// The poll of a `Question` from another server (on its Create, and each Update that brings new
/// counts), stored with its post.
pub async fn received_question(state: &AppState, post_id: i64, object: &Value) -> anyhow::Result<()> {
    if let Some(poll) = objects::remote_poll(object, post_id) {
        polls::insert(&state.db, &poll).await?;
    }
    Ok(())
}
