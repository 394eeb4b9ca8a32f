//! Value transforms: how one field's value changes on its way to the other side.
//!
//! Every transform is a pure function of the value and the direction it travels in. Each
//! one also says whether it round-trips, so that validation can refuse a lossy transform on
//! a field that flows both ways: a lossy change written back would overwrite the original.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::map::{MapError, Side};

/// How a value changes on its way across.
///
/// `Default` and `ValueMap` keep the JSON shape stored maps already use; the other kinds
/// were added later and are only ever written by newer versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Transform {
    /// The destination receives this value.
    Default {
        #[ts(type = "unknown")]
        value: Value,
    },
    /// Finance and operations enum member names paired with Dataverse option values.
    ValueMap {
        #[ts(type = "Array<[string, unknown]>")]
        pairs: Vec<(String, Value)>,
    },
    /// The destination always receives this value, whatever the source holds.
    Constant {
        #[ts(type = "unknown")]
        value: Value,
    },
    /// Several fields on `from` joined into the mapping's single column on the other side.
    #[serde(rename_all = "camelCase")]
    Concatenate {
        from: Side,
        fields: Vec<String>,
        separator: String,
        /// How the joined column is cut back into `fields`; without one the join is one-way.
        #[serde(default)]
        #[ts(optional = nullable)]
        split: Option<SplitRule>,
    },
    /// Text changes case; the original case is lost, so this is one-way.
    Case { case: TextCase },
    /// Leading and trailing white space is removed; one-way for the same reason.
    Trim,
    /// Numbers are rounded to a number of decimals.
    NumberFormat { decimals: u32, rounding: Rounding },
    /// Date values move between date-only and date-and-time forms, and the finance and
    /// operations empty date 1900-01-01 becomes a Dataverse null.
    #[serde(rename_all = "camelCase")]
    DateFormat {
        finance_operations: DateKind,
        dataverse: DateKind,
        #[serde(default = "null_date_by_default")]
        #[ts(optional, as = "Option<bool>")]
        null_date: bool,
    },
    /// The value is the name of a row of another map; the engine resolves it to that row's
    /// reference, so here the value passes through unchanged.
    #[serde(rename_all = "camelCase")]
    LookupByName {
        target_map: String,
        name_column: String,
    },
}

/// The empty date is translated unless a map turns it off: 1900-01-01 stands for "no date".
fn null_date_by_default() -> bool {
    true
}

/// Where a joined value is cut when it travels back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SplitRule {
    /// Cut at the first separators; any extra separators stay in the last field.
    FromLeft,
    /// Cut at the last separators; any extra separators stay in the first field.
    FromRight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TextCase {
    Upper,
    Lower,
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Rounding {
    /// Halves go away from zero, as finance and operations rounds amounts.
    HalfAwayFromZero,
    /// Halves go to the even neighbour (banker's rounding).
    HalfEven,
    /// Toward zero.
    Down,
    /// Away from zero.
    Up,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DateKind {
    /// `2026-05-01`.
    Date,
    /// `2026-05-01T10:00:00Z`.
    DateTime,
}

/// What a field writes when its source value is null or empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NullPolicy {
    /// Write the null (or empty text) as it is.
    Keep,
    /// Write this value instead.
    UseDefault {
        #[ts(type = "unknown")]
        value: Value,
    },
    /// Leave the destination column untouched.
    Skip,
}

/// The finance and operations empty date; its date fields cannot hold null.
pub const NULL_DATE: &str = "1900-01-01";

/// The empty date as finance and operations OData returns a date-and-time field.
const NULL_DATE_TIME: &str = "1900-01-01T12:00:00Z";

/// The most decimals a Dataverse decimal column holds; rounding beyond it means nothing.
pub const MAX_DECIMALS: u32 = 10;

impl Transform {
    /// Whether a value that travels across and back arrives unchanged, so the transform is
    /// safe on a two-way field.
    pub fn round_trips(&self) -> bool {
        match self {
            Transform::ValueMap { .. } | Transform::LookupByName { .. } => true,
            Transform::Concatenate { split, .. } => split.is_some(),
            // Converting between date-only and date-and-time drops the time of day.
            Transform::DateFormat {
                finance_operations,
                dataverse,
                ..
            } => finance_operations == dataverse,
            Transform::Default { .. }
            | Transform::Constant { .. }
            | Transform::Case { .. }
            | Transform::Trim
            | Transform::NumberFormat { .. } => false,
        }
    }

    /// The serialized `kind`, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Transform::Default { .. } => "default",
            Transform::ValueMap { .. } => "valueMap",
            Transform::Constant { .. } => "constant",
            Transform::Concatenate { .. } => "concatenate",
            Transform::Case { .. } => "case",
            Transform::Trim => "trim",
            Transform::NumberFormat { .. } => "numberFormat",
            Transform::DateFormat { .. } => "dateFormat",
            Transform::LookupByName { .. } => "lookupByName",
        }
    }
}

/// Whether a value counts as absent: finance and operations stores empty text for null.
pub(crate) fn is_absent(value: &Value) -> bool {
    value.is_null() || value.as_str() == Some("")
}

/// Joins the parts in order; absent parts join as empty text, and all-absent is null.
pub(crate) fn join(parts: &[Value], separator: &str) -> Value {
    if parts.iter().all(is_absent) {
        return Value::Null;
    }
    let texts: Vec<String> = parts
        .iter()
        .map(|part| match part {
            Value::Null => String::new(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect();
    Value::from(texts.join(separator))
}

/// Cuts a joined value into `count` parts; missing parts are empty text.
pub(crate) fn split(value: &Value, separator: &str, count: usize, rule: SplitRule) -> Vec<Value> {
    let Some(text) = value.as_str().filter(|text| !text.is_empty()) else {
        return vec![Value::Null; count];
    };
    let mut parts: Vec<String> = match rule {
        SplitRule::FromLeft => text.splitn(count, separator).map(str::to_owned).collect(),
        SplitRule::FromRight => {
            let mut parts: Vec<String> =
                text.rsplitn(count, separator).map(str::to_owned).collect();
            parts.reverse();
            parts
        }
    };
    let missing = count.saturating_sub(parts.len());
    match rule {
        SplitRule::FromLeft => parts.extend(std::iter::repeat_n(String::new(), missing)),
        SplitRule::FromRight => {
            let mut padded = vec![String::new(); missing];
            padded.append(&mut parts);
            parts = padded;
        }
    }
    parts.into_iter().map(Value::from).collect()
}

pub(crate) fn change_case(value: &Value, case: TextCase) -> Value {
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    let changed = match case {
        TextCase::Upper => text.to_uppercase(),
        TextCase::Lower => text.to_lowercase(),
        TextCase::Title => title_case(text),
    };
    Value::from(changed)
}

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for character in text.chars() {
        if character.is_whitespace() {
            at_word_start = true;
            out.push(character);
        } else if at_word_start {
            at_word_start = false;
            out.extend(character.to_uppercase());
        } else {
            out.extend(character.to_lowercase());
        }
    }
    out
}

pub(crate) fn trim(value: &Value) -> Value {
    match value.as_str() {
        Some(text) => Value::from(text.trim()),
        None => value.clone(),
    }
}

pub(crate) fn round(
    value: &Value,
    decimals: u32,
    rounding: Rounding,
    field: &str,
) -> Result<Value, MapError> {
    if is_absent(value) {
        return Ok(value.clone());
    }
    // Numeric text is accepted because some finance and operations entities expose amounts
    // as strings.
    let number = value
        .as_f64()
        .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
        .ok_or_else(|| MapError::InvalidValue {
            field: field.to_owned(),
            value: value.to_string(),
            expected: "a number",
        })?;
    let factor = 10_f64.powi(decimals.min(MAX_DECIMALS) as i32);
    let scaled = number * factor;
    let rounded = match rounding {
        Rounding::HalfAwayFromZero => scaled.round(),
        Rounding::HalfEven => scaled.round_ties_even(),
        Rounding::Down => scaled.trunc(),
        Rounding::Up => scaled.signum() * scaled.abs().ceil(),
    } / factor;
    Ok(serde_json::Number::from_f64(rounded)
        .map(Value::Number)
        .unwrap_or(Value::Null))
}

/// Converts a date value travelling from `from` between the two sides' date kinds.
pub(crate) fn convert_date(
    value: &Value,
    from: Side,
    finance_operations: DateKind,
    dataverse: DateKind,
    null_date: bool,
    field: &str,
) -> Result<Value, MapError> {
    let (source_kind, target_kind) = match from {
        Side::FinanceOperations => (finance_operations, dataverse),
        Side::Dataverse => (dataverse, finance_operations),
    };
    if is_absent(value) {
        return Ok(match (from, null_date) {
            (Side::Dataverse, true) => Value::from(match target_kind {
                DateKind::Date => NULL_DATE,
                DateKind::DateTime => NULL_DATE_TIME,
            }),
            _ => Value::Null,
        });
    }
    let invalid = || MapError::InvalidValue {
        field: field.to_owned(),
        value: value.to_string(),
        expected: "an ISO 8601 date",
    };
    let text = value.as_str().ok_or_else(invalid)?;
    if null_date && from == Side::FinanceOperations && text.starts_with(NULL_DATE) {
        return Ok(Value::Null);
    }
    if source_kind == target_kind {
        return Ok(value.clone());
    }
    match target_kind {
        DateKind::DateTime => {
            let date = text
                .get(..10)
                .filter(|date| valid_date(date))
                .ok_or_else(invalid)?;
            Ok(Value::from(format!("{date}T00:00:00Z")))
        }
        DateKind::Date => utc_date(text).map(Value::from).ok_or_else(invalid),
    }
}

fn valid_date(text: &str) -> bool {
    civil(text).is_some()
}

fn civil(text: &str) -> Option<(i64, i64, i64)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|byte| byte.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// The UTC calendar date of a date-and-time with an offset; a date alone is its own date.
fn utc_date(text: &str) -> Option<String> {
    let (year, month, day) = civil(text.get(..10)?)?;
    if text.len() == 10 {
        return Some(text.to_owned());
    }
    let rest = text.get(11..)?;
    let clock = rest.get(..5)?;
    let hours: i64 = clock.get(..2)?.parse().ok()?;
    let minutes: i64 = clock.get(3..5)?.parse().ok()?;
    let offset = match rest.rfind(['+', '-']) {
        Some(at) if !rest.ends_with('Z') => {
            let zone = &rest[at..];
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let offset_hours: i64 = zone.get(1..3)?.parse().ok()?;
            let offset_minutes: i64 = zone.get(4..6)?.parse().ok()?;
            sign * (offset_hours * 60 + offset_minutes)
        }
        _ => 0,
    };
    let minute_of_day = hours * 60 + minutes - offset;
    let days = days_from_civil(year, month, day) + minute_of_day.div_euclid(24 * 60);
    let (year, month, day) = civil_from_days(days);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn date_time_converts_to_its_utc_date() {
        // GIVEN a date-and-time just after midnight in a zone east of UTC.
        let text = "2026-03-01T00:30:00+02:00";
        // WHEN it becomes a date.
        let date = utc_date(text);
        // THEN the date is the UTC one, across a month end.
        assert_eq!(
            date.as_deref(),
            Some("2026-02-28"),
            "a date-only column holds the UTC date"
        );
    }

    #[test]
    fn civil_days_round_trip() {
        // GIVEN a spread of day numbers around the epoch.
        for days in [-800_000, -1, 0, 1, 59, 365, 20_000, 2_932_896] {
            // WHEN they become a calendar date and back.
            let (year, month, day) = civil_from_days(days);
            // THEN the day number is the same.
            assert_eq!(
                days_from_civil(year, month, day),
                days,
                "the two calendar conversions must be inverses"
            );
        }
    }

    #[test]
    fn title_case_capitalizes_each_word() {
        // GIVEN mixed-case text.
        let value = json!("fABRIKAM  north");
        // WHEN it is title-cased.
        let changed = change_case(&value, TextCase::Title);
        // THEN each word starts upper-case and white space is kept.
        assert_eq!(
            changed,
            json!("Fabrikam  North"),
            "title case capitalizes words"
        );
    }
}
