//! IMAP dates (RFC 9051 §9 `date`, `date-time`) and the calendar arithmetic behind them.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `d-Mon-yyyy` (RFC 9051 §9 `date-text`) as a day number.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let d: u32 = it.next()?.trim_start().parse().ok()?;
    let mon = it.next()?;
    let y: i64 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=31).contains(&d) || !(1..=9999).contains(&y) {
        return None;
    }
    let m = MONTHS.iter().position(|n| n.eq_ignore_ascii_case(mon))? as u32 + 1;
    Some(days_from_civil(y, m, d))
}

/// `dd-Mon-yyyy hh:mm:ss +zzzz` (RFC 9051 §9 `date-time`) as Unix seconds.
pub fn parse_date_time(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once(" ")?;
    // A leading space pads a one-digit day (" 1-Jan-2024 ...").
    let (date, rest) = if date.is_empty() {
        rest.split_once(' ')?
    } else {
        (date, rest)
    };
    let days = parse_date(date)?;
    let (time, zone) = rest.split_once(' ')?;
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, sec) = (t.next()??, t.next()??, t.next()??);
    if h > 23 || mi > 59 || sec > 60 || zone.len() != 5 {
        return None;
    }
    let sign = match zone.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let zh: i64 = zone.get(1..3)?.parse().ok()?;
    let zm: i64 = zone.get(3..5)?.parse().ok()?;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - sign * (zh * 3600 + zm * 60))
}

/// Unix seconds as an IMAP `date-time` in UTC: `"01-Feb-2024 10:00:00 +0000"` (quoted).
pub fn format_date_time(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "\"{d:02}-{}-{y:04} {:02}:{:02}:{:02} +0000\"",
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1-Jan-1970"), Some(0));
        assert_eq!(parse_date("29-Feb-2024"), Some(19_782));
        assert_eq!(parse_date("1-Foo-2024"), None);
        assert_eq!(
            parse_date_time("17-Jul-1996 02:44:25 -0700"),
            Some(837_596_665)
        );
        assert_eq!(
            parse_date_time(" 7-Jul-1996 02:44:25 +0000"),
            Some(836_707_465)
        );
        assert_eq!(
            format_date_time(837_596_665),
            "\"17-Jul-1996 09:44:25 +0000\""
        );
        for days in [-1000, 0, 19_782, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
