//! The Dataverse filter lexer: characters to tokens, with literals (strings, GUIDs, dates,
//! numbers) read whole.

use super::Literal;
use crate::filter::FilterError;
use crate::filter::number::lex_number;
use crate::filter::scalar::parse_guid;
use crate::filter::temporal;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Open,
    Close,
    Comma,
    /// Only lambdas use a colon; lexing it lets the parser refuse the lambda by name.
    Colon,
    Slash,
    Word(String),
    Literal(Literal),
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) position: usize,
    pub(super) text: String,
}

fn is_word_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || character == '_' || character == '.'
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let start = index;
        let position = start + 1;
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        let (kind, end) = match character {
            '(' | ')' | ',' | '/' | ':' => (punctuation(character), index + 1),
            '\'' => lex_text(&characters, index, position)?,
            '@' => {
                return Err(FilterError::Unsupported {
                    construct: "a parameter alias".to_owned(),
                    position,
                    reason: "write the value into the filter itself".to_owned(),
                });
            }
            _ => lex_run(&characters, index, position)?,
        };
        index = end;
        tokens.push(Token {
            kind,
            position,
            text: characters[start..index].iter().collect(),
        });
    }
    tokens.push(Token {
        kind: Kind::End,
        position: characters.len() + 1,
        text: String::new(),
    });
    Ok(tokens)
}

fn punctuation(character: char) -> Kind {
    match character {
        '(' => Kind::Open,
        ')' => Kind::Close,
        ',' => Kind::Comma,
        ':' => Kind::Colon,
        _ => Kind::Slash,
    }
}

/// Reads the quoted string that opens at `start`, with `''` for a quote, and returns it
/// with the index just past its closing quote.
fn lex_text(
    characters: &[char],
    start: usize,
    position: usize,
) -> Result<(Kind, usize), FilterError> {
    let mut index = start + 1;
    let mut value = String::new();
    loop {
        match characters.get(index) {
            None => return Err(FilterError::UnterminatedString { position }),
            Some('\'') if characters.get(index + 1) == Some(&'\'') => {
                value.push('\'');
                index += 2;
            }
            Some('\'') => {
                index += 1;
                break;
            }
            Some(other) => {
                value.push(*other);
                index += 1;
            }
        }
    }
    Ok((Kind::Literal(Literal::Text(value)), index))
}

/// Reads the unquoted token at `index`: a GUID, a date or date-time, a number or a word,
/// and returns it with the index just past it.
fn lex_run(
    characters: &[char],
    index: usize,
    position: usize,
) -> Result<(Kind, usize), FilterError> {
    let character = characters[index];
    let run_end = (index..characters.len())
        .find(|at| !(is_word_character(characters[*at]) || "-:+".contains(characters[*at])))
        .unwrap_or(characters.len());
    let run: String = characters[index..run_end].iter().collect();
    if let Some(guid) = run.get(..36).and_then(parse_guid).filter(|_| {
        characters
            .get(index + 36)
            .is_none_or(|next| !is_word_character(*next))
    }) {
        Ok((Kind::Literal(Literal::Guid(guid)), index + 36))
    } else if run.len() >= 5
        && run.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && run.as_bytes()[4] == b'-'
    {
        Ok((Kind::Literal(lex_temporal(&run, position)?), run_end))
    } else if character.is_ascii_digit()
        || (character == '-' && characters.get(index + 1).is_some_and(char::is_ascii_digit))
    {
        let (number, end) = lex_number(characters, index, position)?;
        Ok((Kind::Literal(Literal::Number(number)), end))
    } else if character.is_ascii_alphabetic() || character == '_' {
        let end = (index..characters.len())
            .find(|at| !is_word_character(characters[*at]))
            .unwrap_or(characters.len());
        let word: String = characters[index..end].iter().collect();
        Ok((Kind::Word(word), end))
    } else {
        Err(FilterError::Unexpected {
            expected: "a column, a value, an operator or a parenthesis".to_owned(),
            position,
            found: format!("'{character}'"),
        })
    }
}

/// A run that starts like a year (`2024-`) is a date, or a date-time when it has a `T`.
fn lex_temporal(run: &str, position: usize) -> Result<Literal, FilterError> {
    let parsed = if run.contains('T') {
        temporal::parse_date_time(run).map(Literal::DateTime)
    } else {
        temporal::parse_date(run).map(Literal::Date)
    };
    parsed.map_err(|reason| FilterError::InvalidLiteral {
        kind: "date",
        text: run.to_owned(),
        position,
        reason,
    })
}
