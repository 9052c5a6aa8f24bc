//! The router and the server loop. `app(state)` is the whole HTTP surface (tests can
//! `oneshot` it); `launch_with_listener` runs it on a listener the caller bound, so tests
//! start the real server on 127.0.0.1:0.

use std::future::Future;
use std::time::Instant;

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::{redact_url, Config};
use crate::error::AppError;
use crate::handlers::{account, accounts, devices, health, me, metrics, push, sessions};
use crate::handlers::{calendar_feed, duplicates, export, import};
use crate::state::AppState;

/// Every route. Keep additions to one line each, grouped by owner, so merges stay easy.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        // accounts and sessions
        .route("/accounts", post(accounts::signup))
        .route("/sessions", post(sessions::login))
        .route("/sessions/current", delete(sessions::logout))
        .route("/me", get(me::me))
        // devices and the account's lifetime (ops)
        .route("/devices", get(devices::list))
        .route("/devices/{id}", delete(devices::remove))
        .route("/account/password", post(account::change_password))
        .route("/account", delete(account::delete_account))
        // reminders and push
        .route("/push/vapid-public-key", get(push::vapid_public_key))
        .route("/push/subscriptions", post(push::subscribe).delete(push::unsubscribe))
        // import, export, duplicates (the import reads its own body, up to 20 MiB)
        .route("/import", post(import::import))
        .route("/export.vcf", get(export::vcf))
        .route("/export.json", get(export::json))
        .route("/duplicates", get(duplicates::list))
        .route("/contacts/{id}/merge", post(duplicates::merge))
        .route("/reminders", get(crate::handlers::reminders::list))
        .route("/contacts/{id}/interactions", post(crate::handlers::actions::log_interaction))
        .route("/contacts/{id}/snooze", post(crate::handlers::actions::snooze))
        .route("/follow-ups/{id}/done", post(crate::handlers::follow_ups::done))
        .route("/follow-ups/{id}/snooze", post(crate::handlers::follow_ups::snooze))
        // reminder channels (email, ntfy), test sends, the delivery log, signed links
        .route("/channels", get(crate::handlers::channels::list))
        .route("/channels/{kind}", put(crate::handlers::channels::put).delete(crate::handlers::channels::remove))
        .route("/channels/{kind}/test", post(crate::handlers::channels::test))
        .route("/channels/email/address", post(crate::handlers::email_address::request))
        .route("/channels/email/address/confirm", post(crate::handlers::email_address::confirm))
        .route("/push/test", post(crate::handlers::channels::push_test))
        .route("/deliveries", get(crate::handlers::channels::deliveries))
        .route("/links/{token}", get(crate::handlers::links::show).post(crate::handlers::links::act))
        // app passwords (CardDAV and the calendar feed)
        .route("/app-passwords", post(crate::handlers::app_passwords::create).get(crate::handlers::app_passwords::list))
        .route("/app-passwords/{id}", delete(crate::handlers::app_passwords::revoke))
        // the calendar feed (a secret URL; see handlers/calendar_feed.rs)
        .route("/calendar-feed", get(calendar_feed::status).post(calendar_feed::create).delete(calendar_feed::remove))
        .method_not_allowed_fallback(method_not_allowed);

    let router = Router::new()
        .nest("/api/v1", api)
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .route("/cal/{file}", get(calendar_feed::feed))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        // WebSocket sync (automerge-repo protocol v1)
        .route("/sync", get(crate::handlers::sync::sync_route))
        // CardDAV (its own auth: HTTP Basic with an app password)
        .route("/.well-known/carddav", any(crate::dav::well_known))
        .route("/dav", any(crate::dav::handle))
        .route("/dav/", any(crate::dav::handle))
        .route("/dav/{*path}", any(crate::dav::handle));
    let router = match crate::web::source(&state.config) {
        crate::web::Source::Dir(dir) => router.fallback_service(crate::web::service(&dir)),
        crate::web::Source::Embedded => router.fallback_service(crate::web_embedded::service()),
        crate::web::Source::Missing => router.fallback(crate::web::missing),
    };
    router
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::dav::root_discovery))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), count_request))
        .layer(CatchPanicLayer::custom(|_panic| {
            // The panic itself is reported by the panic hook (stderr); the client gets the
            // same opaque 500 as any internal error.
            AppError::internal("handler panicked").into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // Outermost: also on 404s, panics' 500s and static files.
        .layer(axum::middleware::from_fn(crate::security_headers::security_headers))
        .with_state(state)
}

/// One span per request, named by route pattern (`/api/v1/me`, never the raw URI, which may
/// carry `?token=`). Handlers fill in `user.id` once they know it.
fn request_span(req: &Request) -> tracing::Span {
    let route = req.extensions().get::<MatchedPath>().map_or("(static)", MatchedPath::as_str);
    tracing::info_span!("request", method = %req.method(), route, user.id = tracing::field::Empty)
}

/// Feeds `/metrics`: every request by route pattern, status and latency. WebSocket upgrades
/// count when the upgrade is answered, not when the socket closes.
async fn count_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or("(static)", MatchedPath::as_str).to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.observe_request(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

async fn api_not_found() -> AppError {
    AppError::NotFound("no such API endpoint".into())
}

async fn method_not_allowed() -> Response {
    let body = serde_json::json!({
        "error": { "code": "method_not_allowed", "message": "method not allowed on this endpoint" }
    });
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

/// Makes the data dir and opens (and migrates) the store: everything that can fail at
/// start, done before the first request is accepted.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    crate::data_files::prepare_data_dir(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    if let Some(db) = crate::store::sqlite::backup::sqlite_path(&config.database_url()) {
        crate::data_files::prepare_db_file(&db).with_context(|| format!("creating database file {}", db.display()))?;
    }
    let (store, bus) = crate::store::open_with_bus(&config.database_url())
        .await
        .with_context(|| format!("opening database {}", redact_url(&config.database_url())))?;
    let mut reminders = crate::reminder_service::Reminders::load(&config.reminders, &config.data_dir, config.listen)
        .context("setting up reminders")?;
    reminders.connect(&*store).await.context("setting up reminder channels")?;
    let mut state = AppState::with_bus(config, store, bus);
    state.reminders = Some(std::sync::Arc::new(reminders));
    Ok(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then shuts down gracefully (see
/// [`crate::shutdown`]): stop accepting, send every WebSocket a close frame (each finishes
/// the message it is handling, whose changes are persisted before they are acknowledged),
/// finish in-flight requests, stop background work and wait for it. All of that within
/// `shutdown_secs`; past it, an error says what was cut short.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let grace = std::time::Duration::from_secs(state.config.shutdown_secs);
    let (began_tx, began_rx) = tokio::sync::oneshot::channel::<tokio::time::Instant>();
    let (sockets, background) = (state.sockets.clone(), state.shutdown.clone());
    let signal = async move {
        shutdown.await;
        tracing::info!(open_sockets = sockets.count(), "shutting down: closing connections");
        sockets.close_all();
        background.begin();
        let _ = began_tx.send(tokio::time::Instant::now());
    };
    // Reminders (re-planning and push workers) run as tracked background tasks; if this
    // future is dropped (a test aborting its server), they are told to stop as well.
    if let Some(rt) = &state.reminders {
        let sources = crate::reminder_replan::Sources { hub: state.hub.clone(), store: state.store.clone() };
        crate::reminder_service::start(rt, sources, state.clock.clone(), state.metrics.clone(), &state.shutdown);
    }
    let _stop_background = state.shutdown.begin_on_drop();
    let router = app(state.clone());
    let header_timeout = std::time::Duration::from_secs(state.config.http_header_timeout_secs);
    let drain = async {
        crate::http_server::serve(listener, router, header_timeout, signal).await;
        // The accept loop has stopped and every HTTP connection has closed: stop background work.
        state.shutdown.begin();
        // Upgraded WebSockets are not tracked by the HTTP server; wait for them separately.
        state.sockets.all_closed().await;
        state.shutdown.finished().await;
        Ok(())
    };
    let deadline = async {
        match began_rx.await {
            Ok(began) => tokio::time::sleep_until(began + grace).await,
            // The server stopped without a shutdown signal (it failed): let `drain` report it.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = drain => result,
        () = deadline => Err(anyhow::anyhow!(
            "shutdown did not finish within {} s ({} WebSocket(s) still open); exiting anyway",
            grace.as_secs(),
            state.sockets.count()
        )),
    }
}

/// Begins shutdown of background work when dropped.
pub async fn launch_with_listener(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr().context("listener address")?;
    // The bound address (port 0 resolved): the default public URL for links is built from it.
    let state = prepare(Config { listen: addr, ..config }).await?;
    let web = match (crate::web::source(&state.config), &state.config.web_dir) {
        (crate::web::Source::Dir(dir), _) => format!("web client from {}", dir.display()),
        (crate::web::Source::Embedded, _) => "web client built into the binary".to_string(),
        (crate::web::Source::Missing, Some(wanted)) => {
            tracing::warn!("no index.html in {}: not serving a web client", wanted.display());
            "no web client".to_string()
        }
        (crate::web::Source::Missing, None) => "web client not built (run scripts/run)".to_string(),
    };
    tracing::info!(
        "kith listening on http://{addr}, data in {} (database {}), {web}",
        state.config.data_dir.display(),
        redact_url(&state.config.database_url()),
    );
    serve(listener, state, shutdown).await
}
