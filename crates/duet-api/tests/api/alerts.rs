//! A test alert: logged like a real one and sent to every listener (the desktop shell turns
//! alerts into system notifications).

use duet_api::{AlertAction, Api, DuetEvent};
use serde_json::json;

use crate::support;

#[tokio::test]
async fn a_test_alert_is_logged_and_reaches_listeners_without_acting_on_any_map() {
    // GIVEN a Duet with a listener, and no maps running.
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), support::options("alerts"))
        .await
        .unwrap();
    let mut events = api.subscribe();
    // WHEN a test alert is sent through the dispatcher the UI uses.
    let entry = api.call("send_test_alert", json!({})).await.unwrap();
    // THEN it is in the activity log as an alert,
    assert_eq!(entry["status"], "alert");
    let logged = api.activity(10).await.unwrap();
    assert!(
        logged
            .iter()
            .any(|e| e.status == "alert" && e.message.starts_with("Test alert")),
        "logged: {logged:?}"
    );
    // AND listeners get the activity line and then the alert, with no action.
    let mut alert = None;
    for _ in 0..2 {
        match events.recv().await.unwrap() {
            DuetEvent::Alert {
                map,
                message,
                action,
            } => alert = Some((map, message, action)),
            DuetEvent::Activity { entry } => assert_eq!(entry.status, "alert"),
            other => panic!("unexpected event {other:?}"),
        }
    }
    let (map, message, action) = alert.expect("an alert event");
    assert_eq!(map, "alerts");
    assert!(message.starts_with("Test alert"), "{message}");
    assert_eq!(action, AlertAction::None);
}
