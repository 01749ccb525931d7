//! Request times: ISO 8601 basic form (`20261122T102333Z`), HTTP dates, and the skew window (§5.2, §7).

use crate::AuthError;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn valid(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> bool {
    let dim = match mo {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=dim).contains(&d) && h < 24 && mi < 60 && s < 61
}

/// Parses `YYYYMMDDTHHMMSSZ` to epoch seconds.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let n = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, mo, d, h, mi, sec) = (n(0, 4)?, n(4, 2)?, n(6, 2)?, n(9, 2)?, n(11, 2)?, n(13, 2)?);
    valid(y, mo, d, h, mi, sec).then(|| days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec)
}

/// Formats epoch seconds as `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// The `YYYYMMDD` day of epoch seconds without allocating (the credential-scope date check), for the
/// years `format_amz_date` writes with four digits.
pub(crate) fn amz_day(t: i64) -> Option<[u8; 8]> {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    (0..=9999)
        .contains(&y)
        .then(|| [y / 1000, y / 100, y / 10, y, m / 10, m, d / 10, d].map(|v| b'0' + v.rem_euclid(10) as u8))
}

/// Parses an RFC 7231 IMF-fixdate (`Sun, 22 Nov 2026 10:23:33 GMT`) to epoch seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut it = s.split_whitespace();
    let _weekday = it.next()?;
    let d: i64 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let mo = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == mon)? as i64
        + 1;
    let y: i64 = it.next()?.parse().ok()?;
    let hms: Vec<i64> = it.next()?.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if it.next()? != "GMT" || it.next().is_some() {
        return None;
    }
    let [h, mi, sec] = hms.as_slice() else {
        return None;
    };
    valid(y, mo, d, *h, *mi, *sec).then(|| days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec)
}

/// The ±skew window for header-signed requests, with AWS's messages (§7).
pub fn check_skew(t: i64, now: i64, max_skew: i64) -> Result<(), AuthError> {
    let minutes = max_skew / 60;
    if t < now - max_skew {
        return Err(AuthError::InvalidSignature(format!(
            "Signature expired: {} is now earlier than {} ({} - {minutes} min.)",
            format_amz_date(t),
            format_amz_date(now - max_skew),
            format_amz_date(now)
        )));
    }
    if t > now + max_skew {
        return Err(AuthError::InvalidSignature(format!(
            "Signature not yet current: {} is still later than {} ({} + {minutes} min.)",
            format_amz_date(t),
            format_amz_date(now + max_skew),
            format_amz_date(now)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_http_dates() {
        let t = parse_amz_date("20261122T102333Z").unwrap();
        assert_eq!(format_amz_date(t), "20261122T102333Z");
        assert_eq!(parse_http_date("Sun, 22 Nov 2026 10:23:33 GMT"), Some(t));
        assert!(parse_amz_date("20261322T102333Z").is_none());
        assert!(parse_amz_date("2026-11-22T10:23:33Z").is_none());
        assert_eq!(amz_day(t), Some(*b"20261122"));
        assert_eq!(amz_day(parse_amz_date("00010203T000000Z").unwrap()), Some(*b"00010203"));
        assert_eq!(amz_day(parse_http_date("Sun, 22 Nov 12026 10:23:33 GMT").unwrap()), None);
    }

    #[test]
    fn skew_messages_match_aws() {
        let now = parse_amz_date("20210502T174643Z").unwrap();
        let t = parse_amz_date("20210502T144040Z").unwrap();
        assert_eq!(
            check_skew(t, now, 900).unwrap_err().to_string(),
            "Signature expired: 20210502T144040Z is now earlier than 20210502T173143Z (20210502T174643Z - 15 min.)"
        );
        let now = parse_amz_date("20180404T064916Z").unwrap();
        let t = parse_amz_date("20180404T155030Z").unwrap();
        assert_eq!(
            check_skew(t, now, 900).unwrap_err().to_string(),
            "Signature not yet current: 20180404T155030Z is still later than 20180404T070416Z (20180404T064916Z + 15 min.)"
        );
    }
}
