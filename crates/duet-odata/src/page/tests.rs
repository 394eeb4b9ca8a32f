use super::*;
use serde_json::json;

/// A change-tracking page as Dataverse writes it: a changed row, a tombstone and the delta
/// link on the last page.
const DELTA_PAGE: &str = r#"{
  "@odata.context": "https://org.example/api/data/v9.2/$metadata#accounts(name,accountnumber)/$delta",
  "@odata.deltaLink": "https://org.example/api/data/v9.2/accounts?$select=name,accountnumber&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44",
  "value": [
    {"@odata.etag": "W/\"915244\"", "name": "Monte Orders", "accountnumber": "C0001", "accountid": "60c4e274-0d87-e711-80e5-00155db19e6d"},
    {"@odata.context": "https://org.example/api/data/v9.2/$metadata#accounts/$deletedEntity", "id": "2e451910-d71f-e711-80d3-00155db19e6d", "reason": "deleted"}
  ]
}"#;

fn error_text(result: Result<impl std::fmt::Debug, PageError>) -> String {
    result.expect_err("the body is refused").to_string()
}

#[test]
fn a_change_page_tells_rows_from_tombstones_and_keeps_its_delta_link() {
    // GIVEN a change-tracking page with a row, a tombstone and a delta link.
    // WHEN it is read.
    let page = parse_change_page(DELTA_PAGE).expect("the documented shape reads");
    // THEN the row is a change, the tombstone a deleted id, and the delta link is kept.
    assert_eq!(page.changed.len(), 1, "one changed row");
    assert_eq!(page.changed[0]["accountnumber"], json!("C0001"));
    assert_eq!(page.deleted, ["2e451910-d71f-e711-80d3-00155db19e6d"]);
    assert_eq!(page.next_link, None, "the last page has no next link");
    assert!(
        page.delta_link
            .as_deref()
            .is_some_and(|link| link.contains("$deltatoken=919042")),
        "the delta link is read verbatim: {:?}",
        page.delta_link
    );
}

#[test]
fn a_query_page_keeps_its_rows_and_next_link() {
    // GIVEN a finance and operations page with a next link and a value that is not a row.
    let body = r#"{"@odata.context": "x", "value": [{"CustomerAccount": "C1"}, 7],
        "@odata.nextLink": "https://fo.example/data/CustomersV3?$skiptoken=1"}"#;
    // WHEN it is read.
    let page = parse_page(body).expect("the page reads");
    // THEN the object is a row and the next link is kept.
    assert_eq!(
        page.rows,
        [json!({"CustomerAccount": "C1"})
            .as_object()
            .unwrap()
            .clone()]
    );
    assert_eq!(
        page.next_link.as_deref(),
        Some("https://fo.example/data/CustomersV3?$skiptoken=1")
    );
}

#[test]
fn a_link_that_is_not_a_string_is_an_error_not_the_last_page() {
    // GIVEN pages whose next or delta link has the wrong type (found while writing the page fuzz target: a number
    // read as "no next link" ended the read early and dropped the pages after it).
    let next = r#"{"value": [], "@odata.nextLink": 12}"#;
    let delta = r#"{"value": [], "@odata.deltaLink": ["a"]}"#;
    // WHEN they are read, THEN each is a typed error naming the annotation.
    assert!(error_text(parse_page(next)).contains("@odata.nextLink is not a string: a number"));
    assert!(
        error_text(parse_change_page(delta)).contains("@odata.deltaLink is not a string: an array")
    );
    // AND a null link is no link.
    let null = parse_page(r#"{"value": [], "@odata.nextLink": null}"#).expect("null reads");
    assert_eq!(null.next_link, None);
}

#[test]
fn a_tombstone_without_a_string_id_is_an_error() {
    // GIVEN tombstones whose id is missing or not a string.
    let missing = r#"{"value": [{"@odata.context": "x/$metadata#accounts/$deletedEntity", "reason": "deleted"}]}"#;
    let number = r#"{"value": [{"reason": "deleted", "id": 5}]}"#;
    // WHEN they are read, THEN each is refused rather than carried as an empty changed row.
    assert!(error_text(parse_change_page(missing)).contains("its id is missing"));
    assert!(error_text(parse_change_page(number)).contains("its id is a number"));
}

#[test]
fn bodies_that_are_not_pages_are_typed_errors() {
    // GIVEN a blank body, text that is not JSON, JSON without a value array, and a value
    // that is not an array.
    let cases = [
        ("", "no 'value' array"),
        ("{\"value\": ", "response is not JSON"),
        ("[1, 2]", "no 'value' array"),
        ("{\"value\": {\"a\": 1}}", "no 'value' array"),
    ];
    for (body, expected) in cases {
        // WHEN each is read as either kind of page, THEN the error says why.
        assert!(error_text(parse_page(body)).contains(expected), "{body:?}");
        assert!(
            error_text(parse_change_page(body)).contains(expected),
            "{body:?}"
        );
    }
}

#[test]
fn hostile_sizes_are_read_or_refused_without_a_crash() {
    // GIVEN JSON nested 100,000 deep, and a page holding a 10 MB string.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = format!(r#"{{"value": [{{"name": "{}"}}]}}"#, "x".repeat(10_000_000));
    // WHEN they are read.
    // THEN serde_json's recursion limit refuses the nesting as an error (it is not disabled),
    // and the long string is an ordinary row.
    assert!(error_text(parse_page(&deep)).contains("recursion limit exceeded"));
    let page = parse_page(&huge).expect("a long value is still a value");
    assert_eq!(
        page.rows[0]["name"].as_str().map(str::len),
        Some(10_000_000)
    );
}
