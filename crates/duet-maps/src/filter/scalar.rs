//! The values a filter compares, and the comparison rules both languages share.
//!
//! Text compares case-insensitively because both services store strings under
//! case-insensitive collations. Text meeting a typed literal (number, GUID, date) is read
//! as that type, because rows arrive as JSON where such values are often strings.

use std::cmp::Ordering;

use serde_json::Value;

use super::temporal::{self, Date, DateTime};
use super::{Comparison, FilterError, Number};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Null,
    Bool(bool),
    Number(Number),
    Text(String),
    Guid(u128),
    DateTime(DateTime),
    Date(Date),
}

/// Two values of kinds that have no common order.
pub(super) struct Mismatch;

impl Scalar {
    /// The scalar in a JSON value, or the kind of value that is not one.
    pub(super) fn from_json(value: &Value) -> Result<Scalar, &'static str> {
        Ok(match value {
            Value::Null => Scalar::Null,
            Value::Bool(flag) => Scalar::Bool(*flag),
            Value::Number(number) => Scalar::Number(match number.as_i64() {
                Some(integer) => Number::Integer(integer),
                None => Number::Decimal(number.as_f64().unwrap_or(f64::NAN)),
            }),
            Value::String(text) => Scalar::Text(text.clone()),
            Value::Array(_) => return Err("a list"),
            Value::Object(_) => return Err("an object"),
        })
    }

    pub(super) fn describe(&self) -> String {
        match self {
            Scalar::Null => "null".to_owned(),
            Scalar::Bool(flag) => flag.to_string(),
            Scalar::Number(number) => format!("number {number}"),
            Scalar::Text(text) => format!("text '{text}'"),
            Scalar::Guid(guid) => format!("GUID {}", format_guid(*guid)),
            Scalar::DateTime(moment) => format!("date and time {moment}"),
            Scalar::Date(date) => format!("date {date}"),
        }
    }
}

pub(super) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// Orders two values; `Ok(None)` when either is null, because null has no order.
pub(super) fn order(left: &Scalar, right: &Scalar) -> Result<Option<Ordering>, Mismatch> {
    let ordering = match (left, right) {
        (Scalar::Null, _) | (_, Scalar::Null) => return Ok(None),
        (Scalar::Text(left), Scalar::Text(right)) => fold(left).cmp(&fold(right)),
        (Scalar::Text(text), typed) => {
            let coerced = coerce(text, typed).ok_or(Mismatch)?;
            return order(&coerced, typed);
        }
        (typed, Scalar::Text(text)) => {
            let coerced = coerce(text, typed).ok_or(Mismatch)?;
            return order(typed, &coerced);
        }
        (Scalar::Bool(left), Scalar::Bool(right)) => left.cmp(right),
        (Scalar::Number(left), Scalar::Number(right)) => match (left, right) {
            (Number::Integer(left), Number::Integer(right)) => left.cmp(right),
            _ => as_f64(*left).partial_cmp(&as_f64(*right)).ok_or(Mismatch)?,
        },
        (Scalar::Guid(left), Scalar::Guid(right)) => left.cmp(right),
        (Scalar::DateTime(left), Scalar::DateTime(right)) => {
            left.utc_nanos().cmp(&right.utc_nanos())
        }
        (Scalar::Date(left), Scalar::Date(right)) => left.cmp(right),
        _ => return Err(Mismatch),
    };
    Ok(Some(ordering))
}

/// Applies a comparison with SQL-like null rules: null equals only null, and never orders.
pub(super) fn compare(
    operator: Comparison,
    symbol: &str,
    left: &Scalar,
    right: &Scalar,
) -> Result<bool, FilterError> {
    match order(left, right) {
        Ok(Some(ordering)) => Ok(operator.holds(ordering)),
        Ok(None) => {
            let both_null = *left == Scalar::Null && *right == Scalar::Null;
            Ok(match operator {
                Comparison::Equal => both_null,
                Comparison::NotEqual => !both_null,
                _ => false,
            })
        }
        Err(Mismatch) => Err(FilterError::Incomparable {
            operator: symbol.to_owned(),
            left: left.describe(),
            right: right.describe(),
        }),
    }
}

fn as_f64(number: Number) -> f64 {
    match number {
        Number::Integer(integer) => integer as f64,
        Number::Decimal(decimal) => decimal,
    }
}

fn coerce(text: &str, like: &Scalar) -> Option<Scalar> {
    match like {
        Scalar::Number(_) => parse_number(text.trim()).map(Scalar::Number),
        Scalar::Bool(_) => match fold(text.trim()).as_str() {
            "true" => Some(Scalar::Bool(true)),
            "false" => Some(Scalar::Bool(false)),
            _ => None,
        },
        Scalar::Guid(_) => parse_guid(text).map(Scalar::Guid),
        Scalar::DateTime(_) => temporal::parse_date_time(text).ok().map(Scalar::DateTime),
        Scalar::Date(_) => {
            // A date-time column compared with a date is compared by its written date.
            let date = match text.get(10..11) {
                Some("T") => text.get(..10)?,
                _ => text,
            };
            temporal::parse_date(date).ok().map(Scalar::Date)
        }
        Scalar::Null | Scalar::Text(_) => None,
    }
}

pub(super) fn parse_number(text: &str) -> Option<Number> {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|character| character.is_ascii_digit() || "+-.eE".contains(character));
    if !plain {
        return None;
    }
    if let Ok(integer) = text.parse::<i64>() {
        return Some(Number::Integer(integer));
    }
    text.parse::<f64>()
        .ok()
        .filter(|decimal| decimal.is_finite())
        .map(Number::Decimal)
}

/// Reads `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without braces, in any case.
pub(super) fn parse_guid(text: &str) -> Option<u128> {
    let text = text
        .strip_prefix('{')
        .and_then(|inner| inner.strip_suffix('}'))
        .unwrap_or(text);
    let shaped = text.len() == 36
        && text.char_indices().all(|(index, character)| match index {
            8 | 13 | 18 | 23 => character == '-',
            _ => character.is_ascii_hexdigit(),
        });
    if !shaped {
        return None;
    }
    u128::from_str_radix(&text.replace('-', ""), 16).ok()
}

pub(super) fn format_guid(guid: u128) -> String {
    let hex = format!("{guid:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Matches `*` (any run) and `?` (one character) against text, both already folded.
pub(super) fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut at_pattern, mut at_text) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while at_text < text.len() {
        match pattern.get(at_pattern) {
            Some('*') => {
                backtrack = Some((at_pattern, at_text));
                at_pattern += 1;
            }
            Some(&character) if character == '?' || character == text[at_text] => {
                at_pattern += 1;
                at_text += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    at_pattern = star + 1;
                    at_text = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[at_pattern..]
        .iter()
        .all(|character| *character == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_and_single_characters() {
        // GIVEN patterns with leading, trailing and inner wildcards.
        // WHEN they are matched against text.
        // THEN `*` matches any run, including none, and `?` exactly one character.
        assert!(glob_matches("*retail*", "big retail store"), "inner match");
        assert!(
            glob_matches("*retail*", "retail"),
            "a star may match nothing"
        );
        assert!(glob_matches("c00?1", "c0001"), "? matches one character");
        assert!(!glob_matches("c00?1", "c001"), "? cannot match nothing");
        assert!(
            !glob_matches("a*b", "acbd"),
            "the text must end where the pattern ends"
        );
    }

    #[test]
    fn guids_print_back_as_read() {
        // GIVEN an upper-case braced GUID.
        let guid = parse_guid("{89390C24-9C72-E511-80D4-00155D2A68D1}").expect("valid GUID");
        // WHEN it is printed.
        // THEN it is the canonical lower-case form Dataverse returns.
        assert_eq!(
            format_guid(guid),
            "89390c24-9c72-e511-80d4-00155d2a68d1",
            "printing must give the form Dataverse writes"
        );
    }
}
