//! The query-range lexer: characters to tokens, with each string's characters kept with
//! their positions so range errors can point into the string.

use crate::filter::number::lex_number;
use crate::filter::{Comparison, FilterError, Number};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Open,
    Close,
    And,
    Or,
    Not,
    Compare(Comparison),
    Word(String),
    Number(Number),
    /// String content with each character's 1-based position in the source text.
    Text(Vec<(char, usize)>),
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) position: usize,
    pub(super) text: String,
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let start = index;
        let position = start + 1;
        let next = characters.get(index + 1).copied();
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        let single = |kind: Kind, width: usize| (kind, width);
        let (kind, width) = match (character, next) {
            ('(', _) => single(Kind::Open, 1),
            (')', _) => single(Kind::Close, 1),
            ('&', Some('&')) => single(Kind::And, 2),
            ('|', Some('|')) => single(Kind::Or, 2),
            ('=', Some('=')) => single(Kind::Compare(Comparison::Equal), 2),
            ('!', Some('=')) => single(Kind::Compare(Comparison::NotEqual), 2),
            ('<', Some('=')) => single(Kind::Compare(Comparison::LessOrEqual), 2),
            ('>', Some('=')) => single(Kind::Compare(Comparison::GreaterOrEqual), 2),
            ('!', _) => single(Kind::Not, 1),
            ('<', _) => single(Kind::Compare(Comparison::Less), 1),
            ('>', _) => single(Kind::Compare(Comparison::Greater), 1),
            ('&' | '|' | '=', _) => {
                return Err(FilterError::Unexpected {
                    expected: format!("'{character}{character}'"),
                    position,
                    found: format!("'{character}'"),
                });
            }
            ('"' | '\'', _) => {
                let (content, end) = lex_string(&characters, index)?;
                (Kind::Text(content), end - index)
            }
            _ if character.is_ascii_digit()
                || (character == '-' && next.is_some_and(|next| next.is_ascii_digit())) =>
            {
                let (number, end) = lex_number(&characters, index, position)?;
                (Kind::Number(number), end - index)
            }
            _ if character.is_ascii_alphabetic() || character == '_' => {
                let end = (index..characters.len())
                    .find(|at| !(characters[*at].is_ascii_alphanumeric() || characters[*at] == '_'))
                    .unwrap_or(characters.len());
                let word: String = characters[index..end].iter().collect();
                (Kind::Word(word), end - index)
            }
            _ => {
                return Err(FilterError::Unexpected {
                    expected: "a field, a value, an operator or a parenthesis".to_owned(),
                    position,
                    found: format!("'{character}'"),
                });
            }
        };
        index += width;
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

type Content = Vec<(char, usize)>;

fn lex_string(characters: &[char], start: usize) -> Result<(Content, usize), FilterError> {
    let quote = characters[start];
    let mut content = Vec::new();
    let mut index = start + 1;
    loop {
        match characters.get(index) {
            None => {
                return Err(FilterError::UnterminatedString {
                    position: start + 1,
                });
            }
            Some(character) if *character == quote => return Ok((content, index + 1)),
            Some('\\') => match characters.get(index + 1) {
                Some(escaped @ ('\\' | '"' | '\'')) => {
                    content.push((*escaped, index + 2));
                    index += 2;
                }
                Some(other) => {
                    return Err(FilterError::InvalidLiteral {
                        kind: "escape",
                        text: format!("\\{other}"),
                        position: index + 1,
                        reason: "only \\\\, \\\" and \\' are escapes".to_owned(),
                    });
                }
                None => {
                    return Err(FilterError::UnterminatedString {
                        position: start + 1,
                    });
                }
            },
            Some(character) => {
                content.push((*character, index + 1));
                index += 1;
            }
        }
    }
}
