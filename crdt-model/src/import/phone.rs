//! Phone numbers in E.164, the form two exports of the same number agree on.

use phonenumber::country::Id;
use phonenumber::Mode;

/// Longest digit run we hand to the phone-number parser; E.164 allows 15 digits, the
/// slack covers national prefixes. Anything longer is not a phone number.
const MAX_DIGITS: usize = 20;

/// A region setting ("DE", "us") as the parser's country id; `None` if unknown.
pub fn parse_region(region: &str) -> Option<Id> {
    region.trim().to_ascii_uppercase().parse().ok()
}

/// `"+49 30 1234567"`, `"030 1234567"` (region DE), `"tel:+1-555-0100"` -> `"+49301234567"`...
/// `None` when the text is not a plausible number or needs a region we do not have.
pub fn normalize_phone(raw: &str, region: Option<Id>) -> Option<String> {
    let cleaned = clean(raw)?;
    let number = phonenumber::parse(region, &cleaned).ok()?;
    Some(number.format().mode(Mode::E164).to_string())
}

/// Keeps a leading `+` (or international `00`) and the digits before any extension, so
/// the parser only ever sees a short, plain digit string.
fn clean(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("tel:").unwrap_or(raw);
    // Extensions and RFC 3966 parameters are not part of the number.
    let main = raw
        .split([';', 'x', 'X', ',', '#'])
        .next()
        .unwrap_or(raw)
        .split("ext")
        .next()
        .unwrap_or(raw);
    let plus = main.trim_start().starts_with('+');
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    let (plus, digits) = match digits.strip_prefix("00") {
        Some(rest) if !plus => (true, rest.to_owned()),
        _ => (plus, digits),
    };
    if digits.len() < 3 || digits.len() > MAX_DIGITS {
        return None;
    }
    Some(if plus { format!("+{digits}") } else { digits })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_need_no_region() {
        assert_eq!(normalize_phone("+49 30 1234567", None).as_deref(), Some("+49301234567"));
        assert_eq!(normalize_phone("tel:+1-650-555-0100", None).as_deref(), Some("+16505550100"));
        assert_eq!(normalize_phone("0049 30 1234567", None).as_deref(), Some("+49301234567"));
    }

    #[test]
    fn national_numbers_use_the_region() {
        let de = parse_region("de");
        assert_eq!(normalize_phone("030 1234567", de).as_deref(), Some("+49301234567"));
        let us = parse_region("US");
        assert_eq!(normalize_phone("(650) 555-0100 x12", us).as_deref(), Some("+16505550100"));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(normalize_phone("call me", None), None);
        assert_eq!(normalize_phone("12", None), None);
        assert_eq!(normalize_phone("  2 22#:", None), None);
        assert_eq!(parse_region("Atlantis"), None);
    }
}
