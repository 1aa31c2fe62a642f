//! The `staffroom` command line: serve, migrate and the secretariat's admin commands.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rand::Rng;

use crate::app::AppState;
use crate::config::Config;
use crate::federation::remote;
use crate::server;
use crate::services::accounts::{self, NewAccount, Role};
use crate::services::{node, posts, social};
use crate::storage::users;

#[derive(Debug, Parser)]
#[command(
    name = "staffroom",
    version,
    about = "A federated community server for teachers and educators"
)]
pub struct Cli {
    /// Configuration file (default: config/staffroom.toml when it exists, else built-in defaults).
    #[arg(long, global = true, env = "STAFFROOM_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the node: migrate the database, then serve HTTP until SIGTERM or Ctrl-C.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the configuration in effect (file, then environment) and exit.
    CheckConfig,
    /// Secretariat commands for members.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Act as a local member: follow, post, fetch (the same services the client API calls).
    Member {
        /// The member's username.
        name: String,
        #[command(subcommand)]
        action: MemberCommand,
    },
    /// Groups: create, list, and stewards' moderation.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Events: create, join, leave, decide, cancel.
    #[command(subcommand)]
    Event(EventCommand),
}

#[derive(Debug, clap::Args)]
pub struct EventArgs {
    #[arg(long)]
    pub by: String,
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long)]
    pub title: String,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Local start, `YYYY-MM-DDTHH:MM`, in `--timezone` (with `--all-day`, `YYYY-MM-DD`).
    #[arg(long)]
    pub start: String,
    /// Local end; with `--all-day`, the last day (`YYYY-MM-DD`).
    #[arg(long)]
    pub end: Option<String>,
    /// Whole days, without times (a conference over several days).
    #[arg(long)]
    pub all_day: bool,
    /// A hashtag; repeat for several (at most 10).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Who may see the list of attendees.
    #[arg(long, default_value = "organisers", value_parser = ["public", "participants", "organisers"])]
    pub attendees: String,
    /// An IANA time zone, such as Europe/Paris.
    #[arg(long)]
    pub timezone: String,
    #[arg(long)]
    pub place: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub online: Option<String>,
    /// Show the online link to everyone (otherwise to participants only).
    #[arg(long)]
    pub online_public: bool,
    #[arg(long, default_value = "other")]
    pub category: String,
    #[arg(long)]
    pub capacity: Option<i32>,
    #[arg(long, default_value = "free", value_parser = ["free", "approval", "invite", "external"])]
    pub join_mode: String,
    #[arg(long)]
    pub external_url: Option<String>,
    #[arg(long)]
    pub tentative: bool,
    /// The event (URL) this session belongs to, for a course of several sessions.
    #[arg(long)]
    pub series: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event (in a group: by one of its stewards).
    Create(Box<EventArgs>),
    /// Join an event (here or on another node).
    Join { name: String, event: String },
    /// Leave an event.
    Leave { name: String, event: String },
    /// Accept a pending participant.
    Approve {
        event: String,
        handle: String,
        #[arg(long)]
        by: String,
    },
    /// Refuse a pending participant.
    Reject {
        event: String,
        handle: String,
        #[arg(long)]
        by: String,
    },
    /// Cancel an event.
    Cancel {
        event: String,
        #[arg(long)]
        by: String,
    },
    /// List who takes part.
    Participants { event: String },
    /// Say maybe: shown to the organisers and in the member's agenda, taking no place.
    Maybe { name: String, event: String },
    /// Invite someone (`name@domain`, or a local name) to an event.
    Invite {
        event: String,
        handle: String,
        #[arg(long)]
        by: String,
    },
    /// Delete an event (a course with its sessions); other nodes are told.
    Delete {
        event: String,
        #[arg(long)]
        by: String,
    },
    /// A private calendar URL listing the member's events.
    AgendaUrl { name: String },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Follow a person or join a group: `name@domain`, or a local name.
    Follow { handle: String },
    /// Stop following, or leave a group.
    Unfollow { handle: String },
    /// Write a post: into a group (`--group`, or by mentioning it), or a reply (`--reply-to`).
    Post {
        text: String,
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, value_name = "POST_URL")]
        reply_to: Option<String>,
    },
    /// Edit one of your posts.
    Edit {
        post: String,
        text: String,
        #[arg(long)]
        title: Option<String>,
    },
    /// Delete one of your posts.
    Delete { post: String },
    /// Like a post (`--undo` takes it back).
    Like {
        post: String,
        #[arg(long)]
        undo: bool,
    },
    /// Boost a public post (`--undo` takes it back).
    Boost {
        post: String,
        #[arg(long)]
        undo: bool,
    },
    /// Fetch an ActivityPub document, signed as this member (authorized fetch), and print it.
    Fetch { url: String },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group owned by a member.
    Create {
        name: String,
        #[arg(long)]
        owner: String,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long, default_value = "")]
        summary: String,
        /// A members-only group space: joining needs a steward's approval, posts stay with members.
        #[arg(long)]
        members_only: bool,
        /// Only stewards may post.
        #[arg(long)]
        restricted: bool,
    },
    /// List the groups of this node.
    List,
    /// List the join requests of a group: each person's handle and id.
    Requests { group: String },
    /// Approve a join request (the person by handle or by id, as `requests` prints them).
    Approve {
        group: String,
        handle: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Reject a join request (the person by handle or by id).
    Reject {
        group: String,
        handle: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Remove a member.
    Remove {
        group: String,
        handle: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Ban someone from the group.
    Ban {
        group: String,
        handle: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Appoint a steward (`--undo` withdraws): only the owner or the secretariat.
    Steward {
        group: String,
        handle: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        undo: bool,
    },
    /// Lift a ban.
    Unban {
        group: String,
        handle: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// Pin a post to the group's featured posts (`--undo` unpins).
    Pin {
        group: String,
        post: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        undo: bool,
    },
    /// Lock a thread against new replies (`--undo` unlocks).
    Lock {
        group: String,
        post: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        undo: bool,
    },
    /// Delete a post in the group.
    DeletePost {
        group: String,
        post: String,
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a local member.
    CreateUser {
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "member", value_parser = ["admin", "moderator", "member"])]
        role: String,
        /// Password; prompted for when omitted on a terminal, generated and printed otherwise.
        #[arg(long)]
        password: Option<String>,
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// List local members.
    ListUsers,
    /// List registrations waiting for approval.
    Pending,
    /// Approve a registration (in `approval` mode), so the member can sign in.
    Approve { name: String },
    /// Change a member's role.
    SetRole {
        name: String,
        #[arg(value_parser = ["admin", "moderator", "member"])]
        role: String,
    },
    /// Suspend a member: they cannot sign in and their profile answers 410 Gone.
    Suspend {
        name: String,
        /// Lift the suspension instead.
        #[arg(long)]
        undo: bool,
    },
    /// List reports (the open ones unless `--all`), newest first.
    Reports {
        #[arg(long)]
        all: bool,
    },
    /// Mark a report as handled.
    ResolveReport { id: i64 },
}

/// The configuration file to read: the one asked for, else `config/staffroom.toml` if present.
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit.map(Path::to_path_buf).or_else(|| {
        let default = PathBuf::from("config/staffroom.toml");
        default.is_file().then_some(default)
    })
}

pub fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let path = config_path(cli.config.as_deref());
    Ok(Config::load(path.as_deref(), |k| std::env::var(k).ok())?)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = load_config(&cli)?;
    match cli.command {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            let db = server::open_database(&config).await?;
            println!("Database {} is up to date.", server::redact(&config.database_url));
            db.close().await;
            Ok(())
        }
        Command::CheckConfig => {
            print!("{}", toml::to_string_pretty(&config)?);
            Ok(())
        }
        Command::Admin(cmd) => with_state(config, |state| Box::pin(async move { admin(&state, cmd).await })).await,
        Command::Member { name, action } => {
            with_state(config, |state| {
                Box::pin(async move { member(&state, &name, action).await })
            })
            .await
        }
        Command::Group(cmd) => with_state(config, |state| Box::pin(async move { group(&state, cmd).await })).await,
        Command::Event(cmd) => with_state(config, |state| Box::pin(async move { event(&state, cmd).await })).await,
    }
}

type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>>>>;

/// Opens the node's database (migrated, bootstrapped) for a one-shot command.
async fn with_state(config: Config, f: impl FnOnce(AppState) -> BoxFuture) -> anyhow::Result<()> {
    let db = server::open_database(&config).await?;
    let state = AppState::new(config, db);
    node::bootstrap(&state).await?;
    let result = f(state.clone()).await;
    state.db.close().await;
    result
}

/// The member a steward's command acts as (`--by NAME`), or none for the secretariat.
async fn acting(state: &AppState, by: Option<String>) -> anyhow::Result<Option<crate::storage::actors::ActorRow>> {
    match by {
        Some(b) => Ok(Some(local_person(state, &b).await?)),
        None => Ok(None),
    }
}

async fn local_person(state: &AppState, name: &str) -> anyhow::Result<crate::storage::actors::ActorRow> {
    let account = accounts::find(state, name).await?;
    if account.actor.is_suspended() {
        bail!("@{name} is suspended");
    }
    Ok(account.actor)
}

async fn member(state: &AppState, name: &str, action: MemberCommand) -> anyhow::Result<()> {
    let me = local_person(state, name).await?;
    match action {
        MemberCommand::Follow { handle } => {
            let target = remote::resolve_handle(state, &handle).await?;
            match social::follow(state, &me, &target).await? {
                social::FollowState::Accepted => println!("@{name} follows {}.", target.ap_id),
                social::FollowState::Pending => println!("@{name} asked to follow {} (pending).", target.ap_id),
            }
        }
        MemberCommand::Unfollow { handle } => {
            let target = remote::resolve_handle(state, &handle).await?;
            social::unfollow(state, &me, &target).await?;
            println!("@{name} no longer follows {}.", target.ap_id);
        }
        MemberCommand::Post {
            text,
            group,
            title,
            reply_to,
        } => {
            let group = match group {
                Some(h) => Some(remote::resolve_handle(state, &h).await?),
                None => None,
            };
            let post = posts::create(
                state,
                &me,
                posts::NewPost {
                    title,
                    text,
                    group,
                    in_reply_to: reply_to,
                    ..Default::default()
                },
            )
            .await?;
            println!("{}", post.ap_id);
        }
        MemberCommand::Edit { post, text, title } => {
            let post = find_post(state, &post).await?;
            let changes = posts::Changes {
                text,
                title,
                summary: post.summary.clone(),
                sensitive: post.sensitive,
                language: None,
            };
            posts::edit(state, &me, &post, changes).await?;
            println!("Edited {}", post.ap_id);
        }
        MemberCommand::Delete { post } => {
            let post = find_post(state, &post).await?;
            posts::delete(state, &me, &post).await?;
            println!("Deleted {}", post.ap_id);
        }
        MemberCommand::Like { post, undo } => {
            let post = find_post(state, &post).await?;
            posts::react(state, &me, &post, "Like", undo).await?;
            println!("{} {}", if undo { "Unliked" } else { "Liked" }, post.ap_id);
        }
        MemberCommand::Boost { post, undo } => {
            let post = find_post(state, &post).await?;
            posts::react(state, &me, &post, "Announce", undo).await?;
            println!("{} {}", if undo { "Unboosted" } else { "Boosted" }, post.ap_id);
        }
        MemberCommand::Fetch { url } => {
            let url = url::Url::parse(&url)?;
            let (_, doc) = crate::federation::fetch::fetch_json(state, &url, &remote::signer_of(&me)?).await?;
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    Ok(())
}

async fn find_post(state: &AppState, id: &str) -> anyhow::Result<crate::storage::posts::PostRow> {
    crate::storage::posts::find_by_ap_id(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("unknown post {id}"))
}

async fn group(state: &AppState, cmd: GroupCommand) -> anyhow::Result<()> {
    use crate::services::groups::{self as g, Moderation};
    let moderate_post = |group: String, post: String, by: Option<String>, action: g::PostModeration| async move {
        let (group, _) = g::find_local(state, &group).await?;
        let post = find_post(state, &post).await?;
        let by = acting(state, by).await?;
        g::moderate_post(state, &group, &post, by.as_ref(), action).await?;
        println!("{action:?}: {}", post.ap_id);
        anyhow::Ok(())
    };
    let moderate = |group: String, handle: String, by: Option<String>, reason: String, action: Moderation| async move {
        let (group, _) = g::find_local(state, &group).await?;
        let member = remote::resolve_reference(state, &handle).await?;
        let by = acting(state, by).await?;
        g::moderate(state, &group, &member, by.as_ref(), action, &reason).await?;
        println!("{action:?}: {} in {}", member.ap_id, group.ap_id);
        anyhow::Ok(())
    };
    match cmd {
        GroupCommand::Create {
            name,
            owner,
            display_name,
            summary,
            members_only,
            restricted,
        } => {
            let owner = local_person(state, &owner).await?;
            let (actor, row) = g::create(
                state,
                g::NewGroup {
                    name,
                    display_name,
                    summary,
                    members_only,
                    posting_restricted_to_mods: restricted,
                    owner: Some(owner.id),
                },
            )
            .await?;
            println!(
                "Created {} group {} ({})",
                row.visibility,
                actor.ap_id,
                actor.url.unwrap_or_default()
            );
            Ok(())
        }
        GroupCommand::List => {
            for (name, visibility, members) in crate::storage::groups::list_local(&state.db).await? {
                println!("{name:<24} {visibility:<8} {members} members");
            }
            Ok(())
        }
        GroupCommand::Requests { group } => {
            let (group, _) = g::find_local(state, &group).await?;
            for a in crate::storage::follows::pending_actors(&state.db, group.id).await? {
                let domain = a.domain.clone().unwrap_or_else(|| state.config.domain.clone());
                println!("@{}@{domain}\t{}", a.username, a.ap_id);
            }
            Ok(())
        }
        GroupCommand::Approve {
            group,
            handle,
            by,
            reason,
        } => moderate(group, handle, by, reason, Moderation::Approve).await,
        GroupCommand::Reject {
            group,
            handle,
            by,
            reason,
        } => moderate(group, handle, by, reason, Moderation::Reject).await,
        GroupCommand::Remove {
            group,
            handle,
            by,
            reason,
        } => moderate(group, handle, by, reason, Moderation::Remove).await,
        GroupCommand::Ban {
            group,
            handle,
            by,
            reason,
        } => moderate(group, handle, by, reason, Moderation::Ban).await,
        GroupCommand::Steward {
            group,
            handle,
            by,
            undo,
        } => {
            let (group, _) = g::find_local(state, &group).await?;
            let member = remote::resolve_handle(state, &handle).await?;
            let by = acting(state, by).await?;
            g::set_steward(state, &group, &member, by.as_ref(), !undo).await?;
            println!(
                "{} {} as steward of {}",
                if undo { "Withdrew" } else { "Appointed" },
                member.ap_id,
                group.ap_id
            );
            Ok(())
        }
        GroupCommand::Unban { group, handle, by } => {
            let (group, _) = g::find_local(state, &group).await?;
            let member = remote::resolve_handle(state, &handle).await?;
            let by = acting(state, by).await?;
            g::unban(state, &group, &member, by.as_ref()).await?;
            println!("Unbanned {} from {}", member.ap_id, group.ap_id);
            Ok(())
        }
        GroupCommand::Pin { group, post, by, undo } => {
            let action = if undo {
                g::PostModeration::Unpin
            } else {
                g::PostModeration::Pin
            };
            moderate_post(group, post, by, action).await
        }
        GroupCommand::Lock { group, post, by, undo } => {
            let action = if undo {
                g::PostModeration::Unlock
            } else {
                g::PostModeration::Lock
            };
            moderate_post(group, post, by, action).await
        }
        GroupCommand::DeletePost {
            group,
            post,
            by,
            reason,
        } => {
            let (group, _) = g::find_local(state, &group).await?;
            let post = crate::storage::posts::find_by_ap_id(&state.db, &post)
                .await?
                .ok_or_else(|| anyhow::anyhow!("unknown post {post}"))?;
            let by = acting(state, by).await?;
            g::delete_post(state, &group, &post, by.as_ref(), &reason).await?;
            println!("Deleted {}", post.ap_id);
            Ok(())
        }
    }
}

async fn admin(state: &AppState, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser {
            name,
            email,
            role,
            password,
            display_name,
        } => {
            let role: Role = role.parse()?;
            let (password, generated) = match password {
                Some(p) => (p, false),
                None if std::io::stdin().is_terminal() => (prompt_password()?, false),
                None => (generate_password(), true),
            };
            let account = accounts::create(
                state,
                NewAccount {
                    username: name,
                    email,
                    password: password.clone(),
                    role,
                    display_name,
                    bio: String::new(),
                    approved: true,
                },
            )
            .await?;
            println!(
                "Created {} @{}@{} ({}), actor {}",
                account.role(),
                account.actor.username,
                state.config.domain,
                account.user.email,
                account.actor.ap_id
            );
            if generated {
                println!("Password: {password}");
            }
            Ok(())
        }
        AdminCommand::ListUsers => {
            let list = users::list(&state.db).await?;
            if list.is_empty() {
                println!("No members yet.");
                return Ok(());
            }
            println!(
                "{:<20} {:<10} {:<32} {:<10} CREATED",
                "USERNAME", "ROLE", "EMAIL", "STATUS"
            );
            for u in list {
                let status = if u.suspended_at.is_some() {
                    "suspended"
                } else {
                    "active"
                };
                println!(
                    "{:<20} {:<10} {:<32} {:<10} {}",
                    u.username,
                    u.role,
                    u.email,
                    status,
                    u.created_at.format("%Y-%m-%d %H:%M")
                );
            }
            Ok(())
        }
        AdminCommand::Pending => {
            let list = users::pending(&state.db).await?;
            if list.is_empty() {
                println!("No registrations are waiting.");
            }
            for u in list {
                println!(
                    "{:<20} {:<32} {}",
                    u.username,
                    u.email,
                    u.created_at.format("%Y-%m-%d %H:%M")
                );
            }
            Ok(())
        }
        AdminCommand::Approve { name } => {
            let account = accounts::find(state, &name).await?;
            if users::set_approved(&state.db, account.user.id).await? {
                println!("@{} is approved and can sign in.", account.actor.username);
            } else {
                println!("@{} was already approved.", account.actor.username);
            }
            Ok(())
        }
        AdminCommand::SetRole { name, role } => {
            let account = accounts::set_role(state, &name, role.parse()?).await?;
            println!("@{} is now {}.", account.actor.username, account.role());
            Ok(())
        }
        AdminCommand::Suspend { name, undo } => {
            let account = accounts::set_suspended(state, &name, !undo).await?;
            if undo {
                println!("@{} is no longer suspended.", account.actor.username);
            } else {
                println!("@{} is suspended.", account.actor.username);
            }
            Ok(())
        }
        AdminCommand::Reports { all } => {
            let list = crate::storage::reports::list(&state.db, all, 200).await?;
            if list.is_empty() {
                println!("No open reports.");
            }
            let handle = |a: Option<crate::storage::actors::ActorRow>| match a {
                Some(a) => match &a.domain {
                    Some(d) => format!("@{}@{d}", a.username),
                    None => format!("@{}", a.username),
                },
                None => "(gone)".to_owned(),
            };
            for r in list {
                let reporter = handle(crate::storage::actors::find_by_id(&state.db, r.reporter_id).await?);
                let target = handle(crate::storage::actors::find_by_id(&state.db, r.target_id).await?);
                let group = match r.group_id {
                    Some(g) => format!(
                        " in {}",
                        handle(crate::storage::actors::find_by_id(&state.db, g).await?)
                    ),
                    None => String::new(),
                };
                let state_word = if r.resolved_at.is_some() { "resolved" } else { "open" };
                println!(
                    "{} {} {state_word} {}: {target}{group} reported by {reporter}, {} post(s): {}",
                    r.id,
                    r.created_at.format("%Y-%m-%d %H:%M"),
                    r.category,
                    r.posts().len(),
                    r.comment
                );
            }
            Ok(())
        }
        AdminCommand::ResolveReport { id } => {
            if crate::storage::reports::resolve(&state.db, id, crate::storage::now()).await? {
                println!("Report {id} is resolved.");
                Ok(())
            } else {
                anyhow::bail!("no open report {id}")
            }
        }
    }
}

fn prompt_password() -> anyhow::Result<String> {
    let first = rpassword::prompt_password("Password: ").context("reading password")?;
    let second = rpassword::prompt_password("Repeat password: ").context("reading password")?;
    if first != second {
        bail!("the passwords do not match");
    }
    Ok(first)
}

/// 20 characters from an alphabet without look-alikes: about 115 bits.
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn find_event(state: &AppState, id: &str) -> anyhow::Result<crate::storage::events::EventRow> {
    crate::storage::events::find_by_ap_id(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("unknown event {id}"))
}

async fn event(state: &AppState, cmd: EventCommand) -> anyhow::Result<()> {
    use crate::services::events as ev;
    match cmd {
        EventCommand::Create(args) => {
            let EventArgs {
                by,
                group,
                title,
                description,
                start,
                end,
                all_day,
                tags,
                attendees,
                timezone,
                place,
                address,
                online,
                online_public,
                category,
                capacity,
                join_mode,
                external_url,
                tentative,
                series,
            } = *args;
            let me = local_person(state, &by).await?;
            let group = match group {
                Some(g) => Some(crate::services::groups::find_local(state, &g).await?.0),
                None => None,
            };
            let series = match series {
                Some(s) => Some(find_event(state, &s).await?.id),
                None => None,
            };
            let new = ev::NewEvent {
                title,
                description,
                starts: Some(ev::wall_clock(&start, all_day, false)?),
                ends: end.as_deref().map(|e| ev::wall_clock(e, all_day, true)).transpose()?,
                timezone,
                all_day,
                place_name: place,
                place_address: address,
                online_url: online,
                online_url_public: online_public,
                category,
                capacity,
                join_mode,
                external_url,
                tentative,
                series,
                tags,
                cover_media_id: None,
                remove_cover: false,
                attendees_visibility: attendees,
            };
            let e = ev::create(state, &me, group.as_ref(), new).await?;
            println!("{}", e.ap_id);
        }
        EventCommand::Join { name, event } => {
            let me = local_person(state, &name).await?;
            let e = find_event(state, &event).await?;
            let standing = if e.local {
                ev::admit(state, &e, &me, None).await?
            } else {
                ev::join_remote(state, &e, &me).await?
            };
            println!("@{name}: {}", standing.as_str());
        }
        EventCommand::Leave { name, event } => {
            let me = local_person(state, &name).await?;
            let e = find_event(state, &event).await?;
            if e.local {
                if let Some(p) = ev::leave(state, &e, &me).await? {
                    println!("{} moves up from the waiting list.", p.ap_id);
                }
            } else {
                ev::leave_remote(state, &e, &me).await?;
            }
            println!("@{name} left {}", e.ap_id);
        }
        EventCommand::Approve { event, handle, by } => decide_participant(state, &event, &handle, &by, true).await?,
        EventCommand::Reject { event, handle, by } => decide_participant(state, &event, &handle, &by, false).await?,
        EventCommand::Cancel { event, by } => {
            let me = local_person(state, &by).await?;
            let e = ev::cancel(state, &find_event(state, &event).await?, &me).await?;
            println!("Cancelled {}", e.ap_id);
        }
        EventCommand::Participants { event } => {
            let e = find_event(state, &event).await?;
            for status in crate::storage::events::STATES {
                for p in crate::storage::events::participants(&state.db, e.id, status).await? {
                    if let Some(a) = crate::storage::actors::find_by_id(&state.db, p.actor_id).await? {
                        println!("{status:<10} {}", a.ap_id);
                    }
                }
            }
        }
        EventCommand::Maybe { name, event } => {
            let me = local_person(state, &name).await?;
            let e = find_event(state, &event).await?;
            ev::interested(state, &e, &me, None).await?;
            println!("@{name}: interested");
        }
        EventCommand::Invite { event, handle, by } => {
            let me = local_person(state, &by).await?;
            let e = find_event(state, &event).await?;
            let who = remote::resolve_handle(state, &handle).await?;
            if ev::invite(state, &e, &me, &who).await? {
                println!("Invited {}", who.ap_id);
            } else {
                println!("{} was invited already", who.ap_id);
            }
        }
        EventCommand::Delete { event, by } => {
            let me = local_person(state, &by).await?;
            let e = find_event(state, &event).await?;
            ev::delete(state, &e, &me).await?;
            println!("Deleted {}", e.ap_id);
        }
        EventCommand::AgendaUrl { name } => {
            let me = local_person(state, &name).await?;
            let token = crate::api::auth::new_secret();
            crate::storage::events::insert_calendar_token(
                &state.db,
                &crate::api::auth::hash_secret(&token),
                me.id,
                crate::storage::now(),
            )
            .await?;
            println!("{}agenda/{token}.ics", state.urls.base());
        }
    }
    Ok(())
}

async fn decide_participant(state: &AppState, event: &str, handle: &str, by: &str, accept: bool) -> anyhow::Result<()> {
    let me = local_person(state, by).await?;
    let e = find_event(state, event).await?;
    let who = remote::resolve_handle(state, handle).await?;
    let standing = crate::services::events::decide(state, &e, &who, &me, accept).await?;
    if accept {
        println!("{}: {}", who.ap_id, standing.as_str());
    } else {
        println!("{}: refused", who.ap_id);
    }
    Ok(())
}
