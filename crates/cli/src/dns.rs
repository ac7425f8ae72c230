//! `postroom domain dns NAME`: the DNS records a domain needs, in zone-file form, each with
//! a comment saying what it is for.

use engine::ApiError;
use engine::admin::AdminContext;
use engine::api::domains::DnsRecord;

pub async fn run(admin: &AdminContext, name: &str) -> Result<(), ApiError> {
    let records = admin.domain_dns(name).await?;
    print!("{}", format(&records));
    Ok(())
}

fn format(records: &[DnsRecord]) -> String {
    let width = records.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for record in records {
        if let Some(note) = &record.note {
            out.push_str(&format!("; {note}\n"));
        }
        out.push_str(&format!(
            "{:width$}  IN {:<3}  {}\n",
            record.name, record.kind, record.value
        ));
    }
    out
}
