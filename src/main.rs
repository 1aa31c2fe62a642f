use clap::Parser;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use staffroom::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    // Before any thread starts: see `staffroom::telemetry::limit_malloc_arenas`.
    staffroom::telemetry::limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime")
        .block_on(run())
}

async fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve) {
        // A one-shot command whose reader went away (`| head -1`) ends quietly, as other Unix
        // tools do, instead of panicking on the failed write. The server keeps Rust's default
        // (SIGPIPE ignored) so a closed socket is an error it handles.
        // SAFETY: setting a signal disposition before any thread is started.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    // The server logs requests; one-shot commands only report problems.
    let default_filter = match cli.command {
        Command::Serve => "staffroom=info,tower_http=info",
        _ => "staffroom=warn",
    };
    tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)))
        .with(
            tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(
                std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none(),
            ),
        )
        // `RUST_LOG=staffroom=debug,sqlx::query=debug` adds the SQL statements of each request.
        .with(staffroom::telemetry::StatementCounter::default())
        .init();
    match staffroom::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
