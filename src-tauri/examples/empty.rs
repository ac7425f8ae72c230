//! The baseline for `bench/desktop-memory.sh`: an empty Tauri app (no engine, no tray), one
//! window showing an empty page from its own assets (`examples/empty/`).

fn main() {
    let context = tauri::generate_context!("examples/empty/tauri.conf.json");
    if let Err(e) = tauri::Builder::default().run(context) {
        eprintln!("cannot start: {e}");
    }
}
