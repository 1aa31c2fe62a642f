//! SQL statements counted per request: a tracing layer that adds up the `sqlx::query` events
//! (one per statement, on either engine: the SQLite worker thread enters the caller's span) under
//! each `request` span of `http::router`, and reports the total when the request ends.
//!
//! The events exist only where `sqlx::query=debug` is enabled (`RUST_LOG=staffroom=debug,sqlx::query=debug`
//! logs `statements=N` per request id); tests and `staffroom-bench` enable them to check the bound
//! on statements per page.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Totals by request id, for whoever wants to read them (tests, benchmarks).
pub type StatementTotals = Arc<Mutex<HashMap<String, usize>>>;

/// The layer; `totals` keeps every finished request's count when given.
#[derive(Default, Clone)]
pub struct StatementCounter {
    pub totals: Option<StatementTotals>,
}

struct RequestCount {
    request_id: String,
    statements: AtomicUsize,
}

#[derive(Default)]
struct RequestId(Option<String>);

impl Visit for RequestId {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "request_id" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "request_id" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S> Layer<S> for StatementCounter
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut rid = RequestId::default();
        attrs.record(&mut rid);
        if let (Some(span), Some(request_id)) = (ctx.span(id), rid.0) {
            span.extensions_mut().insert(RequestCount {
                request_id,
                statements: AtomicUsize::new(0),
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else { return };
        for span in scope {
            if let Some(c) = span.extensions().get::<RequestCount>() {
                c.statements.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let ext = span.extensions();
        let Some(c) = ext.get::<RequestCount>() else { return };
        let n = c.statements.load(Ordering::Relaxed);
        if let Some(totals) = &self.totals {
            totals.lock().expect("statement totals").insert(c.request_id.clone(), n);
        }
        tracing::debug!(target: "staffroom::statements", request_id = %c.request_id, statements = n, "SQL statements of the request");
    }
}

/// Caps glibc's malloc at two arenas. By default it keeps up to eight per core, one per thread
/// that met contention, and memory freed in one is not reused by the others nor returned: the
/// soak benchmark's resident memory was 149–154 MB over ten minutes with the default, 68 MB
/// with two arenas, at the same latency. An operator's own `MALLOC_ARENA_MAX` wins. Call it
/// before any thread starts. Elsewhere than glibc it does nothing.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
