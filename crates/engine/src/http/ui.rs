//! The web UI: `ui/dist` built into the binary (rust-embed; debug builds read the folder at
//! run time). Any GET that is not an API call and not a file gets `index.html`, so the UI's
//! own routes (`/accounts`, `/queue/12`) load on refresh. Without a built UI, `/` says how
//! to build one. Every response carries the security headers.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::api::ApiError;

#[derive(rust_embed::Embed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Dist;

/// Only this origin's scripts, styles (inline ones for the UI's components), images and
/// API calls; never framed.
const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
                   style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/// Files under `assets/` have a content hash in their names: they never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Postroom</title></head><body><h1>Postroom</h1>\
<p>The web control panel was not built into this binary.</p>\
<p>Build it, then build Postroom again:</p>\
<pre>npm --prefix ui ci &amp;&amp; npm --prefix ui run build\ncargo build --release</pre>\
<p>The admin API is served under <code>/api/</code> meanwhile; see the README.</p>\
</body></html>";

/// The router's fallback: UI files, the SPA fallback, or a JSON 404 under `/api/`.
pub(super) async fn serve(request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found("no such endpoint").into_response();
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return ApiError::not_found("no such page").into_response();
    }
    let name = path.trim_start_matches('/');
    if let Some(file) = (!name.is_empty()).then(|| Dist::get(name)).flatten() {
        let cache = if name.starts_with("assets/") {
            IMMUTABLE
        } else {
            "no-cache"
        };
        return file_response(file, cache);
    }
    // A hashed file that is not there is not a page of the UI.
    if name.starts_with("assets/") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match Dist::get("index.html") {
        Some(index) => file_response(index, "no-cache"),
        None => ([(header::CACHE_CONTROL, "no-cache")], Html(NOT_BUILT)).into_response(),
    }
}

fn file_response(file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = file.metadata.mimetype().to_string();
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, cache.to_string()),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// The headers every admin response carries.
pub(super) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
