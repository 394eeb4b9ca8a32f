use duet_maps::filter::dataverse::{
    self, KEYWORDS, Literal, Operand, PropertyPath, StringFunction,
};
use duet_maps::filter::finance_operations::{self, Expr, RangeItem};
use duet_maps::filter::{Comparison, Date, DateTime, Number};
use proptest::prelude::*;

fn comparison() -> impl Strategy<Value = Comparison> {
    proptest::sample::select(Comparison::ALL.to_vec())
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Integer),
        any::<f64>()
            .prop_filter("only finite decimals print", |value| value.is_finite())
            .prop_map(Number::Decimal),
    ]
}

fn column() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}".prop_filter(
        "keywords and refused operators cannot name a column",
        |name| {
            !KEYWORDS.contains(&name.as_str())
                && !["add", "sub", "mul", "div", "divby", "mod", "has", "in"]
                    .contains(&name.as_str())
        },
    )
}

fn date() -> impl Strategy<Value = Date> {
    (1_u16..=9999, 1_u8..=12, 1_u8..=28).prop_map(|(year, month, day)| Date { year, month, day })
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        date(),
        0_u8..24,
        0_u8..60,
        0_u8..60,
        0_u32..1_000_000_000,
        -840_i16..=840,
    )
        .prop_map(
            |(date, hour, minute, second, nanosecond, offset_minutes)| DateTime {
                date,
                hour,
                minute,
                second,
                nanosecond,
                offset_minutes,
            },
        )
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Boolean),
        number().prop_map(Literal::Number),
        any::<String>().prop_map(Literal::Text),
        any::<u128>().prop_map(Literal::Guid),
        date_time().prop_map(Literal::DateTime),
        date().prop_map(Literal::Date),
    ]
}

fn path() -> impl Strategy<Value = PropertyPath> {
    proptest::collection::vec(column(), 1..4).prop_map(|segments| PropertyPath { segments })
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        path().prop_map(Operand::Property),
        literal().prop_map(Operand::Literal)
    ]
}

fn dataverse_filter() -> impl Strategy<Value = dataverse::Filter> {
    let leaf = prop_oneof![
        (operand(), comparison(), operand()).prop_map(|(left, operator, right)| {
            dataverse::Filter::Compare {
                left,
                operator,
                right,
            }
        }),
        (
            proptest::sample::select(StringFunction::ALL.to_vec()),
            path(),
            any::<String>()
        )
            .prop_map(|(function, property, value)| dataverse::Filter::Call {
                function,
                property,
                value
            }),
    ];
    leaf.prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|filter| dataverse::Filter::Not(Box::new(filter))),
            (inner.clone(), inner.clone())
                .prop_map(|(left, right)| dataverse::Filter::And(Box::new(left), Box::new(right))),
            (inner.clone(), inner)
                .prop_map(|(left, right)| dataverse::Filter::Or(Box::new(left), Box::new(right))),
        ]
    })
}

/// Range text including every character that range syntax or X++ escaping treats specially.
fn range_text() -> impl Strategy<Value = String> {
    prop_oneof!["[ a-z0-9.,*?!<>()\"'\\\\]{0,8}", any::<String>()]
}

fn pattern() -> impl Strategy<Value = String> {
    let run = "[ a-z0-9.,!<>()\"'\\\\]{0,4}";
    (
        proptest::collection::vec((run, proptest::sample::select(vec!['*', '?'])), 1..3),
        run,
    )
        .prop_map(|(parts, tail)| {
            let mut pattern: String = parts
                .into_iter()
                .map(|(run, wildcard)| format!("{run}{wildcard}"))
                .collect();
            pattern.push_str(&tail);
            pattern
        })
}

fn range_item() -> impl Strategy<Value = RangeItem> {
    prop_oneof![
        range_text().prop_map(RangeItem::Exact),
        pattern().prop_map(RangeItem::Pattern),
        (range_text(), range_text()).prop_map(|(from, to)| RangeItem::Between { from, to }),
    ]
}

fn condition() -> impl Strategy<Value = Expr> {
    let field = "[A-Za-z_][A-Za-z0-9_]{0,8}";
    let value = prop_oneof![
        number().prop_map(finance_operations::Operand::Number),
        field.prop_map(finance_operations::Operand::Symbol),
        proptest::collection::vec(range_item(), 1..4).prop_map(finance_operations::Operand::Ranges),
    ];
    (field, comparison(), value, range_text()).prop_map(|(field, operator, value, single)| {
        // Ordering comparisons carry one plain value, the form the parser produces.
        let value = match value {
            finance_operations::Operand::Ranges(_) if operator.is_ordering() => {
                finance_operations::Operand::Ranges(vec![RangeItem::Exact(single)])
            }
            other => other,
        };
        Expr::Compare {
            field,
            operator,
            value,
        }
    })
}

fn query_range() -> impl Strategy<Value = Expr> {
    condition().prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|expr| Expr::Not(Box::new(expr))),
            (inner.clone(), inner.clone())
                .prop_map(|(left, right)| Expr::And(Box::new(left), Box::new(right))),
            (inner.clone(), inner)
                .prop_map(|(left, right)| Expr::Or(Box::new(left), Box::new(right))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dataverse_filters_round_trip(filter in dataverse_filter()) {
        // GIVEN any Dataverse filter tree.
        // WHEN it is printed and parsed again.
        let text = dataverse::print(&filter);
        let parsed = dataverse::parse(&text);
        // THEN the tree is unchanged, so saving a filter as text never alters its meaning.
        prop_assert_eq!(parsed, Ok(filter), "printed as {}", text);
    }

    #[test]
    fn query_ranges_round_trip(expr in query_range()) {
        // GIVEN any query-range tree the parser can produce.
        // WHEN it is printed and parsed again.
        let text = finance_operations::print(&expr);
        let parsed = finance_operations::parse(&text);
        // THEN the tree is unchanged, including quoting inside range strings.
        prop_assert_eq!(parsed, Ok(expr), "printed as {}", text);
    }

    #[test]
    fn printing_is_idempotent(expr in query_range(), filter in dataverse_filter()) {
        // GIVEN printed trees of both languages.
        let query_text = finance_operations::print(&expr);
        let filter_text = dataverse::print(&filter);
        // WHEN the printed text is parsed and printed again.
        let query_again = finance_operations::parse(&query_text).map(|expr| finance_operations::print(&expr));
        let filter_again = dataverse::parse(&filter_text).map(|filter| dataverse::print(&filter));
        // THEN the text is a fixed point, which is what makes it canonical.
        prop_assert_eq!(query_again, Ok(query_text), "query ranges print canonically");
        prop_assert_eq!(filter_again, Ok(filter_text), "Dataverse filters print canonically");
    }
}

/// Text a consultant might type, broken anywhere: filter tokens, operators, quotes and
/// brackets in any order, or any Unicode at all.
fn filter_like_text() -> impl Strategy<Value = String> {
    let token = proptest::sample::select(vec![
        "name",
        "eq",
        "ne",
        "gt",
        "and",
        "or",
        "not",
        "(",
        ")",
        "'",
        "''",
        "\"",
        "==",
        "!=",
        "&&",
        "||",
        "!",
        "..",
        ",",
        "*",
        "?",
        "null",
        "true",
        "contains(",
        "startswith(",
        "1.5",
        "2024-01-31",
        "2024-01-31T12:00:00Z",
        "Microsoft.Dynamics.DataEntities.NoYes'Yes'",
        "\\",
        " ",
        "é",
        "\u{1F600}",
    ]);
    prop_oneof![
        proptest::collection::vec(token, 0..24).prop_map(|parts| parts.concat()),
        any::<String>(),
    ]
}

/// The position an error names, when it names one.
fn position_of(error: &duet_maps::filter::FilterError) -> Option<usize> {
    use duet_maps::filter::FilterError as E;
    match error {
        E::Unexpected { position, .. }
        | E::Unsupported { position, .. }
        | E::InvalidLiteral { position, .. }
        | E::UnterminatedString { position } => Some(*position),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    // The stable counterpart of the cargo-fuzz targets in crates/duet-maps/fuzz (which need
    // nightly): the same property, run by `cargo test` on every change.
    #[test]
    fn any_text_parses_or_is_refused_at_a_position_inside_it(text in filter_like_text()) {
        // GIVEN any text. WHEN both parsers read it.
        let length = text.chars().count();
        for error in [dataverse::parse(&text).err(), finance_operations::parse(&text).err()]
            .into_iter()
            .flatten()
        {
            // THEN a refusal (never a panic) names a 1-based position within the text or
            // just past its end, and says what it expected.
            if let Some(position) = position_of(&error) {
                prop_assert!(
                    (1..=length + 1).contains(&position),
                    "position {} outside 1..={} for {:?}: {}", position, length + 1, text, error
                );
            }
            prop_assert!(!error.to_string().is_empty());
        }
    }
}
