//! Numeric literals, which both filter languages write alike: the value, its canonical
//! text, and the lexer that reads one.

use std::fmt;

use super::FilterError;

/// A numeric literal. Decimals are held as `f64` because rows arrive as JSON, whose
/// numbers serde_json already holds as `f64`; only finite values can be printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Integer(i64),
    Decimal(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Integer(value) => write!(formatter, "{value}"),
            Number::Decimal(value) => {
                // A decimal keeps its point so that it parses back as a decimal.
                let text = value.to_string();
                if text.contains('.') {
                    formatter.write_str(&text)
                } else {
                    write!(formatter, "{text}.0")
                }
            }
        }
    }
}

/// Reads `-?digits(.digits)?(e[+-]?digits)?` and refuses letters glued to it.
pub(super) fn lex_number(
    characters: &[char],
    start: usize,
    position: usize,
) -> Result<(Number, usize), FilterError> {
    let digits_from = |mut at: usize| {
        while characters.get(at).is_some_and(char::is_ascii_digit) {
            at += 1;
        }
        at
    };
    let mut end = digits_from(start + usize::from(characters[start] == '-'));
    let mut decimal = false;
    if characters.get(end) == Some(&'.')
        && characters.get(end + 1).is_some_and(char::is_ascii_digit)
    {
        decimal = true;
        end = digits_from(end + 1);
    }
    if matches!(characters.get(end), Some('e' | 'E')) {
        let sign = usize::from(matches!(characters.get(end + 1), Some('+' | '-')));
        if characters
            .get(end + 1 + sign)
            .is_some_and(char::is_ascii_digit)
        {
            decimal = true;
            end = digits_from(end + 1 + sign);
        }
    }
    let glued = (end..characters.len())
        .find(|at| {
            !(characters[*at].is_ascii_alphanumeric()
                || characters[*at] == '_'
                || characters[*at] == '.')
        })
        .unwrap_or(characters.len());
    let text: String = characters[start..glued.max(end)].iter().collect();
    let invalid = |reason: &str| FilterError::InvalidLiteral {
        kind: "number",
        text: text.clone(),
        position,
        reason: reason.to_owned(),
    };
    if glued > end {
        return Err(invalid(
            "a number cannot run into letters or a second point",
        ));
    }
    let number = if decimal {
        text.parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .map(Number::Decimal)
            .ok_or_else(|| invalid("it is out of range for a decimal"))?
    } else {
        text.parse::<i64>()
            .map(Number::Integer)
            .map_err(|_| invalid("it is out of range for a 64-bit integer"))?
    };
    Ok((number, end))
}
