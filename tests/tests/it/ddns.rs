//! Dynamic DNS updaters against `fixtures/ddns_peer.py`.

mod settings;
mod update;
