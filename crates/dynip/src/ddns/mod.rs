//! Dynamic DNS: keeps each `[[ddns.record]]` pointing at the address the IP watcher sees.
//! A record is sent when the address changes and again every `refresh_interval`; temporary
//! failures (HTTP 5xx, dyndns2 `911`, timeouts) are retried after `retry_after`, doubled up
//! to an hour; fatal ones (bad credentials, unknown host, abuse) stop the record until the
//! settings change ([`Ddns::restart`]). Secrets stay in [`config::Secret`] and never reach
//! a message.
//!
//! - `service.rs`: [`Ddns`]: starting, restarting with new settings, the status.
//! - `runner.rs`: the schedule of one record.
//! - `http.rs`: sending a request and sorting its failures into fatal and temporary.
//! - `failure.rs`: [`Failure`], a failed update (fatal or temporary), and its
//!   [`crate::ErrorKind`] for the status.
//! - `sign.rs`: TC3-HMAC-SHA256 (Tencent Cloud) and HMAC-SHA1 (Alibaba Cloud) signatures.
//! - `dyndns2.rs`, `cloudflare.rs`, `dnspod.rs`, `alidns.rs`: one provider each.

mod alidns;
mod cloudflare;
mod dnspod;
mod dyndns2;
mod failure;
mod http;
mod runner;
mod service;
pub mod sign;

pub use service::Ddns;

pub(crate) use failure::Failure;

use std::net::{Ipv4Addr, Ipv6Addr};

use config::{DdnsProvider, DdnsRecord};
use serde::Serialize;

use crate::ip::PublicIp;

/// Everything the admin API shows about dynamic DNS.
#[derive(Debug, Clone, Serialize)]
pub struct DdnsStatus {
    pub enabled: bool,
    /// The public addresses last seen.
    pub ipv4: Option<Ipv4Addr>,
    pub ipv6: Option<Ipv6Addr>,
    /// Unix seconds of the last address look-up.
    pub last_check: Option<i64>,
    /// Why the last look-up failed, if it did.
    pub last_check_error: Option<String>,
    pub records: Vec<RecordStatus>,
}

/// One record's state.
#[derive(Debug, Clone, Serialize)]
pub struct RecordStatus {
    /// "dyndns2", "cloudflare", "dnspod", "alidns".
    pub provider: &'static str,
    pub hostname: String,
    /// The addresses the record was last set to.
    pub addresses: Vec<String>,
    /// Unix seconds of the last successful update.
    pub last_update: Option<i64>,
    /// Unix seconds of the last attempt.
    pub last_attempt: Option<i64>,
    /// "good" (changed), "nochg" (already right), "retrying" or "stopped".
    pub last_result: Option<String>,
    /// The last failure, without secrets.
    pub last_error: Option<String>,
    /// The kind of `last_error` (`"auth"`, `"no_record"`, `"provider_error"`, ...), for a
    /// translated sentence in the panel.
    pub last_error_kind: Option<crate::ErrorKind>,
    /// Unix seconds of the next scheduled attempt; `None` while waiting for an address, or
    /// when stopped.
    pub next_run: Option<i64>,
    /// A fatal answer stopped this record until the configuration changes.
    pub stopped: bool,
}

/// A successful update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Done {
    /// The record was changed.
    Good,
    /// The record already held the address.
    Unchanged,
}

/// The addresses one record is set to: the families it asks for, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Addrs {
    pub v4: Option<Ipv4Addr>,
    pub v6: Option<Ipv6Addr>,
}

impl Addrs {
    /// `None` until every family the record asks for is known.
    fn of(record: &DdnsRecord, ip: &PublicIp) -> Option<Addrs> {
        let v4 = if record.ipv4 { Some(ip.v4?) } else { None };
        let v6 = if record.ipv6 { Some(ip.v6?) } else { None };
        Some(Addrs { v4, v6 })
    }

    fn list(&self) -> Vec<String> {
        let v4 = self.v4.map(|a| a.to_string());
        v4.into_iter()
            .chain(self.v6.map(|a| a.to_string()))
            .collect()
    }
}

/// Updates one record to `addrs` through its provider.
pub(crate) async fn update(
    client: &reqwest::Client,
    record: &DdnsRecord,
    addrs: Addrs,
) -> Result<Done, Failure> {
    match record.provider {
        DdnsProvider::Dyndns2 => dyndns2::update(client, record, addrs).await,
        DdnsProvider::Cloudflare => cloudflare::update(client, record, addrs).await,
        DdnsProvider::Dnspod => dnspod::update(client, record, addrs).await,
        DdnsProvider::Alidns => alidns::update(client, record, addrs).await,
    }
}

impl RecordStatus {
    pub(crate) fn new(record: &DdnsRecord) -> RecordStatus {
        RecordStatus {
            provider: record.provider.as_str(),
            hostname: record.hostname.clone(),
            addresses: Vec::new(),
            last_update: None,
            last_attempt: None,
            last_result: None,
            last_error: None,
            last_error_kind: None,
            next_run: None,
            stopped: false,
        }
    }
}
