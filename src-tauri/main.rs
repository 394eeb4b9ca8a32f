//! The desktop shell: a Tauri window over `duet-api`. Commands go through one `call`
//! command to the API's dispatcher; events are forwarded as `duet://event`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod logging;

use std::path::PathBuf;
use std::sync::Arc;

use duet_api::{AlertAction, Api, ApiError, ApiOptions, DuetEvent};
use serde_json::Value;
use tauri::{Emitter, Manager};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
use tauri_plugin_notification::NotificationExt;

/// The window's one command: every API call goes through [`Api::call`], the same dispatcher
/// `duet serve` uses, so the two shells cannot drift apart.
#[tauri::command]
async fn call(
    api: tauri::State<'_, Arc<Api>>,
    command: String,
    args: Option<Value>,
) -> Result<Value, ApiError> {
    api.call(
        &command,
        args.unwrap_or_else(|| Value::Object(Default::default())),
    )
    .await
}

/// The system notification for a fired alert: title and body.
fn alert_notification(map: &str, message: &str, action: AlertAction) -> (String, String) {
    let taken = match action {
        AlertAction::None => "No action was taken.",
        AlertAction::Pause => "The map was paused; it keeps capturing changes.",
        AlertAction::Stop => "The map was stopped.",
    };
    (format!("Duet alert: {map}"), format!("{message}\n{taken}"))
}

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        // The save dialog of Export CSV: the window picks the file, the API writes it; and the
        // message that says why Duet cannot start.
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let places = Places::of(app.handle())?;
            if let Some(guard) = logging::init(&places.logs) {
                app.manage(guard);
            }
            let options = ApiOptions {
                keyring_service: app.config().identifier.clone(),
                ..ApiOptions::default()
            };
            let api = match tauri::async_runtime::block_on(Api::open(&places.data, options)) {
                Ok(api) => api,
                Err(error) => {
                    refuse_to_start(app.handle(), &error);
                    return Ok(());
                }
            };
            app.manage(api.clone());
            let main = app
                .config()
                .app
                .windows
                .iter()
                .find(|window| window.label == "main")
                .ok_or("tauri.conf.json has no main window")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), main)?.build()?;
            forward_events(app.handle().clone(), &api);
            tauri::async_runtime::spawn(async move {
                if let Err(error) = api.start_default().await {
                    tracing::error!(error = %error, "Duet could not start its environments");
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![call])
        .run(tauri::generate_context!())
        .expect("the Duet window runs");
}

/// Where the app keeps its data and its logs: the directories the OS gives an application
/// (XDG on Linux), or `DUET_DATA_DIR` and its `logs` folder when set (tests, a second profile).
struct Places {
    data: PathBuf,
    logs: PathBuf,
}

impl Places {
    fn of(app: &tauri::AppHandle) -> tauri::Result<Places> {
        Ok(match std::env::var_os("DUET_DATA_DIR") {
            Some(dir) => {
                let data = PathBuf::from(dir);
                Places {
                    logs: data.join("logs"),
                    data,
                }
            }
            None => Places {
                data: app.path().app_data_dir()?,
                logs: app.path().app_log_dir()?,
            },
        })
    }
}

/// Duet could not open its data (another copy holds it, it is damaged, or it is from a newer
/// release): no window opens; the reason is logged and shown in a message, and the app ends
/// when the message is closed.
fn refuse_to_start(app: &tauri::AppHandle, error: &ApiError) {
    let reason = error.to_string();
    tracing::error!(code = ?error.code, "Duet cannot start: {reason}");
    eprintln!("Duet cannot start: {reason}");
    let handle = app.clone();
    app.dialog()
        .message(reason)
        .title("Duet cannot start")
        .kind(MessageDialogKind::Error)
        .show(move |_| handle.exit(1));
}

/// Sends the API's events to the window as `duet://event`, and each alert to the desktop
/// as a system notification too.
fn forward_events(handle: tauri::AppHandle, api: &Api) {
    let mut events = api.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let DuetEvent::Alert {
                        map,
                        message,
                        action,
                    } = &event
                    {
                        let (title, body) = alert_notification(map, message, *action);
                        if let Err(error) = handle
                            .notification()
                            .builder()
                            .title(title)
                            .body(body)
                            .show()
                        {
                            tracing::warn!(%error, "the alert could not be shown as a system notification");
                        }
                    }
                    let _ = handle.emit("duet://event", event);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_notifications_name_the_map_and_what_was_done() {
        let (title, body) =
            alert_notification("customers", "5 errors of class 503", AlertAction::Pause);
        assert_eq!(title, "Duet alert: customers");
        assert!(body.starts_with("5 errors of class 503\n"), "{body}");
        assert!(body.contains("paused"), "{body}");
        let (_, body) = alert_notification("customers", "x", AlertAction::Stop);
        assert!(body.ends_with("The map was stopped."), "{body}");
        let (_, body) = alert_notification("customers", "x", AlertAction::None);
        assert!(body.ends_with("No action was taken."), "{body}");
    }
}
