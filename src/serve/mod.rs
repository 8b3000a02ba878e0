//! `emeroteca serve`: the index (or a cluster's, with `--engine`) over HTTP. The JSON is the
//! command line's, byte for byte; the index is opened once, and its reader follows the commits
//! of a running `index`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::archive::Archive;
use crate::error::QueryError;
use crate::index;
use crate::options;
use crate::output;

/// The largest request body accepted (every endpoint is a GET: bodies are refused, not read).
const MAX_BODY_BYTES: usize = 16 * 1024;

pub struct ServeOptions {
    pub index: PathBuf,
    /// A cluster index to serve instead (`http://HOST:PORT/NAME`).
    pub engine: Option<String>,
    pub addr: SocketAddr,
    /// Origins allowed to call the API from a browser (`*` for any); none by default.
    pub cors: Vec<String>,
    /// How long a request may take, queueing included, before it is answered 503.
    pub timeout: Duration,
    /// Searches run at the same time; more wait their turn.
    pub workers: usize,
}

struct AppState {
    archive: Archive,
    path: PathBuf,
    /// Bounds the searches running at once, so a flood queues instead of taking every thread.
    permits: Arc<Semaphore>,
    timeout: Duration,
    /// `/stats` reads every article's columns: kept until the next commit is picked up.
    stats: std::sync::Mutex<Option<(u64, Vec<u8>)>>,
}

/// Serves until Ctrl-C or SIGTERM. `ready` is told the address actually bound (the port may
/// have been 0).
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr, u64)) -> anyhow::Result<()> {
    let archive = Archive::open_following(&options.index, options.engine.as_deref())?;
    let articles = archive.articles()?;
    let router = router(&options, archive)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .with_context(|| format!("cannot listen on {}", options.addr))?;
        ready(listener.local_addr()?, articles);
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("the server stopped")
    })
}

fn router(options: &ServeOptions, archive: Archive) -> anyhow::Result<Router> {
    let state = Arc::new(AppState {
        archive,
        path: options.index.clone(),
        permits: Arc::new(Semaphore::new(options.workers.max(1))),
        timeout: options.timeout,
        stats: std::sync::Mutex::new(None),
    });
    let mut router = Router::new()
        .route("/", get(page::html))
        .route("/page.js", get(page::script))
        .route("/page.css", get(page::style))
        .route("/search", get(search_handler))
        .route("/articles/{id}", get(article_handler))
        .route("/stats", get(stats_handler))
        .route("/health", get(health_handler))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    if !options.cors.is_empty() {
        router = router.layer(cors(&options.cors)?);
    }
    Ok(router)
}

fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|o| HeaderValue::from_str(o).with_context(|| format!("bad --cors origin `{o}`")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(values)
    };
    Ok(CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET]))
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// A JSON body with its status.
fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A 200 with the JSON the command line's renderer writes.
fn rendered(render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Response {
    let mut body = Vec::new();
    match render(&mut body) {
        Ok(()) => json(StatusCode::OK, body),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// An error as `{"error": "…"}`.
fn error(status: StatusCode, message: &str) -> Response {
    // A JSON value of one string always serialises.
    let mut body = serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default();
    body.push(b'\n');
    json(status, body)
}

/// Runs index work on a blocking thread, one of at most `workers`, within the timeout.
async fn blocking<F>(state: Arc<AppState>, work: F) -> Response
where
    F: FnOnce(&AppState) -> Response + Send + 'static,
{
    let (permits, timeout, task) = (
        Arc::clone(&state.permits),
        state.timeout,
        Arc::clone(&state),
    );
    bounded(permits, timeout, move || work(&task)).await
}

/// Runs `work` on a blocking thread once a permit is free, and holds the permit until the work
/// ends. A request that waits longer than `timeout` for a permit is a 503 and never starts; one
/// whose work outlasts the timeout is a 503 too, and its work finishes unseen (a search cannot
/// be interrupted), still counted among the `workers`.
async fn bounded<F>(permits: Arc<Semaphore>, timeout: Duration, work: F) -> Response
where
    F: FnOnce() -> Response + Send + 'static,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let too_slow = || {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "no answer within {} s; try a narrower query",
                timeout.as_secs_f64()
            ),
        )
    };
    let permit = match tokio::time::timeout_at(deadline, permits.acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(closed)) => return error(StatusCode::INTERNAL_SERVER_ERROR, &closed.to_string()),
        Err(_) => return too_slow(),
    };
    let task = tokio::task::spawn_blocking(move || {
        let response = work();
        drop(permit);
        response
    });
    match tokio::time::timeout_at(deadline, task).await {
        Ok(Ok(response)) => response,
        Ok(Err(failed)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the request failed: {failed}"),
        ),
        Err(_) => too_slow(),
    }
}

async fn search_handler(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let given = options::Given::from_query_string(query.as_deref().unwrap_or(""));
    let asked = match given.and_then(|given| given.resolve(options::Limits::HTTP)) {
        Ok(asked) => asked,
        Err(bad) => return error(StatusCode::BAD_REQUEST, &bad.to_string()),
    };
    blocking(state, move |state| {
        match state.archive.search(&asked.request) {
            Ok(mut results) => {
                let folders = index::folders(&state.path);
                for hit in &mut results.hits {
                    hit.path = index::shown_path(&hit.path, &folders);
                }
                rendered(|body| output::json::results(&results, asked.fields.as_deref(), body))
            }
            Err(e) => match e.downcast_ref::<QueryError>() {
                Some(bad) => error(StatusCode::BAD_REQUEST, &bad.to_string()),
                None => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e:#}")),
            },
        }
    })
    .await
}

async fn article_handler(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    blocking(state, move |state| match state.archive.get(&id) {
        Ok(Some(mut article)) => {
            article.path = index::shown_path(&article.path, &index::folders(&state.path));
            rendered(|body| output::json::article(&article, body))
        }
        Ok(None) => error(StatusCode::NOT_FOUND, &format!("no article with id `{id}`")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e:#}")),
    })
    .await
}

async fn stats_handler(State(state): State<Arc<AppState>>) -> Response {
    blocking(state, |state| {
        let generation = state.archive.generation();
        let mut cached = state
            .stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((made_for, body)) = cached.as_ref()
            && Some(*made_for) == generation
        {
            return json(StatusCode::OK, body.clone());
        }
        let mut body = Vec::new();
        match state
            .archive
            .stats(&state.path)
            .and_then(|stats| Ok(output::json::stats(&stats, &mut body)?))
        {
            Ok(()) => {
                *cached = generation.map(|generation| (generation, body.clone()));
                json(StatusCode::OK, body)
            }
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e:#}")),
        }
    })
    .await
}

/// `{"status": "ok", "articles": N}`: N follows the index's commits.
async fn health_handler(State(state): State<Arc<AppState>>) -> Response {
    blocking(state, |state| match state.archive.articles() {
        Ok(articles) => {
            let mut body =
                serde_json::to_vec(&serde_json::json!({ "status": "ok", "articles": articles }))
                    .unwrap_or_default();
            body.push(b'\n');
            json(StatusCode::OK, body)
        }
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, &format!("{e:#}")),
    })
    .await
}

async fn not_found(uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!(
            "no endpoint `{}`; the endpoints are /search, /articles/ID, /stats, /health and the page at /",
            uri.path()
        ),
    )
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "only GET is served")
}

/// The search page: three files compiled in, so it works offline and has no build step.
mod page {
    use super::*;

    /// Only this server's own files run or load in the page.
    const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    fn file(content_type: &'static str, body: &'static str) -> Response {
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(POLICY),
                ),
                (
                    HeaderName::from_static("x-content-type-options"),
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            body,
        )
            .into_response()
    }

    pub async fn html() -> Response {
        file("text/html; charset=utf-8", include_str!("page.html"))
    }

    pub async fn script() -> Response {
        file("text/javascript; charset=utf-8", include_str!("page.js"))
    }

    pub async fn style() -> Response {
        file("text/css; charset=utf-8", include_str!("page.css"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn work_over_its_time_is_a_503_and_work_within_it_answers() {
        let permits = Arc::new(Semaphore::new(1));
        let slow = runtime().block_on(bounded(
            Arc::clone(&permits),
            Duration::from_millis(20),
            || {
                std::thread::sleep(Duration::from_millis(300));
                StatusCode::OK.into_response()
            },
        ));
        assert_eq!(slow.status(), StatusCode::SERVICE_UNAVAILABLE);
        let quick = runtime().block_on(bounded(permits, Duration::from_secs(5), || {
            StatusCode::OK.into_response()
        }));
        assert_eq!(quick.status(), StatusCode::OK);
    }

    /// Runs `work` counting the works running at once into `running`, the most into `peak`.
    fn counted(running: &AtomicUsize, peak: &AtomicUsize, work: impl FnOnce()) {
        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(now, Ordering::SeqCst);
        work();
        running.fetch_sub(1, Ordering::SeqCst);
    }

    #[test]
    fn a_flood_of_slow_work_never_runs_more_than_the_workers() {
        let permits = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let runtime = runtime();
        let answers = runtime.block_on(async {
            let mut clients = Vec::new();
            // Dozens of clients, each asking again as soon as it is answered.
            for _ in 0..48 {
                let (permits, running, peak) = (
                    Arc::clone(&permits),
                    Arc::clone(&running),
                    Arc::clone(&peak),
                );
                clients.push(tokio::spawn(async move {
                    let mut statuses = Vec::new();
                    for _ in 0..5 {
                        let (running, peak) = (Arc::clone(&running), Arc::clone(&peak));
                        let response =
                            bounded(Arc::clone(&permits), Duration::from_millis(20), move || {
                                counted(&running, &peak, || {
                                    std::thread::sleep(Duration::from_millis(60))
                                });
                                StatusCode::OK.into_response()
                            })
                            .await;
                        statuses.push(response.status());
                    }
                    statuses
                }));
            }
            let mut all = Vec::new();
            for client in clients {
                all.extend(client.await.unwrap());
            }
            all
        });
        assert!(answers.contains(&StatusCode::SERVICE_UNAVAILABLE));
        assert!(
            peak.load(Ordering::SeqCst) <= 2,
            "{} searches ran at once with 2 workers",
            peak.load(Ordering::SeqCst)
        );
        // Right after the flood, a simple request answers.
        let quick = runtime.block_on(bounded(permits, Duration::from_secs(5), || {
            StatusCode::OK.into_response()
        }));
        assert_eq!(quick.status(), StatusCode::OK);
    }
}
