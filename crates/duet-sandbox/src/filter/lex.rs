//! Splits a `$filter` expression into tokens: punctuation, quoted strings, GUIDs, numbers
//! and dates, words, and F&O enum literals.

use chrono::{DateTime, NaiveDate, Utc};

use super::{FilterError, Literal, syntax};

/// The kinds of token a filter is made of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    Comma,
    /// `=`, `[` and `]`, which only Dataverse's query functions use
    /// (`Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=['a'])`).
    Equals,
    LBracket,
    RBracket,
    Word(String),
    Lit(Literal),
    End,
}

/// A token, with where it starts in the input and how it was written, for error messages.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: usize,
    pub(crate) text: String,
}

/// Reads a literal quoted with `chars[start]` (`'`, or `"` inside a query function's value
/// list), undoubling the quote.
fn read_quoted(input: &str, chars: &[char], start: usize) -> Result<(String, usize), FilterError> {
    let quote = chars[start];
    let mut i = start + 1;
    let mut out = String::new();
    loop {
        match chars.get(i) {
            None => return Err(syntax(input, start, "'", "unterminated string literal")),
            Some(c) if *c == quote => {
                if chars.get(i + 1) == Some(&quote) {
                    out.push(quote);
                    i += 2;
                } else {
                    return Ok((out, i + 1));
                }
            }
            Some(c) => {
                out.push(*c);
                i += 1;
            }
        }
    }
}

/// Recognises an unquoted GUID at `i`, which Dataverse uses for lookup and id comparisons.
fn guid_at(chars: &[char], i: usize) -> Option<String> {
    if i + 36 > chars.len() {
        return None;
    }
    let candidate: String = chars[i..i + 36].iter().collect();
    let boundary = chars
        .get(i + 36)
        .is_none_or(|c| !(c.is_alphanumeric() || *c == '-'));
    if boundary && uuid::Uuid::try_parse(&candidate).is_ok() && candidate.contains('-') {
        Some(candidate.to_ascii_lowercase())
    } else {
        None
    }
}

fn classify_bare(text: &str) -> Option<Literal> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(Literal::Time(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|n| Literal::Time(n.and_utc()));
    }
    text.parse::<f64>().ok().map(Literal::Num)
}

/// Splits `input` into tokens, ending with [`Tok::End`] at the input's length.
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let (token, next) = token_at(input, &chars, i)?;
        out.push(token);
        i = next;
    }
    out.push(Token {
        tok: Tok::End,
        pos: chars.len(),
        text: "end of input".to_string(),
    });
    Ok(out)
}

/// The token that starts at `start`, and the index just after it.
fn token_at(input: &str, chars: &[char], start: usize) -> Result<(Token, usize), FilterError> {
    let c = chars[start];
    let simple = match c {
        '(' => Some(Tok::LParen),
        ')' => Some(Tok::RParen),
        ',' => Some(Tok::Comma),
        '=' => Some(Tok::Equals),
        '[' => Some(Tok::LBracket),
        ']' => Some(Tok::RBracket),
        _ => None,
    };
    if let Some(tok) = simple {
        let token = Token {
            tok,
            pos: start,
            text: c.to_string(),
        };
        return Ok((token, start + 1));
    }
    if c == '\'' || c == '"' {
        let (s, next) = read_quoted(input, chars, start)?;
        let token = Token {
            tok: Tok::Lit(Literal::Str(s)),
            pos: start,
            text: chars[start..next].iter().collect(),
        };
        return Ok((token, next));
    }
    if let Some(g) = guid_at(chars, start) {
        let token = Token {
            tok: Tok::Lit(Literal::Guid(g.clone())),
            pos: start,
            text: g,
        };
        return Ok((token, start + 36));
    }
    let starts_number = c.is_ascii_digit()
        || (c == '-' && chars.get(start + 1).is_some_and(|n| n.is_ascii_digit()));
    if starts_number {
        return number_at(input, chars, start);
    }
    if c.is_alphabetic() || c == '_' {
        return word_at(input, chars, start);
    }
    Err(syntax(input, start, &c.to_string(), "unexpected character"))
}

/// A bare literal starting at `start`: a number, a date or a date and time.
fn number_at(input: &str, chars: &[char], start: usize) -> Result<(Token, usize), FilterError> {
    let mut i = start + 1;
    while i < chars.len() && (chars[i].is_alphanumeric() || "-:.+".contains(chars[i])) {
        i += 1;
    }
    let text: String = chars[start..i].iter().collect();
    let lit = classify_bare(&text).ok_or_else(|| syntax(input, start, &text, "invalid literal"))?;
    let token = Token {
        tok: Tok::Lit(lit),
        pos: start,
        text,
    };
    Ok((token, i))
}

/// A word starting at `start`: a property name, a keyword, `null`, `true`, `false`, or an
/// F&O enum literal when a qualified name is followed by a quoted member.
fn word_at(input: &str, chars: &[char], start: usize) -> Result<(Token, usize), FilterError> {
    let mut i = start + 1;
    while i < chars.len() && (chars[i].is_alphanumeric() || "_./".contains(chars[i])) {
        i += 1;
    }
    let word: String = chars[start..i].iter().collect();
    if chars.get(i) == Some(&'\'') && word.contains('.') {
        let (member, next) = read_quoted(input, chars, i)?;
        let token = Token {
            tok: Tok::Lit(Literal::Enum(member)),
            pos: start,
            text: chars[start..next].iter().collect(),
        };
        return Ok((token, next));
    }
    let tok = match word.as_str() {
        "null" => Tok::Lit(Literal::Null),
        "true" => Tok::Lit(Literal::Bool(true)),
        "false" => Tok::Lit(Literal::Bool(false)),
        _ => Tok::Word(word.clone()),
    };
    let token = Token {
        tok,
        pos: start,
        text: word,
    };
    Ok((token, i))
}
