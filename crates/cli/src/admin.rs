//! `postroom admin token` and `postroom admin open`: signing in to the admin HTTP API.

use std::path::Path;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum AdminAction {
    /// Print the bearer token of the admin API (made on first use, kept in DIR/admin-token).
    Token,
    /// Open the web admin in the default browser, signed in once by a link that works within
    /// five minutes (the link is printed too).
    Open {
        /// Only print the link (for scripts, and where no browser should start).
        #[arg(long)]
        print_only: bool,
    },
}

pub fn run(data_dir: &Path, action: AdminAction) -> Result<(), String> {
    match action {
        AdminAction::Token => {
            let token = engine::admin_token(data_dir)
                .map_err(|e| format!("cannot read {}/admin-token: {e}", data_dir.display()))?;
            println!("{token}");
        }
        AdminAction::Open { print_only } => {
            let config = engine::load_or_init_config(data_dir).map_err(|e| e.to_string())?;
            let Some(url) = engine::signin_url(data_dir, &config).map_err(|e| e.to_string())?
            else {
                return Err("the admin API is off: set [listen] admin in postroom.toml".to_string());
            };
            println!("{url}");
            if !print_only && let Err(e) = open_browser(&url) {
                eprintln!("postroom: no browser opened ({e}); open the link above in one");
            }
        }
    }
    Ok(())
}

/// Opens `url` in the user's default browser: ShellExecuteW on Windows, `open` on macOS,
/// `xdg-open` in a Linux desktop session.
fn open_browser(url: &str) -> Result<(), String> {
    #[cfg(windows)]
    return shell_open(url);
    #[cfg(not(windows))]
    {
        let program = if cfg!(target_os = "macos") {
            "open"
        } else {
            let desktop = ["DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
            if !desktop {
                return Err("no desktop session".into());
            }
            "xdg-open"
        };
        let status = std::process::Command::new(program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("{program}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{program} failed ({status})"))
        }
    }
}

/// ShellExecuteW "open" on a URL starts the default browser without a console or the
/// quoting rules of `cmd /c start`.
#[cfg(windows)]
#[allow(unsafe_code)]
fn shell_open(url: &str) -> Result<(), String> {
    use windows_sys::Win32::UI::Shell::ShellExecuteW;
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;
    let wide = |s: &str| {
        s.encode_utf16()
            .chain(std::iter::once(0))
            .collect::<Vec<u16>>()
    };
    let (verb, file) = (wide("open"), wide(url));
    // SAFETY: NUL-terminated strings that live across the call; no window, parameters or
    // directory.
    let result = unsafe {
        ShellExecuteW(
            std::ptr::null_mut(),
            verb.as_ptr(),
            file.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            SW_SHOWNORMAL,
        )
    };
    // "If the function succeeds, it returns a value greater than 32."
    if result as usize > 32 {
        Ok(())
    } else {
        Err(format!("ShellExecuteW failed with {}", result as usize))
    }
}
