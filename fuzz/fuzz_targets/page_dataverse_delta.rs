//! A page of Dataverse change tracking: any body is a page or a typed error, never a panic.
//! Every object of `value` is either a changed row or a tombstone's id, no changed row looks
//! like a tombstone, and the next and delta links are the body's.

#![no_main]

use duet_fuzz::page_body;
use duet_odata::page::parse_change_page;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(page) = parse_change_page(&text) else {
        return;
    };
    let (body, objects) = page_body(&text);
    assert_eq!(
        page.changed.len() + page.deleted.len(),
        objects,
        "every object of value is a change or a tombstone"
    );
    for row in &page.changed {
        let deleted_context = row
            .get("@odata.context")
            .and_then(Value::as_str)
            .is_some_and(|context| context.ends_with("$deletedEntity"));
        let deleted_reason = row.get("reason").and_then(Value::as_str) == Some("deleted");
        assert!(
            !deleted_context && !deleted_reason,
            "a tombstone read as a change: {row:?}"
        );
    }
    for link in ["@odata.nextLink", "@odata.deltaLink"] {
        let read = match link {
            "@odata.nextLink" => page.next_link.as_deref(),
            _ => page.delta_link.as_deref(),
        };
        assert_eq!(
            read,
            body.get(link).and_then(Value::as_str),
            "{link} is the body's"
        );
    }
});
