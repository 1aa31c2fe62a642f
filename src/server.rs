//! Starting and stopping a node: open the database, migrate, bootstrap, serve until SIGTERM or
//! SIGINT, then finish in-flight requests.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::config::Config;
use crate::services::node;
use crate::storage::{Db, users};

/// Opens the database of `config` and applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, config.database.max_connections)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&config.database_url)))?;
    db.migrate().await.context("cannot apply database migrations")?;
    Ok(db)
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let addr: SocketAddr = config.listen.parse().context("listen address")?;
    let db = open_database(&config).await?;
    let state = AppState::new(config, db);
    node::bootstrap(&state).await?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    print_banner(&state, listener.local_addr()?).await?;
    // Every process delivers and processes from the shared queues in the database.
    let delivery = crate::federation::delivery::spawn_worker(state.clone());
    let inbox = crate::services::inbound::spawn_worker(state.clone());
    let health = crate::app::DbHealth::spawn_monitor(state.clone());
    let maintenance = crate::app::spawn_maintenance(state.clone());
    // Streaming clients of this process hear what the node's other processes publish.
    let relay = state.spawn_relay().await?;
    let app = crate::http::router(state.clone());
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    delivery.abort();
    inbox.abort();
    health.abort();
    maintenance.abort();
    if let Some(r) = relay {
        r.abort();
    }
    tracing::info!("shut down cleanly");
    state.db.close().await;
    Ok(())
}

/// What a person starting the node needs to know: where it is and what to do next.
async fn print_banner(state: &AppState, bound: SocketAddr) -> anyhow::Result<()> {
    let c = &state.config;
    let admins = users::count_admins(&state.db).await?;
    println!("Staffroom {} is running.", env!("CARGO_PKG_VERSION"));
    println!();
    println!("  Open {} in a browser.", state.urls.base());
    println!(
        "  Members sign in there, or with a Mastodon app by typing {} as their server.",
        c.domain
    );
    println!();
    println!("  node           {} ({})", c.node.name, state.urls.base());
    println!("  listening on   http://{bound}");
    println!(
        "  database       {} ({})",
        redact(&c.database_url),
        state.db.engine().name()
    );
    println!("  registrations  {}", c.registrations.as_str());
    println!(
        "  federation     {}{}",
        if c.federation.mode == crate::config::FederationMode::Open {
            "open"
        } else {
            "allowlist"
        },
        if c.allow_private_addresses {
            ", private addresses allowed"
        } else {
            ""
        }
    );
    println!(
        "  health         {}health   readiness {}ready",
        state.urls.base(),
        state.urls.base()
    );
    if c.registrations != crate::config::Registrations::Closed {
        println!(
            "  sign-up page   {}auth/sign_up ({})",
            state.urls.base(),
            c.registrations.as_str()
        );
    }
    if admins == 0 {
        println!();
        println!("No admin yet. Create the secretariat's first account (you will be asked for a password):");
        println!("  staffroom admin create-user NAME --email EMAIL --role admin");
        println!("  (from a source checkout: cargo run -- admin create-user NAME --email EMAIL --role admin)");
    }
    println!("Stop with Ctrl-C.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}
