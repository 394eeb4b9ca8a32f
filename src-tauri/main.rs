//! The desktop shell: a Tauri window over `duet-api`. Each command is one line of
//! delegation; events are forwarded as `duet://event`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Arc;

use duet_api::{
    ActivityEntry, AlertRuleView, Api, ApiError, ApiOptions, LinkView, MapView, QueuedChangeView,
    ResumeMode,
};
use tauri::{Emitter, Manager, State};

type ApiState<'a> = State<'a, Arc<Api>>;

#[tauri::command]
async fn link(api: ApiState<'_>) -> Result<Option<LinkView>, ApiError> {
    api.link().await
}

#[tauri::command]
async fn check_health(api: ApiState<'_>) -> Result<LinkView, ApiError> {
    api.check_health().await
}

#[tauri::command]
async fn maps(api: ApiState<'_>) -> Result<Vec<MapView>, ApiError> {
    api.maps().await
}

#[tauri::command]
async fn run_map(api: ApiState<'_>, name: String) -> Result<MapView, ApiError> {
    api.run_map(&name).await
}

#[tauri::command]
async fn pause_map(api: ApiState<'_>, name: String) -> Result<MapView, ApiError> {
    api.pause_map(&name).await
}

#[tauri::command]
async fn stop_map(api: ApiState<'_>, name: String) -> Result<MapView, ApiError> {
    api.stop_map(&name).await
}

#[tauri::command]
async fn resume_map(
    api: ApiState<'_>,
    name: String,
    mode: ResumeMode,
) -> Result<MapView, ApiError> {
    api.resume_map(&name, mode).await
}

#[tauri::command]
async fn queued_changes(
    api: ApiState<'_>,
    name: String,
    key: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<QueuedChangeView>, ApiError> {
    api.queued_changes(&name, key.as_deref(), limit.unwrap_or(500))
        .await
}

#[tauri::command]
async fn retry_changes(
    api: ApiState<'_>,
    name: String,
    seq: Option<i64>,
) -> Result<MapView, ApiError> {
    api.retry_changes(&name, seq).await
}

#[tauri::command]
fn alert_rules(api: ApiState<'_>) -> Result<Vec<AlertRuleView>, ApiError> {
    api.alert_rules()
}

#[tauri::command]
fn save_alert_rule(api: ApiState<'_>, rule: AlertRuleView) -> Result<AlertRuleView, ApiError> {
    api.save_alert_rule(rule)
}

#[tauri::command]
fn delete_alert_rule(api: ApiState<'_>, id: i64) -> Result<(), ApiError> {
    api.delete_alert_rule(id)
}

#[tauri::command]
async fn activity(api: ApiState<'_>, limit: Option<u32>) -> Result<Vec<ActivityEntry>, ApiError> {
    api.activity(limit.unwrap_or(500)).await
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUET_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    tauri::Builder::default()
        .setup(|app| {
            let data_dir = match std::env::var_os("DUET_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            let options = ApiOptions {
                keyring_service: app.config().identifier.clone(),
                ..ApiOptions::default()
            };
            let api = tauri::async_runtime::block_on(Api::open(&data_dir, options))?;
            app.manage(api.clone());
            let handle = app.handle().clone();
            let mut events = api.subscribe();
            tauri::async_runtime::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(event) => {
                            let _ = handle.emit("duet://event", event);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
            });
            tauri::async_runtime::spawn(async move {
                if let Err(error) = api.start_default().await {
                    tracing::error!(error = %error, "Duet could not start its environments");
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            link,
            check_health,
            maps,
            run_map,
            pause_map,
            stop_map,
            resume_map,
            queued_changes,
            retry_changes,
            alert_rules,
            save_alert_rule,
            delete_alert_rule,
            activity
        ])
        .run(tauri::generate_context!())
        .expect("the Duet window runs");
}
