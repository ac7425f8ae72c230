//! The doctor's DNS: the queue's resolver (`[dns] servers`, else the system's) with every
//! look-up bounded, and one probe, asked once and shared by every check, of whether the DNS
//! server answers at all. A dead server then costs the doctor [`PROBE_TIMEOUT`] in all: the
//! checks that need DNS wait for the probe and are skipped when it fails, instead of each
//! waiting out the resolver's own retries (2 attempts × 5 s per name).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::RData;
use tokio::sync::OnceCell;

use super::{Check, Message, Status, reverse};

/// How long the probe waits for the DNS server's first answer. A resolver that is up answers
/// in well under a second, even when it must ask the Internet first; 3 s leaves room for a
/// congested line and is all a dead resolver costs the doctor.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// How long one look-up may take once the server has answered the probe. Longer than the
/// probe: a blocklist zone or a far-away domain, asked through the resolver, may take a few
/// seconds; far shorter than the resolver's own retries, which would set the pace otherwise.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(4);

/// Why a look-up gave no result.
pub(super) enum Failure {
    /// Nothing came back within [`LOOKUP_TIMEOUT`].
    NoAnswer,
    /// An error answer or a network error.
    Failed(String),
}

impl Failure {
    /// The check `id` could not be made because looking up `name` failed.
    pub(super) fn check(self, id: &'static str, name: &str) -> Check {
        let name = name.trim_end_matches('.');
        match self {
            Failure::NoAnswer => Check::new(
                id,
                Status::Warning,
                Message::new("dns.no_answer", &[("name", name)]),
            ),
            Failure::Failed(e) => Check::new(
                id,
                Status::Warning,
                Message::new("dns.failed", &[("name", name)]),
            )
            .detail("error", e),
        }
    }
}

pub(super) struct Dns {
    queue: queue::Dns,
    /// `[dns] servers`, for messages.
    servers: String,
    /// The probe's outcome: `Err` with why the server did not answer.
    probe: OnceCell<Result<(), String>>,
}

impl Dns {
    pub(super) fn new(config: &config::Dns) -> Result<Dns, String> {
        let servers = if config.servers.is_empty() {
            "the system's DNS servers".to_string()
        } else {
            let list: Vec<String> = config.servers.iter().map(ToString::to_string).collect();
            list.join(", ")
        };
        Ok(Dns {
            queue: queue::Dns::new(config)?,
            servers,
            probe: OnceCell::new(),
        })
    }

    /// The queue's resolver, for the smart-host probe.
    pub(super) fn queue(&self) -> &queue::Dns {
        &self.queue
    }

    /// Whether the server answers: any reply counts, even NXDOMAIN or REFUSED; `Err` says
    /// why not. Asked once (the root's NS records, which every resolver has at hand),
    /// whoever asks first; the others wait for that answer.
    async fn probe(&self) -> &Result<(), String> {
        self.probe
            .get_or_init(|| async {
                let asked = self.queue.resolver().ns_lookup(".");
                match tokio::time::timeout(PROBE_TIMEOUT, asked).await {
                    Ok(Ok(_) | Err(NetError::Dns(_))) => Ok(()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
                }
            })
            .await
    }

    /// Whether the server answers (see `probe`).
    pub(super) async fn answering(&self) -> bool {
        self.probe().await.is_ok()
    }

    /// The `dns` check: the probe's outcome.
    pub(super) async fn check(&self) -> Check {
        let servers = [("servers", self.servers.as_str())];
        let check = match self.probe().await {
            Ok(()) => Check::new("dns", Status::Ok, Message::new("dns.ok", &servers)),
            Err(e) => Check::new("dns", Status::Problem, Message::new("dns.down", &servers))
                .detail("error", e)
                .fix(Message::new("fix.dns_servers", &[])),
        };
        check.detail("servers", &self.servers)
    }

    /// The names the PTR records of `ip` give, without the final dot; empty when it has none.
    pub(super) async fn ptr(&self, ip: IpAddr) -> Result<Vec<String>, Failure> {
        let name = reverse::ptr_name(ip);
        let asked = self.queue.resolver().reverse_lookup(name.as_str());
        let records = bounded(asked).await?;
        Ok(records
            .iter()
            .filter_map(|r| match r {
                RData::PTR(ptr) => Some(ptr.0.to_ascii().trim_end_matches('.').to_string()),
                _ => None,
            })
            .collect())
    }

    /// `name`'s addresses, IPv4 first; empty when it has none.
    pub(super) async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, Failure> {
        match tokio::time::timeout(LOOKUP_TIMEOUT, self.queue.relay_addresses(name)).await {
            Ok(found) => found.map_err(Failure::Failed),
            Err(_) => Err(Failure::NoAnswer),
        }
    }

    /// The mail hosts of `domain` with their addresses (RFC 5321 §5.1), as the queue sees them.
    pub(super) async fn hosts(&self, domain: &str) -> Result<Vec<queue::Host>, Failure> {
        match tokio::time::timeout(LOOKUP_TIMEOUT, self.queue.hosts(domain)).await {
            Ok(Ok(hosts)) => Ok(hosts),
            Ok(Err(queue::DnsFailure::Permanent(why) | queue::DnsFailure::Temporary(why))) => {
                Err(Failure::Failed(why))
            }
            Err(_) => Err(Failure::NoAnswer),
        }
    }

    /// The A records of `name`; empty when it has none.
    pub(super) async fn ipv4(&self, name: &str) -> Result<Vec<Ipv4Addr>, Failure> {
        let records = bounded(self.queue.resolver().ipv4_lookup(name)).await?;
        Ok(records
            .iter()
            .filter_map(|r| match r {
                RData::A(a) => Some(a.0),
                _ => None,
            })
            .collect())
    }
}

/// A look-up's answer records within [`LOOKUP_TIMEOUT`]; none for NXDOMAIN or no records.
async fn bounded(
    asked: impl Future<Output = Result<hickory_resolver::lookup::Lookup, NetError>>,
) -> Result<Vec<RData>, Failure> {
    match tokio::time::timeout(LOOKUP_TIMEOUT, asked).await {
        Ok(Ok(lookup)) => Ok(lookup.answers().iter().map(|r| r.data.clone()).collect()),
        Ok(Err(e)) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
        Ok(Err(e)) => Err(Failure::Failed(e.to_string())),
        Err(_) => Err(Failure::NoAnswer),
    }
}
