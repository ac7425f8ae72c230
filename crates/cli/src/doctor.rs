//! `postroom doctor [--lang zh]`: runs the connectivity checks for DIR/postroom.toml and
//! the database's domains, and prints each with its summary and fix in English or
//! Simplified Chinese. Exits with status 1 when a check found a problem.

use std::path::Path;

use engine::admin::AdminContext;
use engine::api::doctor::{Lang, Status};

pub async fn run(data_dir: &Path, lang: &str) -> Result<(), String> {
    let lang =
        Lang::parse(lang).ok_or_else(|| format!("unknown language `{lang}`: use en or zh"))?;
    let config = engine::load_or_init_config(data_dir).map_err(|e| e.to_string())?;
    let admin = AdminContext::open(data_dir).map_err(|e| e.message)?;
    let checks = admin.doctor(&config).await.map_err(|e| e.message)?;
    let mut problems = 0;
    for check in &checks {
        let status = match check.status {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Problem => "problem",
            Status::Skipped => "skipped",
        };
        problems += usize::from(check.status == Status::Problem);
        println!("[{status}] {}: {}", check.id, check.summary.render(lang));
        for (key, value) in &check.details {
            println!("    {key}: {value}");
        }
        if let Some(fix) = &check.fix {
            let label = if lang == Lang::Zh {
                "解决办法"
            } else {
                "fix"
            };
            println!("    {label}: {}", fix.render(lang));
        }
    }
    if problems > 0 {
        return Err(format!("{problems} problem(s) found"));
    }
    Ok(())
}
