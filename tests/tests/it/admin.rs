//! The admin surface: the HTTP API, the first-run wizard, live changes, the CLI.

mod api;
mod cli;
mod cli_api;
mod datadir;
mod events;
mod live;
mod security;
mod setup;
