//! Reading the answers to reads: a response body as JSON, a page of rows with the link of the
//! next page (finance and operations queries and Dataverse queries alike), and a page of
//! Dataverse change tracking with its tombstones and delta link.
//!
//! Pure functions over the text the service sent, which the clients call after the transport
//! has the body, and which the fuzz targets call with arbitrary bytes: either a page or a
//! typed error, never a panic.

use serde_json::Value;

use crate::error::ConnectError;
use crate::finops::Row;

/// One page of a query: its rows, and the link of the next page when there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub rows: Vec<Row>,
    pub next_link: Option<String>,
}

/// One page of Dataverse change tracking: rows created or updated, ids of rows deleted
/// (`$deletedEntity` tombstones), the link of the next page, and on the last page the delta
/// link that reads what changes after it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangePage {
    pub changed: Vec<Row>,
    pub deleted: Vec<String>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
}

/// A response body as JSON; a blank body is `null`.
pub fn json_body(method: &str, url: &str, text: &str) -> Result<Value, ConnectError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|error| {
        ConnectError::invalid(method, url, format!("response is not JSON: {error}"))
    })
}

/// A page of a query read from its body text.
pub fn parse_page(text: &str, url: &str) -> Result<Page, ConnectError> {
    read_page(&json_body("GET", url, text)?, url)
}

/// A page of change tracking read from its body text.
pub fn parse_change_page(text: &str, url: &str) -> Result<ChangePage, ConnectError> {
    read_change_page(&json_body("GET", url, text)?, url)
}

/// A page of a query: the objects of its `value` array and its `@odata.nextLink`.
pub fn read_page(body: &Value, url: &str) -> Result<Page, ConnectError> {
    Ok(Page {
        rows: rows(body, url)?,
        next_link: link(body, "@odata.nextLink", url)?,
    })
}

/// A page of change tracking: its rows told apart from its tombstones, its next link and its
/// delta link.
pub fn read_change_page(body: &Value, url: &str) -> Result<ChangePage, ConnectError> {
    let mut page = ChangePage {
        next_link: link(body, "@odata.nextLink", url)?,
        delta_link: link(body, "@odata.deltaLink", url)?,
        ..ChangePage::default()
    };
    for row in rows(body, url)? {
        match tombstone(&row, url)? {
            Some(id) => page.deleted.push(id),
            None => page.changed.push(row),
        }
    }
    Ok(page)
}

/// The objects of the body's `value` array (anything else in it is not a row).
fn rows(body: &Value, url: &str) -> Result<Vec<Row>, ConnectError> {
    let values = body.get("value").and_then(Value::as_array).ok_or_else(|| {
        ConnectError::invalid("GET", url, "the response has no 'value' array".to_owned())
    })?;
    Ok(values
        .iter()
        .filter_map(|row| row.as_object().cloned())
        .collect())
}

/// A link annotation: absent or null is no link; anything but a string is an error, since
/// reading on as if there were no next page would quietly drop the rows after it.
fn link(body: &Value, name: &str, url: &str) -> Result<Option<String>, ConnectError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(link)) => Ok(Some(link.clone())),
        Some(other) => Err(ConnectError::invalid(
            "GET",
            url,
            format!("the response's {name} is not a string: {}", kind(other)),
        )),
    }
}

/// The id of a tombstone (`$deletedEntity`, which carries only the id and the reason), or
/// `None` for a row. A tombstone without a string id is an error: carrying it as a changed
/// row would write an empty row, and dropping it would lose the delete.
fn tombstone(row: &Row, url: &str) -> Result<Option<String>, ConnectError> {
    let is_tombstone = row
        .get("@odata.context")
        .and_then(Value::as_str)
        .is_some_and(|context| context.ends_with("$deletedEntity"))
        || row.get("reason").and_then(Value::as_str) == Some("deleted");
    if !is_tombstone {
        return Ok(None);
    }
    match row.get("id") {
        Some(Value::String(id)) => Ok(Some(id.clone())),
        other => Err(ConnectError::invalid(
            "GET",
            url,
            format!(
                "a deleted row ($deletedEntity) has no string id: its id is {}",
                other.map_or("missing", kind)
            ),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
