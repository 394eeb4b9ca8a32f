//! Store records turned into the boundary types the UI reads.

use duet_maps::TableMap;
use duet_store::{ActivityRecord, EnvironmentRecord, MapRecord, Store};

use crate::model::*;
use crate::{ApiError, Code};

pub(crate) fn environment_view(
    kind: EnvironmentKind,
    record: EnvironmentRecord,
    linked: bool,
    health: Vec<HealthCheck>,
) -> EnvironmentView {
    EnvironmentView {
        id: record.id,
        kind,
        name: record.name,
        url: record.url,
        token_url: record.token_url,
        tenant: record.tenant,
        client_id: record.client_id,
        sandbox: record.sandbox,
        own_certificate_authority: record.sandbox && record.ca_certificate.is_some(),
        added_at: record.added_at,
        linked,
        health,
    }
}

pub(crate) fn map_view(store: &Store, record: MapRecord) -> Result<MapView, ApiError> {
    let map: TableMap = serde_json::from_value(record.definition).map_err(|error| {
        ApiError::new(
            Code::InvalidMap,
            format!(
                "the stored definition of map '{}' is invalid: {error}",
                record.name
            ),
        )
    })?;
    let (rows_synced, errors) = store.map_counts(&record.name)?;
    let (queued, parked, failed) = store.queue_depth(&record.name)?;
    let company = map.company.as_ref().map(|striping| FieldMappingView {
        finance_operations: striping.finance_operations_field.clone(),
        direction: "=".to_owned(),
        dataverse: format!(
            "{}.{}",
            striping.dataverse_lookup, striping.company_code_column
        ),
        note: Some("company (integration key)".to_owned()),
    });
    let name = record.name;
    Ok(MapView {
        name: name.clone(),
        title: map.title,
        finance_operations_entity: map.finance_operations_entity,
        dataverse_table: map.dataverse_table,
        state: record.state,
        reason: record.reason,
        fields: company
            .into_iter()
            .chain(map.fields.into_iter().map(|field| {
                FieldMappingView {
                    finance_operations: field
                        .finance_operations
                        .unwrap_or_else(|| "(none)".to_owned()),
                    direction: field.direction.symbol().to_owned(),
                    dataverse: field.dataverse.unwrap_or_else(|| "(none)".to_owned()),
                    note: field.note,
                }
            }))
            .collect(),
        rows_synced,
        errors,
        queued,
        parked,
        failed,
        progress: duet_engine::initial_progress(store, &name).map(|progress| SyncProgress {
            done: progress.done,
            written: progress.written,
            total: progress.total,
            rows_per_second: progress.rows_per_second,
            eta_seconds: progress
                .total
                .filter(|_| progress.rows_per_second > 0.0)
                .map(|total| {
                    (total.saturating_sub(progress.done) as f64 / progress.rows_per_second) as u64
                }),
        }),
        updated_at: record.updated_at,
    })
}

pub(crate) fn activity_entry(record: ActivityRecord) -> ActivityEntry {
    let entry = record.entry;
    ActivityEntry {
        id: record.id,
        at: entry.at,
        map: entry.map,
        kind: match entry.kind.as_str() {
            "row" => ActivityKind::Row,
            "error" => ActivityKind::Error,
            _ => ActivityKind::Lifecycle,
        },
        direction: entry
            .direction
            .as_deref()
            .and_then(|direction| match direction {
                "toDataverse" => Some(Direction::ToDataverse),
                "toFinanceOperations" => Some(Direction::ToFinanceOperations),
                _ => None,
            }),
        key: entry.key,
        operation: entry.operation,
        status: entry.status,
        message: entry.message,
        latency_ms: entry.latency_ms,
        payload: entry.payload,
        error_class: entry.error_class,
    }
}

pub(crate) fn queued_change(queued: duet_store::QueuedChange) -> QueuedChangeView {
    QueuedChangeView {
        seq: queued.seq,
        side: queued.change.side.into(),
        operation: queued.change.operation.as_str().to_owned(),
        key: queued.change.key,
        status: match queued.status {
            duet_store::ChangeStatus::Queued => QueueStatus::Queued,
            duet_store::ChangeStatus::Parked => QueueStatus::Parked,
            duet_store::ChangeStatus::Failed => QueueStatus::Failed,
        },
        attempts: queued.attempts,
        error: queued.error,
        captured_at: queued.change.captured_at,
        row: queued.change.row,
    }
}

pub(crate) fn alert_rule_view(rule: duet_store::AlertRule) -> AlertRuleView {
    AlertRuleView {
        id: rule.id,
        map: rule.map,
        class: rule.class,
        threshold: rule.threshold,
        window_minutes: rule.window_minutes,
        action: rule.action,
        enabled: rule.enabled,
    }
}

pub(crate) fn alert_rule_record(rule: &AlertRuleView) -> duet_store::AlertRule {
    duet_store::AlertRule {
        id: rule.id,
        map: rule.map.clone(),
        class: rule.class.clone(),
        threshold: rule.threshold,
        window_minutes: rule.window_minutes,
        action: rule.action,
        enabled: rule.enabled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_store::NewActivity;
    use serde_json::json;

    fn record(payload: Option<serde_json::Value>) -> ActivityRecord {
        ActivityRecord {
            id: 7,
            entry: NewActivity {
                at: "2024-01-01T00:00:00Z".to_owned(),
                map: "customers".to_owned(),
                kind: "error".to_owned(),
                direction: Some("toDataverse".to_owned()),
                key: Some("DAT|C1".to_owned()),
                operation: Some("upsert".to_owned()),
                status: "failed".to_owned(),
                message: "PATCH x failed (400): bad — fix it".to_owned(),
                latency_ms: None,
                payload,
                error_class: None,
            },
        }
    }

    #[test]
    fn an_activity_entry_keeps_the_stored_payload() {
        let sent = json!({"sent": {"accountnumber": "C1"}, "remote": "{\"error\":{}}"});
        let entry = activity_entry(record(Some(sent.clone())));
        assert_eq!(entry.payload, Some(sent.clone()));
        let wire = serde_json::to_value(&entry).unwrap();
        assert_eq!(wire["payload"], sent);
        assert_eq!(wire["kind"], "error");
        assert_eq!(wire["direction"], "toDataverse");
    }

    #[test]
    fn an_activity_entry_without_a_payload_sends_null() {
        let wire = serde_json::to_value(activity_entry(record(None))).unwrap();
        assert_eq!(wire["payload"], serde_json::Value::Null);
    }
}
