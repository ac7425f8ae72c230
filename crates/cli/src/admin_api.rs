//! `postroom admin token` and `postroom admin open`: signing in to the admin HTTP API.

use std::path::Path;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum AdminAction {
    /// Print the bearer token of the admin API (made on first use, kept in DIR/admin-token).
    Token,
    /// Print a link that signs a browser in to the web admin once, within five minutes.
    Open,
}

pub fn run(data_dir: &Path, action: AdminAction) -> Result<(), String> {
    match action {
        AdminAction::Token => {
            let token = engine::admin_token(data_dir)
                .map_err(|e| format!("cannot read {}/admin-token: {e}", data_dir.display()))?;
            println!("{token}");
        }
        AdminAction::Open => {
            let config = engine::load_or_init_config(data_dir).map_err(|e| e.to_string())?;
            match engine::signin_url(data_dir, &config).map_err(|e| e.to_string())? {
                Some(url) => println!("{url}"),
                None => {
                    return Err(
                        "the admin API is off: set [listen] admin in postroom.toml".to_string()
                    );
                }
            }
        }
    }
    Ok(())
}
