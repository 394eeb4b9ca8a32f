//! Tests of alert rules.

use super::store;
use crate::{AlertAction, AlertRule};

#[test]
fn alert_rules_are_saved_replaced_and_deleted_and_bad_ones_refused() {
    let (_dir, store) = store();
    let mut rule = AlertRule {
        id: None,
        map: Some("customers".to_owned()),
        class: "503".to_owned(),
        threshold: 3,
        window_minutes: 5,
        action: AlertAction::Pause,
        enabled: true,
    };
    let id = store.save_alert_rule(&rule).unwrap();
    rule.id = Some(id);
    rule.threshold = 10;
    assert_eq!(
        store.save_alert_rule(&rule).unwrap(),
        id,
        "saving with an id replaces the rule"
    );
    assert_eq!(store.alert_rules().unwrap(), [rule.clone()]);
    // An action other than none, pause and stop cannot be written, even bypassing the type.
    assert!(
        store
            .db()
            .execute(
                "INSERT INTO alert_rule (class, threshold, window_minutes, action) \
                 VALUES ('429', 1, 1, 'reboot')",
                [],
            )
            .is_err(),
        "only none, pause and stop are actions"
    );
    store.delete_alert_rule(id).unwrap();
    assert!(store.alert_rules().unwrap().is_empty());
    assert_eq!(
        store.delete_alert_rule(id).unwrap_err().to_string(),
        format!("there is no alert rule {id}")
    );
}
