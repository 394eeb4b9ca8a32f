//! The query-range syntax inside a quoted string: lists, `..` ranges, wildcards and range
//! quoting, read into range items.

use super::RangeItem;
use crate::filter::FilterError;

/// One character of range text after range quoting is resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece {
    Literal { character: char, quoted: bool },
    Wildcard(char),
    Span,
}

pub(super) fn parse_ranges(content: &[(char, usize)]) -> Result<Vec<RangeItem>, FilterError> {
    let mut items = Vec::new();
    let mut pieces: Vec<(Piece, usize)> = Vec::new();
    let mut index = 0;
    loop {
        let Some(&(character, position)) = content.get(index) else {
            items.push(range_item_of(&pieces)?);
            return Ok(items);
        };
        match character {
            ',' => {
                items.push(range_item_of(&pieces)?);
                pieces.clear();
                index += 1;
            }
            '"' => {
                index += 1;
                loop {
                    match content.get(index) {
                        None => return Err(FilterError::UnterminatedString { position }),
                        Some(('"', _)) if content.get(index + 1).map(|(c, _)| *c) == Some('"') => {
                            pieces.push((
                                Piece::Literal {
                                    character: '"',
                                    quoted: true,
                                },
                                position,
                            ));
                            index += 2;
                        }
                        Some(('"', _)) => {
                            index += 1;
                            break;
                        }
                        Some(&(character, at)) => {
                            pieces.push((
                                Piece::Literal {
                                    character,
                                    quoted: true,
                                },
                                at,
                            ));
                            index += 1;
                        }
                    }
                }
            }
            '*' | '?' => {
                pieces.push((Piece::Wildcard(character), position));
                index += 1;
            }
            '.' if content.get(index + 1).map(|(c, _)| *c) == Some('.') => {
                pieces.push((Piece::Span, position));
                index += 2;
            }
            _ => {
                pieces.push((
                    Piece::Literal {
                        character,
                        quoted: false,
                    },
                    position,
                ));
                index += 1;
            }
        }
    }
}

fn range_item_of(pieces: &[(Piece, usize)]) -> Result<RangeItem, FilterError> {
    let blank = |piece: &&(Piece, usize)| matches!(piece.0, Piece::Literal { character, quoted: false } if character.is_whitespace());
    let leading = pieces.iter().take_while(blank).count();
    let trailing = pieces[leading..].iter().rev().take_while(blank).count();
    let pieces = &pieces[leading..pieces.len() - trailing];
    if let Some(&(
        Piece::Literal {
            character: operator @ ('!' | '<' | '>' | '('),
            quoted: false,
        },
        position,
    )) = pieces.first()
    {
        return Err(FilterError::Unsupported {
            construct: format!("query-range operator '{operator}' inside a string"),
            position,
            reason: "write the comparison with ==, !=, <, <=, >, >= or && outside the string, or quote the value".to_owned(),
        });
    }
    let spans: Vec<usize> = pieces
        .iter()
        .enumerate()
        .filter(|(_, (piece, _))| *piece == Piece::Span)
        .map(|(at, _)| at)
        .collect();
    let text_of = |pieces: &[(Piece, usize)]| -> Result<String, FilterError> {
        pieces
            .iter()
            .map(|(piece, position)| match piece {
                Piece::Literal { character, .. } => Ok(*character),
                _ => Err(FilterError::Unsupported {
                    construct: "a wildcard in a range bound".to_owned(),
                    position: *position,
                    reason: "a range 'a..b' takes plain values; quote a literal '*'".to_owned(),
                }),
            })
            .collect()
    };
    match spans.as_slice() {
        [] if pieces
            .iter()
            .any(|(piece, _)| matches!(piece, Piece::Wildcard(_))) =>
        {
            if let Some((_, position)) = pieces.iter().find(|(piece, _)| {
                matches!(
                    piece,
                    Piece::Literal {
                        character: '*' | '?',
                        quoted: true
                    }
                )
            }) {
                return Err(FilterError::Unsupported {
                    construct: "a quoted '*' or '?' next to wildcards".to_owned(),
                    position: *position,
                    reason: "a pattern cannot also match a literal star or question mark"
                        .to_owned(),
                });
            }
            Ok(RangeItem::Pattern(
                pieces
                    .iter()
                    .map(|(piece, _)| match piece {
                        Piece::Literal { character, .. } | Piece::Wildcard(character) => *character,
                        Piece::Span => '.',
                    })
                    .collect(),
            ))
        }
        [] => Ok(RangeItem::Exact(text_of(pieces)?)),
        [span] => Ok(RangeItem::Between {
            from: text_of(&pieces[..*span])?,
            to: text_of(&pieces[span + 1..])?,
        }),
        [_, second, ..] => Err(FilterError::Unexpected {
            expected: "a single '..' in a range item".to_owned(),
            position: pieces[*second].1,
            found: "a second '..'".to_owned(),
        }),
    }
}
