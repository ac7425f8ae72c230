//! `postroom service install|uninstall|run|status`: the engine as the Windows service
//! "Postroom" ("Postroom Mail Server", automatic start, LocalSystem), so that mail flows
//! after a reboot before anyone signs in. The installers run `install` and `uninstall`.
//! On Linux and macOS the system's service managers run `postroom serve` instead (the
//! systemd unit and the launchd plist in `installers/`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

#[cfg(windows)]
mod windows;

#[derive(Subcommand, Clone, Copy)]
pub enum ServiceAction {
    /// Register the service (automatic start) for DIR (default %ProgramData%\Postroom),
    /// make DIR private, open the mail ports in Windows Firewall, and start it.
    Install,
    /// Stop and remove the service and its firewall rules; the data stays.
    Uninstall,
    /// What the service control manager starts; not for use by hand.
    Run,
    /// Print `running`, `stopped` or `not-installed`.
    Status,
}

/// The data directory of `service` and `firewall` commands: `--data-dir`, else the service's
/// (`%ProgramData%\Postroom`).
pub fn data_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(engine::service_data_dir)
}

#[cfg(windows)]
pub fn main(data_dir: Option<PathBuf>, action: ServiceAction) -> ExitCode {
    windows::main(self::data_dir(data_dir), action)
}

/// Not Windows: exit status 2 and where to look instead.
#[cfg(not(windows))]
pub fn main(_data_dir: Option<PathBuf>, _action: ServiceAction) -> ExitCode {
    eprintln!("postroom: `service` manages the Windows service and works on Windows only.");
    if cfg!(target_os = "macos") {
        eprintln!(
            "On macOS the engine runs as a launchd daemon: install com.postroom.mail.plist in \
             /Library/LaunchDaemons and run `sudo launchctl bootstrap system \
             /Library/LaunchDaemons/com.postroom.mail.plist`."
        );
    } else {
        eprintln!(
            "On Linux the engine runs as a systemd service: `sudo systemctl enable --now \
             postroom` (the unit postroom.service comes with the .deb) and `systemctl status \
             postroom`."
        );
    }
    ExitCode::from(2)
}

/// `postroom firewall sync`: the Windows Firewall rules for the listeners in postroom.toml.
pub fn firewall_sync(data_dir: Option<PathBuf>) -> ExitCode {
    if !cfg!(windows) {
        eprintln!(
            "postroom: `firewall sync` manages Windows Firewall and works on Windows only; \
             on Linux open the ports with ufw or firewalld, on macOS in System Settings."
        );
        return ExitCode::from(2);
    }
    let data_dir = self::data_dir(data_dir);
    let synced = engine::load_or_init_config(&data_dir)
        .map_err(|e| e.to_string())
        .and_then(|config| {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            engine::firewall::sync(&data_dir, &config, &exe).map_err(|e| e.to_string())
        });
    match synced {
        Ok(rules) => {
            for rule in &rules {
                println!("allowed: {} (TCP {})", rule.name, rule.port);
            }
            if rules.is_empty() {
                println!("no port listens beyond loopback: no firewall rule needed");
            }
            ExitCode::SUCCESS
        }
        Err(e) => crate::fail(&format!("firewall rules not updated: {e}")),
    }
}
