//! A page of a query, as finance and operations (and Dataverse, outside change tracking)
//! answers it: any body is a page or a typed error, never a panic. A page holds exactly the
//! objects of the body's `value` array, and its next link is the body's.

#![no_main]

use duet_fuzz::page_body;
use duet_odata::page::parse_page;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The transport reads bodies as text, replacing what is not UTF-8.
    let text = String::from_utf8_lossy(data);
    let Ok(page) = parse_page(&text) else {
        return;
    };
    let (body, objects) = page_body(&text);
    assert_eq!(page.rows.len(), objects, "every object of value is a row");
    assert_eq!(
        page.next_link.as_deref(),
        body.get("@odata.nextLink").and_then(Value::as_str),
        "the next link is the body's"
    );
});
