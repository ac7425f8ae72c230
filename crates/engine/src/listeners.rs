//! The listeners: one per configured address, each up (bound, serving) or down with a plain
//! reason ("port 25 is in use"). A listener that cannot bind does not stop the others; a
//! reload binds what was added or failed before and stops what was removed, leaving
//! unchanged ones alone.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use config::{Config, Listen};
use net::Service;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::status::ListenerStatus;
use crate::live::{Runtime, paused_greeting};

/// A service that listens: a mail protocol's kind, or the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Svc {
    Smtp(smtp::Kind),
    Imap(imap::Kind),
    Pop3(pop3::Kind),
    Admin,
}

pub(crate) const ALL: [Svc; 8] = [
    Svc::Smtp(smtp::Kind::Mx),
    Svc::Smtp(smtp::Kind::Submission),
    Svc::Smtp(smtp::Kind::Submissions),
    Svc::Imap(imap::Kind::Imap),
    Svc::Imap(imap::Kind::Imaps),
    Svc::Pop3(pop3::Kind::Pop3),
    Svc::Pop3(pop3::Kind::Pop3s),
    Svc::Admin,
];

impl Svc {
    pub fn name(self) -> &'static str {
        match self {
            Svc::Smtp(kind) => kind.name(),
            Svc::Imap(kind) => kind.name(),
            Svc::Pop3(kind) => kind.name(),
            Svc::Admin => "admin",
        }
    }

    /// Its addresses in `[listen]`.
    pub fn addrs(self, listen: &Listen) -> &[SocketAddr] {
        match self {
            Svc::Smtp(smtp::Kind::Mx) => &listen.smtp,
            Svc::Smtp(smtp::Kind::Submission) => &listen.submission,
            Svc::Smtp(smtp::Kind::Submissions) => &listen.submissions,
            Svc::Imap(imap::Kind::Imap) => &listen.imap,
            Svc::Imap(imap::Kind::Imaps) => &listen.imaps,
            Svc::Pop3(pop3::Kind::Pop3) => &listen.pop3,
            Svc::Pop3(pop3::Kind::Pop3s) => &listen.pop3s,
            Svc::Admin => &listen.admin,
        }
    }
}

/// One configured address.
struct Slot {
    svc: Svc,
    configured: SocketAddr,
    state: State,
}

enum State {
    Up {
        addr: SocketAddr,
        stop: CancellationToken,
        task: Option<JoinHandle<()>>,
    },
    Down(String),
}

/// Starts serving a bound admin listener; the engine provides it (the admin server needs
/// the engine handle).
pub(crate) type AdminServe = dyn Fn(TcpListener, CancellationToken) -> JoinHandle<()> + Send + Sync;

/// Every listener of the engine.
#[derive(Default)]
pub(crate) struct Listeners {
    slots: Mutex<Vec<Slot>>,
}

impl Listeners {
    fn lock(&self) -> MutexGuard<'_, Vec<Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn status(&self) -> Vec<ListenerStatus> {
        self.lock()
            .iter()
            .map(|slot| match &slot.state {
                State::Up { addr, .. } => ListenerStatus {
                    service: slot.svc.name().to_string(),
                    address: addr.to_string(),
                    up: true,
                    error: None,
                },
                State::Down(why) => ListenerStatus {
                    service: slot.svc.name().to_string(),
                    address: slot.configured.to_string(),
                    up: false,
                    error: Some(why.clone()),
                },
            })
            .collect()
    }

    /// (service, bound address) of each listener that is up.
    pub fn bound(&self) -> Vec<(&'static str, SocketAddr)> {
        self.lock()
            .iter()
            .filter_map(|slot| match slot.state {
                State::Up { addr, .. } => Some((slot.svc.name(), addr)),
                State::Down(_) => None,
            })
            .collect()
    }

    /// Makes the listeners match `config`: stops those whose address is gone, binds new
    /// ones and those that were down.
    pub async fn sync(
        &self,
        config: &Config,
        runtime: &Arc<Runtime>,
        tracker: &TaskTracker,
        admin: &AdminServe,
    ) {
        let mut stopping = Vec::new();
        let mut next = Vec::new();
        let old = std::mem::take(&mut *self.lock());
        let mut old: Vec<Option<Slot>> = old.into_iter().map(Some).collect();
        for svc in ALL {
            for &configured in svc.addrs(&config.listen) {
                let kept = old.iter_mut().find(|s| {
                    s.as_ref().is_some_and(|s| {
                        s.svc == svc
                            && s.configured == configured
                            && matches!(s.state, State::Up { .. })
                    })
                });
                if let Some(slot) = kept.and_then(Option::take) {
                    next.push(slot);
                    continue;
                }
                next.push(Slot {
                    svc,
                    configured,
                    state: State::Down(String::new()),
                });
            }
        }
        for slot in old.into_iter().flatten() {
            if let State::Up { stop, task, .. } = slot.state {
                stop.cancel();
                // The admin server drains open connections (maybe the one asking for this
                // change), so only the mail listeners are waited for.
                if slot.svc != Svc::Admin {
                    stopping.extend(task);
                }
            }
        }
        // The removed listeners close before new ones bind, so an address can move between
        // services.
        for task in stopping {
            let _ = task.await;
        }
        for slot in &mut next {
            if matches!(slot.state, State::Up { .. }) {
                continue;
            }
            slot.state = start(slot.svc, slot.configured, runtime, tracker, admin);
        }
        *self.lock() = next;
    }
}

/// Binds one address and serves it; a failure is logged loudly and kept as the reason.
fn start(
    svc: Svc,
    configured: SocketAddr,
    runtime: &Arc<Runtime>,
    tracker: &TaskTracker,
    admin: &AdminServe,
) -> State {
    let name = svc.name();
    let listener = match net::bind_addr(configured) {
        Ok(listener) => listener,
        Err(why) => {
            tracing::error!(service = name, addr = %configured, "cannot listen: {why}");
            return State::Down(why);
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => return State::Down(format!("cannot listen on {configured}: {e}")),
    };
    let stop = runtime.shutdown.child_token();
    let task = match svc {
        Svc::Admin => admin(listener, stop.clone()),
        _ => serve_mail(svc, listener, runtime, tracker, stop.clone()),
    };
    tracing::info!(service = name, %addr, "listening");
    State::Up {
        addr,
        stop,
        task: Some(task),
    }
}

/// The accept loop of a mail service: each connection gets the contexts current when it
/// arrives; SMTP connections get 421 while receiving is paused.
fn serve_mail(
    svc: Svc,
    listener: TcpListener,
    runtime: &Arc<Runtime>,
    tracker: &TaskTracker,
    stop: CancellationToken,
) -> JoinHandle<()> {
    let (implicit_tls, busy_reply): (bool, &'static [u8]) = match svc {
        Svc::Smtp(kind) => (
            kind == smtp::Kind::Submissions,
            b"421 4.7.0 Too many connections, try again later\r\n",
        ),
        Svc::Imap(kind) => (
            kind == imap::Kind::Imaps,
            b"* BYE [UNAVAILABLE] too many connections\r\n",
        ),
        Svc::Pop3(kind) => (
            kind == pop3::Kind::Pop3s,
            b"-ERR [SYS/TEMP] too many connections\r\n",
        ),
        Svc::Admin => (false, b""),
    };
    let service = Service {
        name: svc.name(),
        implicit_tls: implicit_tls.then(|| runtime.acceptor.clone()),
        busy_reply,
    };
    let rt = runtime.clone();
    let handler = move |stream, peer| {
        let rt = rt.clone();
        async move {
            let snapshot = rt.snapshot();
            match svc {
                Svc::Smtp(_) if rt.paused() => paused_greeting(stream).await,
                Svc::Smtp(kind) => {
                    smtp::run_session(snapshot.smtp.clone(), kind, stream, peer).await
                }
                Svc::Imap(kind) => {
                    imap::run_session(snapshot.imap.clone(), kind, stream, peer).await
                }
                Svc::Pop3(kind) => {
                    pop3::run_session(snapshot.pop3.clone(), kind, stream, peer).await
                }
                Svc::Admin => {}
            }
        }
    };
    tracker.spawn(net::serve(
        listener,
        service,
        runtime.limiter.clone(),
        stop,
        tracker.clone(),
        handler,
    ))
}
