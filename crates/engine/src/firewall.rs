//! Windows Firewall inbound rules for the mail ports: one rule per configured port that
//! listens beyond loopback, named `Postroom SMTP 25`, `Postroom IMAPS 993`, ..., allowing TCP
//! to that port for `postroom.exe` only. Made with `netsh advfirewall` (present on every
//! Windows since Vista; no COM needed). The names made are kept in `DATA_DIR/firewall-rules`,
//! so a sync removes exactly the rules of ports no longer listened on.
//!
//! `postroom service install` and `postroom firewall sync` call [`sync`]; the engine calls it
//! after the panel changed `[listen]`, when the rules are kept here (the file exists).
//! Elsewhere (Linux, macOS) firewalls are left to the system's tools.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use config::Config;

/// The names of the rules Postroom made, one per line.
const RULES_FILE: &str = "firewall-rules";

/// Why the firewall rules could not be changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FirewallError {
    /// `netsh` could not be started.
    #[error("cannot run netsh: {0}")]
    Netsh(std::io::Error),
    /// `netsh` refused a rule (typically: not run as an administrator).
    #[error("netsh could not {action} the rule {name:?}: {output}")]
    Refused {
        action: &'static str,
        name: String,
        output: String,
    },
    /// The list of rules in the data directory.
    #[error("{path}: {source}")]
    Record {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One inbound rule: its name and TCP port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    pub name: String,
    pub port: u16,
}

/// The rules `config` needs: each service's ports that listen on a non-loopback address.
pub fn rules(config: &Config) -> Vec<Rule> {
    let mut rules = BTreeSet::new();
    for (service, addrs) in config.listen.services() {
        // The rule names Windows shows: "Postroom SMTP 25", "Postroom Submission 587".
        let label = match service {
            "submission" | "submissions" | "admin" => {
                let (first, rest) = service.split_at(1);
                format!("{}{rest}", first.to_ascii_uppercase())
            }
            protocol => protocol.to_ascii_uppercase(),
        };
        for addr in addrs
            .iter()
            .filter(|a| !a.ip().is_loopback() && a.port() != 0)
        {
            rules.insert(Rule {
                name: format!("Postroom {label} {}", addr.port()),
                port: addr.port(),
            });
        }
    }
    rules.into_iter().collect()
}

/// Whether this data directory's firewall rules are kept by Postroom (a sync was done).
pub fn managed(data_dir: &Path) -> bool {
    data_dir.join(RULES_FILE).exists()
}

/// Removes the rules made before and adds those `config` needs now, for `program`. Returns
/// the rules in place.
pub fn sync(data_dir: &Path, config: &Config, program: &Path) -> Result<Vec<Rule>, FirewallError> {
    remove(data_dir)?;
    let wanted = rules(config);
    let mut made = Vec::new();
    let mut result = Ok(());
    for rule in &wanted {
        match netsh_add(rule, program) {
            Ok(()) => made.push(rule.name.clone()),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    record(data_dir, &made)?;
    result.map(|()| wanted)
}

/// Removes every rule recorded in the data directory, and the record.
pub fn remove(data_dir: &Path) -> Result<(), FirewallError> {
    let path = data_dir.join(RULES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(FirewallError::Record { path, source }),
    };
    for name in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        netsh_delete(name)?;
    }
    std::fs::remove_file(&path).map_err(|source| FirewallError::Record { path, source })
}

fn record(data_dir: &Path, names: &[String]) -> Result<(), FirewallError> {
    let path = data_dir.join(RULES_FILE);
    let mut text = names.join("\n");
    text.push('\n');
    files::write_atomic(&path, text.as_bytes())
        .map_err(|source| FirewallError::Record { path, source })
}

fn netsh_add(rule: &Rule, program: &Path) -> Result<(), FirewallError> {
    let args = [
        "advfirewall".to_string(),
        "firewall".into(),
        "add".into(),
        "rule".into(),
        format!("name={}", rule.name),
        "dir=in".into(),
        "action=allow".into(),
        "protocol=TCP".into(),
        format!("localport={}", rule.port),
        format!("program={}", program.display()),
        "enable=yes".into(),
    ];
    netsh(&args, "add", &rule.name)
}

fn netsh_delete(name: &str) -> Result<(), FirewallError> {
    let args = [
        "advfirewall".to_string(),
        "firewall".into(),
        "delete".into(),
        "rule".into(),
        format!("name={name}"),
        "dir=in".into(),
    ];
    match netsh(&args, "delete", name) {
        // "No rules match the specified criteria": already gone (removed by hand).
        Err(FirewallError::Refused { output, .. }) if output.contains("No rules match") => Ok(()),
        other => other,
    }
}

fn netsh(args: &[String], action: &'static str, name: &str) -> Result<(), FirewallError> {
    let mut command = std::process::Command::new("netsh");
    command.args(args);
    #[cfg(windows)]
    {
        // CREATE_NO_WINDOW: no console flashes up when the tray or the service runs this.
        use std::os::windows::process::CommandExt;
        command.creation_flags(0x0800_0000);
    }
    let out = command.output().map_err(FirewallError::Netsh)?;
    if out.status.success() {
        return Ok(());
    }
    let mut output = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.trim().is_empty() {
        output.push(' ');
        output.push_str(stderr.trim());
    }
    Err(FirewallError::Refused {
        action,
        name: name.to_string(),
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_per_port_listening_beyond_loopback() {
        let mut config = Config::with_hostname("mx.example.test");
        config.listen.smtp = vec![
            "0.0.0.0:25".parse().expect("addr"),
            "[::]:25".parse().expect("addr"),
        ];
        config.listen.imaps = vec!["192.0.2.1:993".parse().expect("addr")];
        config.listen.submission = vec!["127.0.0.1:587".parse().expect("addr")];
        config.listen.admin = vec!["127.0.0.1:8088".parse().expect("addr")];
        config.listen.pop3 = vec![];
        config.listen.pop3s = vec![];
        config.listen.imap = vec![];
        config.listen.submissions = vec![];
        let names: Vec<String> = rules(&config).into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["Postroom IMAPS 993", "Postroom SMTP 25"]);
        // Every service's rule name, as the Windows Firewall lists it.
        let config = Config::with_hostname("mx.example.test");
        let names: Vec<String> = rules(&config).into_iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            [
                "Postroom IMAP 143",
                "Postroom IMAPS 993",
                "Postroom POP3 110",
                "Postroom POP3S 995",
                "Postroom SMTP 25",
                "Postroom Submission 587",
                "Postroom Submissions 465",
            ]
        );
    }
}
