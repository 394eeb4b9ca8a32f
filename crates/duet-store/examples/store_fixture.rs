//! Writes a small but realistic Duet store through the public `Store` API, for the upgrade
//! tests: `cargo run -p duet-store --example store_fixture -- OUT.sqlite`.
//!
//! `tests/fixtures/store-v0.sqlite` was written by this program at the last commit before
//! versioned migrations (its `user_version` is 0); what it holds is listed in
//! `tests/upgrade.rs`, which checks every item after the upgrade.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use duet_maps::Side;
use duet_store::{
    AlertAction, AlertRule, ChangeOperation, ChangeStatus, CursorMove, EnvironmentRecord,
    LinkRecord, MapState, NewActivity, NewChange, Retention, Store, Wait,
};
use serde_json::json;

type Failure = Box<dyn std::error::Error>;

const AT: &str = "2026-11-30T09:00:00Z";

fn main() -> Result<(), Failure> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: store_fixture OUT.sqlite")?,
    );
    if out.exists() {
        return Err(format!("{} exists; remove it first", out.display()).into());
    }
    let store = Store::open(&out)?;
    link(&store)?;
    maps(&store)?;
    queue(&store)?;
    rows(&store)?;
    activity(&store)?;
    settings(&store)?;
    drop(store);
    // Fold the WAL into the file so that the file alone is the whole store.
    let connection = rusqlite::Connection::open(&out)?;
    connection.pragma_update(None, "journal_mode", "DELETE")?;
    connection.execute_batch("VACUUM")?;
    println!("wrote {}", out.display());
    Ok(())
}

fn environment(kind: &str, name: &str, url: &str, ca: Option<&str>) -> EnvironmentRecord {
    EnvironmentRecord {
        id: 0,
        kind: kind.to_owned(),
        name: name.to_owned(),
        url: url.to_owned(),
        token_url: "https://login.example.test/tenant-a/oauth2/v2.0/token".to_owned(),
        tenant: "tenant-a".to_owned(),
        client_id: format!("client-{name}"),
        sandbox: ca.is_some(),
        ca_certificate: ca.map(str::to_owned),
        added_at: AT.to_owned(),
    }
}

fn link(store: &Store) -> Result<(), Failure> {
    let fo = store.add_environment(&environment(
        "financeOperations",
        "contoso-fo",
        "https://contoso-fo.example.test",
        None,
    ))?;
    let dv = store.add_environment(&environment(
        "dataverse",
        "contoso-dv",
        "https://contoso.crm.example.test",
        None,
    ))?;
    store.add_environment(&environment(
        "dataverse",
        "sandbox-dv",
        "https://127.0.0.1:18443",
        Some("-----BEGIN CERTIFICATE-----\nMIIfixture\n-----END CERTIFICATE-----\n"),
    ))?;
    store.save_link(&LinkRecord {
        finance_operations_id: fo,
        dataverse_id: dv,
        companies: vec!["usmf".to_owned(), "demf".to_owned()],
        linked_at: AT.to_owned(),
    })?;
    Ok(())
}

fn definition(name: &str, fields: &[&str]) -> serde_json::Value {
    json!({
        "name": name,
        "financeOperations": {"entity": format!("{name}V2")},
        "dataverse": {"table": name.to_lowercase()},
        "fields": fields.iter().map(|field| json!({"fo": field, "dv": field.to_lowercase()})).collect::<Vec<_>>(),
    })
}

fn maps(store: &Store) -> Result<(), Failure> {
    let saves = [
        ("Customers", vec!["CustomerAccount"], Some("first cut")),
        ("Customers", vec!["CustomerAccount", "Name"], None),
        (
            "Customers",
            vec!["CustomerAccount", "Name", "Email"],
            Some("add email"),
        ),
        ("Vendors", vec!["VendorAccount"], None),
        ("Vendors", vec!["VendorAccount", "Phone"], Some("phone")),
        ("Products", vec!["ItemNumber"], None),
    ];
    for (index, (name, fields, note)) in saves.iter().enumerate() {
        let at = format!("2026-11-30T09:{:02}:00Z", index + 1);
        store.save_map(name, &definition(name, fields), *note, "fixture", &at)?;
    }
    store.set_map_state("Customers", MapState::Running, None, "2026-11-30T10:00:00Z")?;
    store.set_map_state(
        "Vendors",
        MapState::Error,
        Some("Dataverse refused the token (401)"),
        "2026-11-30T10:01:00Z",
    )?;
    store.set_map_state("Products", MapState::Paused, None, "2026-11-30T10:02:00Z")?;
    Ok(())
}

fn change(side: Side, key: &str, row: serde_json::Value, minute: u32) -> NewChange {
    NewChange {
        side,
        operation: ChangeOperation::Upsert,
        key: Some(key.to_owned()),
        source_id: (side == Side::Dataverse).then(|| format!("00000000-0000-0000-0000-{key:0>12}")),
        row,
        captured_at: format!("2026-11-30T11:{minute:02}:00Z"),
        read_mark: Some(i64::from(minute)),
    }
}

fn queue(store: &Store) -> Result<(), Failure> {
    let customers: Vec<NewChange> = (1..=6)
        .map(|n| {
            change(
                Side::FinanceOperations,
                &format!("C{n:03}"),
                json!({"CustomerAccount": format!("C{n:03}"), "Name": format!("Customer {n}")}),
                n,
            )
        })
        .collect();
    store.enqueue(
        "Customers",
        &customers,
        Some(CursorMove {
            name: "fo.watermark",
            value: "2026-11-30T11:06:00Z",
            forward_only: true,
        }),
    )?;
    let queued = store.next_changes("Customers", 10)?;
    store.ack_change(queued[0].seq)?;
    store.fail_change(queued[1].seq, "400 Bad Request: Name is too long")?;
    store.note_attempt(queued[2].seq, "503 Service Unavailable")?;
    store.defer_change(
        "Customers",
        queued[3].seq,
        "held back until its parent is written",
        true,
        Wait::Parent,
    )?;
    let mut delete = change(Side::Dataverse, "C007", json!({}), 7);
    delete.operation = ChangeOperation::Delete;
    store.enqueue_failed("Customers", &delete, "404 Not Found: the row is gone")?;
    let vendors: Vec<NewChange> = (1..=3)
        .map(|n| {
            change(
                Side::Dataverse,
                &format!("V{n:03}"),
                json!({"phone": n}),
                20 + n,
            )
        })
        .collect();
    store.enqueue("Vendors", &vendors, None)?;
    store.set_queued_status("Vendors", ChangeStatus::Parked)?;
    Ok(())
}

fn rows(store: &Store) -> Result<(), Failure> {
    store.set_cursor("Customers", "fo.initial", "page-3")?;
    store.advance_watermark("Vendors", "dv.watermark", "2026-11-30T08:00:00Z")?;
    store.set_cursor(
        "Vendors",
        "dv.delta",
        "https://contoso.crm.example.test/delta?t=9",
    )?;
    store.save_shadow(
        "Customers",
        "financeOperations",
        "C001",
        None,
        &json!({"CustomerAccount": "C001", "Name": "Customer 1"}),
    )?;
    store.save_shadow(
        "Customers",
        "dataverse",
        "C001",
        Some("00000000-0000-0000-0000-000000000c01"),
        &json!({"accountnumber": "C001", "name": "Customer 1"}),
    )?;
    let merged = (2..=4)
        .map(|n| {
            let mut values = serde_json::Map::new();
            values.insert("phone".to_owned(), json!(format!("555-010{n}")));
            (format!("V{n:03}"), Some(format!("dv-vendor-{n}")), values)
        })
        .collect::<Vec<_>>();
    store.merge_shadows("Vendors", "dataverse", &merged)?;
    for name in ["Customer 1", "Customer One", "Customer 1 Ltd"] {
        store.remember_written("Customers", "dataverse", "C001", &json!({"name": name}))?;
    }
    Ok(())
}

fn line(minute: u32, map: &str, status: &str, message: &str, class: Option<&str>) -> NewActivity {
    NewActivity {
        at: format!("2026-11-30T12:{minute:02}:00Z"),
        map: map.to_owned(),
        kind: if class.is_some() { "error" } else { "row" }.to_owned(),
        direction: Some("foToDv".to_owned()),
        key: Some(format!("K{minute:03}")),
        operation: Some("upsert".to_owned()),
        status: status.to_owned(),
        message: message.to_owned(),
        latency_ms: Some(i64::from(minute) * 10),
        payload: class.map(|_| json!({"row": {"Name": "x".repeat(minute as usize)}})),
        error_class: class.map(str::to_owned),
    }
}

fn activity(store: &Store) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for minute in 0..40 {
        lines.push(match minute % 8 {
            3 => line(
                minute,
                "Customers",
                "failed",
                "400 Bad Request: Name is too long",
                Some("400"),
            ),
            5 => line(
                minute,
                "Vendors",
                "failed",
                "429 Too Many Requests",
                Some("429"),
            ),
            _ => line(minute, "Customers", "ok", "written", None),
        });
    }
    store.add_activities(&lines)?;
    store.add_activity(&NewActivity {
        kind: "lifecycle".to_owned(),
        direction: None,
        key: None,
        operation: None,
        latency_ms: None,
        ..line(
            59,
            "Vendors",
            "stopped",
            "map stopped: Dataverse refused the token",
            None,
        )
    })?;
    Ok(())
}

fn settings(store: &Store) -> Result<(), Failure> {
    store.save_alert_rule(&AlertRule {
        id: None,
        map: Some("Customers".to_owned()),
        class: "400".to_owned(),
        threshold: 5,
        window_minutes: 10,
        action: AlertAction::Pause,
        enabled: true,
    })?;
    store.save_alert_rule(&AlertRule {
        id: None,
        map: None,
        class: "429".to_owned(),
        threshold: 50,
        window_minutes: 5,
        action: AlertAction::None,
        enabled: false,
    })?;
    store.set_state(
        "setup",
        &json!({"scenario": "customers", "step": 3, "done": ["link", "maps"]}),
        AT,
    )?;
    store.set_retention(
        &Retention {
            activity_days: 14,
            failed_days: Some(60),
            activity_max_lines: 250_000,
            keep_bulk_payloads: true,
        },
        AT,
    )?;
    for (map, minute) in [("Customers", 0), ("Vendors", 0), ("Customers", 5)] {
        let at: DateTime<Utc> = format!("2026-11-30T13:{minute:02}:00Z").parse()?;
        store.sample_queue(map, at)?;
    }
    Ok(())
}
