//! The `staffroom` command line: serve, migrate and the secretariat's admin commands.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rand::Rng;

use crate::app::AppState;
use crate::config::Config;
use crate::server;
use crate::services::accounts::{self, NewAccount, Role};
use crate::services::node;
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
        Command::Admin(cmd) => {
            let db = server::open_database(&config).await?;
            let state = AppState::new(config, db);
            node::bootstrap(&state).await?;
            let result = admin(&state, cmd).await;
            state.db.close().await;
            result
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
