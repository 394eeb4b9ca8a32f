//! Tests of alert rules.

use super::store;
use crate::AlertRule;

#[test]
fn alert_rules_are_saved_replaced_and_deleted_and_bad_ones_refused() {
    let (_dir, store) = store();
    let mut rule = AlertRule {
        id: None,
        map: Some("customers".to_owned()),
        class: "503".to_owned(),
        threshold: 3,
        window_minutes: 5,
        action: "pause".to_owned(),
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
    let bad = AlertRule {
        id: None,
        action: "reboot".to_owned(),
        ..rule.clone()
    };
    assert!(
        store.save_alert_rule(&bad).is_err(),
        "only none, pause and stop are actions"
    );
    store.delete_alert_rule(id).unwrap();
    assert!(store.alert_rules().unwrap().is_empty());
    assert_eq!(
        store.delete_alert_rule(id).unwrap_err().to_string(),
        format!("there is no alert rule {id}")
    );
}
