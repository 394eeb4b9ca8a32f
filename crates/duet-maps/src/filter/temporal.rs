//! Date and date-time literals, parsed and printed by hand because the crate stays free of
//! calendar dependencies and only needs ISO 8601 as OData writes it.

use std::fmt;

/// A calendar date as written in a filter, `2026-11-23`.
///
/// Fields are public so callers can build filters; the parser only produces valid dates
/// (years 1 to 9999, real month lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// A point in time with the offset it was written in, `2026-11-23T10:00:00Z`.
///
/// Two values written with different offsets compare by the instant they name, but stay
/// distinct values so that printing gives back what was parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Fractions of a second; OData carries at most seven digits, nine are kept.
    pub nanosecond: u32,
    /// Minutes east of UTC; `Z` is zero.
    pub offset_minutes: i16,
}

impl Date {
    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    pub(super) fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let day = i64::from(self.day);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

impl DateTime {
    /// Nanoseconds since the Unix epoch in UTC, which is what two date-times compare by.
    pub(super) fn utc_nanos(self) -> i128 {
        let seconds = self.date.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60;
        i128::from(seconds) * 1_000_000_000 + i128::from(self.nanosecond)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year, self.month, self.day
        )
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )?;
        if self.nanosecond > 0 {
            let fraction = format!("{:09}", self.nanosecond);
            write!(formatter, ".{}", fraction.trim_end_matches('0'))?;
        }
        if self.offset_minutes == 0 {
            formatter.write_str("Z")
        } else {
            let sign = if self.offset_minutes < 0 { '-' } else { '+' };
            let minutes = self.offset_minutes.unsigned_abs();
            write!(formatter, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        // February's length falls out of the epoch-day arithmetic, which already knows the
        // Gregorian leap rules, and keeps the code within the workspace's minimum Rust.
        2 => {
            let first = |month| {
                Date {
                    year,
                    month,
                    day: 1,
                }
                .days_since_epoch()
            };
            (first(3) - first(2)) as u8
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses `YYYY-MM-DD`; the error says what is wrong in words for the filter error.
pub(super) fn parse_date(text: &str) -> Result<Date, String> {
    let bytes = text.as_bytes();
    if !text.is_ascii() || bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err("a date is written YYYY-MM-DD".to_owned());
    }
    let (Some(year), Some(month), Some(day)) =
        (digits(&text[..4]), digits(&text[5..7]), digits(&text[8..]))
    else {
        return Err("a date is written YYYY-MM-DD".to_owned());
    };
    if year == 0 {
        return Err("the year must be between 0001 and 9999".to_owned());
    }
    if !(1..=12).contains(&month) {
        return Err(format!("there is no month {month}"));
    }
    let (year, month) = (year as u16, month as u8);
    if day == 0 || day > u32::from(days_in_month(year, month)) {
        return Err(format!("day {day} does not exist in {year:04}-{month:02}"));
    }
    Ok(Date {
        year,
        month,
        day: day as u8,
    })
}

/// Parses `YYYY-MM-DDTHH:MM[:SS[.fffffffff]](Z|±HH:MM)`; OData requires the offset.
pub(super) fn parse_date_time(text: &str) -> Result<DateTime, String> {
    const SHAPE: &str = "a date and time is written YYYY-MM-DDTHH:MM:SS with Z or an offset";
    if !text.is_ascii() || text.len() < 17 || text.as_bytes()[10] != b'T' {
        return Err(SHAPE.to_owned());
    }
    let date = parse_date(&text[..10])?;
    let rest = &text[11..];
    let zone_at = rest
        .find(['Z', '+', '-'])
        .ok_or_else(|| "a date and time needs Z or an offset such as +01:00".to_owned())?;
    let (clock, zone) = rest.split_at(zone_at);
    let (clock, fraction) = match clock.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|part| part.len() != 2) {
        return Err(SHAPE.to_owned());
    }
    let numbers: Option<Vec<u32>> = parts.iter().map(|part| digits(part)).collect();
    let numbers = numbers.ok_or_else(|| SHAPE.to_owned())?;
    let (hour, minute, second) = (numbers[0], numbers[1], numbers.get(2).copied().unwrap_or(0));
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!("{clock} is not a time of day"));
    }
    let nanosecond = match fraction {
        None => 0,
        Some(fraction) if (1..=9).contains(&fraction.len()) => {
            digits(fraction).ok_or_else(|| SHAPE.to_owned())?
                * 10_u32.pow(9 - fraction.len() as u32)
        }
        Some(_) => return Err("fractional seconds take one to nine digits".to_owned()),
    };
    let offset_minutes = if zone == "Z" {
        0
    } else {
        let (sign, offset) = zone.split_at(1);
        let (Some(hours), Some(minutes)) = offset
            .split_once(':')
            .filter(|(hours, minutes)| hours.len() == 2 && minutes.len() == 2)
            .map(|(hours, minutes)| (digits(hours), digits(minutes)))
            .unwrap_or((None, None))
        else {
            return Err(format!("'{zone}' is not Z or an offset such as +01:00"));
        };
        let total = hours * 60 + minutes;
        if minutes > 59 || total > 14 * 60 {
            return Err(format!("offset '{zone}' is beyond ±14:00"));
        }
        let total = total as i16;
        if sign == "-" { -total } else { total }
    };
    Ok(DateTime {
        date,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        nanosecond,
        offset_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_day_matches_known_dates() {
        // GIVEN dates whose distance from the epoch is known.
        // WHEN they are converted to days.
        // THEN the counts match, including across a leap day.
        let day = |year, month, day| Date { year, month, day }.days_since_epoch();
        assert_eq!(day(1970, 1, 1), 0, "the epoch is day zero");
        assert_eq!(
            day(2000, 3, 1),
            11_017,
            "2000 is a leap year, so March 1st is day 11017"
        );
        assert_eq!(day(1969, 12, 31), -1, "dates before the epoch are negative");
    }

    #[test]
    fn offsets_name_the_same_instant() {
        // GIVEN the same instant written in UTC and in UTC+01:00.
        let utc = parse_date_time("2026-11-23T10:00:00Z").expect("valid UTC date-time");
        let paris = parse_date_time("2026-11-23T11:00:00+01:00").expect("valid offset date-time");
        // WHEN both are turned into instants.
        // THEN they are equal, because comparisons must not depend on the writer's zone.
        assert_eq!(
            utc.utc_nanos(),
            paris.utc_nanos(),
            "an offset shifts the wall clock only"
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        // GIVEN a 30th of February and a 13th month.
        // WHEN they are parsed.
        // THEN both fail, because a filter with such a value would never match sensibly.
        assert!(parse_date("2026-02-30").is_err(), "February has no 30th");
        assert!(parse_date("2026-13-01").is_err(), "there are twelve months");
        assert!(
            parse_date_time("2026-11-23T10:00:00").is_err(),
            "OData requires an offset"
        );
    }
}
