//! `postroom queue ...`: the outbound queue, through the management API's queue operations. Works while `serve` runs: the scheduler polls
//! the database every few seconds, so a retry or release is acted on at once.

use clap::Subcommand;
use engine::ApiError;
use engine::admin::AdminContext;
use engine::api::queue::{QueueEntryDto, QueueFilter};

#[derive(Subcommand)]
pub enum QueueAction {
    /// Mail waiting to go out (queued, in flight, deferred, held).
    List {
        /// Also delivered and failed mail still kept (queue.keep_finished).
        #[arg(long)]
        all: bool,
        /// One JSON array of objects instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One entry with the history of every delivery attempt.
    Show { id: i64 },
    /// Try now rather than at the next scheduled time.
    Retry {
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        /// Every queued and deferred entry.
        #[arg(long)]
        all: bool,
    },
    /// Remove an entry; the recipient does not get the message and nobody is told.
    Delete { id: i64 },
    /// Keep an entry from being sent until it is released.
    Hold { id: i64 },
    /// Release a held entry: it is tried now.
    Release { id: i64 },
}

pub async fn run(admin: &AdminContext, action: QueueAction) -> Result<(), ApiError> {
    match action {
        QueueAction::List { all, json } => {
            let filter = QueueFilter {
                state: all.then(|| "all".to_string()),
            };
            let entries = admin.queue(filter).await?;
            if json {
                println!("{}", to_json(&entries));
            } else if entries.is_empty() {
                println!("the queue is empty");
            } else {
                print!("{}", table(&entries));
            }
        }
        QueueAction::Show { id } => {
            let detail = admin.queue_entry(id).await?;
            let (entry, attempts) = (detail.entry, detail.attempts);
            println!("id:        {}", entry.id);
            println!("from:      <{}>", entry.sender);
            println!("to:        <{}>", entry.recipient);
            println!("state:     {}", entry.state);
            println!("size:      {} bytes", entry.size);
            println!("queued:    {}", when(entry.created_at));
            if !["delivered", "failed"].contains(&entry.state.as_str()) {
                println!("next try:  {}", when(entry.next_attempt));
            }
            println!("attempts:  {}", entry.attempts);
            if let Some(reply) = &entry.last_reply {
                println!("last:      {reply}");
            }
            for a in attempts {
                println!(
                    "  {}  {:<9}  {}{}  {}",
                    when(a.at),
                    a.outcome,
                    a.host.as_deref().unwrap_or("-"),
                    a.tls.map(|t| format!(" ({t})")).unwrap_or_default(),
                    a.reply
                );
            }
        }
        QueueAction::Retry { id, .. } => {
            let n = admin.queue_retry(id).await?;
            println!("{n} entr{} due now", if n == 1 { "y" } else { "ies" });
        }
        QueueAction::Delete { id } => {
            admin.queue_delete(id).await?;
            println!("deleted queue entry {id}");
        }
        QueueAction::Hold { id } => {
            admin.queue_hold(id).await?;
            println!("holding queue entry {id}");
        }
        QueueAction::Release { id } => {
            admin.queue_release(id).await?;
            println!("released queue entry {id}");
        }
    }
    Ok(())
}

fn table(entries: &[QueueEntryDto]) -> String {
    let mut out = format!(
        "{:>6}  {:<9}  {:>3}  {:<20}  {:<28}  {}\n",
        "ID", "STATE", "TRY", "QUEUED (UTC)", "FROM", "TO"
    );
    for e in entries {
        let from = if e.sender.is_empty() { "<>" } else { &e.sender };
        out.push_str(&format!(
            "{:>6}  {:<9}  {:>3}  {:<20}  {:<28}  {}\n",
            e.id,
            e.state,
            e.attempts,
            when(e.created_at),
            from,
            e.recipient
        ));
        if let Some(reply) = &e.last_reply {
            out.push_str(&format!("        {reply}\n"));
        }
    }
    out
}

fn to_json(entries: &[QueueEntryDto]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "{{\"id\":{},\"state\":{},\"sender\":{},\"recipient\":{},\"attempts\":{},\
                 \"next_attempt\":{},\"created_at\":{},\"size\":{},\"last_reply\":{}}}",
                e.id,
                json_string(&e.state),
                json_string(&e.sender),
                json_string(&e.recipient),
                e.attempts,
                e.next_attempt,
                e.created_at,
                e.size,
                e.last_reply
                    .as_deref()
                    .map_or_else(|| "null".to_string(), json_string)
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// A JSON string literal (RFC 8259 §7).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Unix seconds as `2026-11-27 10:00:00`, UTC.
fn when(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_json_strings() {
        assert_eq!(when(0), "1970-01-01 00:00:00");
        assert_eq!(when(1_795_741_323), "2026-11-27 01:02:03");
        assert_eq!(json_string("a\"b\\\n"), "\"a\\\"b\\\\\\u000a\"");
    }
}
