//! One account per address a person would read as the same: emails are normalised the same
//! way at signup, login and in the CLI, so look-alikes (fullwidth letters, zero-width
//! characters) cannot make a second account that shows up as the same email.
//!
//! What we do, and why:
//! - NFKC: fullwidth `ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ`, ligatures and other compatibility forms
//!   become their plain equivalents (`ada@example.com`).
//! - Default-ignorable code points (zero-width space/joiners, word joiner, BOM, soft hyphen,
//!   bidi controls, variation selectors, Hangul fillers, tag characters) are *removed*: they
//!   render as nothing, so `ada\u{200B}@example.com` is the person who typed `ada@example.com`
//!   (logging in works, signing up again is "taken").
//! - Trimmed and lowercased as a whole. Lowercasing the local part is technically lossy, but
//!   no real mail provider distinguishes case, and users do type their address in different
//!   cases. Domains are not converted to punycode: `bücher.example` and its `xn--` form stay
//!   two spellings (a real user types one of them consistently).
//! - What is still invisible after that (control characters, separators, private-use or
//!   unassigned code points) is refused at signup by [`is_plausible_email`], not stripped:
//!   there is no honest reading of an address containing them.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Normalizes an email for storage and lookup (see the module docs).
pub fn normalize_email(email: &str) -> String {
    let folded: String = visible_nfkc(email).trim().to_lowercase();
    // Lowercasing can leave a string that NFKC would change again (rare: `İ`); settle it.
    visible_nfkc(&folded)
}

fn visible_nfkc(s: &str) -> String {
    s.nfkc().filter(|c| !is_default_ignorable(*c)).collect()
}

/// Unicode's Default_Ignorable_Code_Point: characters that render as nothing at all.
fn is_default_ignorable(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'                      // combining grapheme joiner
            | '\u{115F}'..='\u{1160}'       // Hangul choseong/jungseong fillers
            | '\u{17B4}'..='\u{17B5}'       // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}'       // Mongolian variation selectors
            | '\u{2065}'                    // reserved in the invisible-operators block
            | '\u{3164}'                    // Hangul filler
            | '\u{FE00}'..='\u{FE0F}'       // variation selectors
            | '\u{FFA0}'                    // halfwidth Hangul filler
            | '\u{E0000}'..='\u{E0FFF}'     // tags and variation selectors supplement
        )
}

/// Characters an address must not contain even after normalisation: they are invisible or
/// meaningless in an address, so keeping them would let two accounts look identical.
fn is_invisible_or_control(c: char) -> bool {
    c.is_whitespace()
        || is_default_ignorable(c)
        || matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::SpaceSeparator
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
                | GeneralCategory::Unassigned
        )
}

/// A deliberately loose check of a *normalised* email: one `@` with something on both sides,
/// a dot in the domain, nothing invisible, at most 254 bytes. Deliverability is not our
/// business.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(is_invisible_or_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Ada.Lovelace@Example.COM \n"), "ada.lovelace@example.com");
    }

    #[test]
    fn look_alikes_normalise_to_the_plain_address() {
        let plain = "ada@example.com";
        for look_alike in [
            "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ",   // fullwidth, including the @ and the dot
            "ＡＤＡ@example.com",             // fullwidth capitals
            "a\u{200B}da@example.com",        // zero-width space
            "ada\u{200D}@exam\u{200C}ple.com", // zero-width joiner / non-joiner
            "\u{FEFF}ada@example.com",        // byte order mark
            "ad\u{00AD}a@example.com",        // soft hyphen
            "ada@ex\u{2060}ample.com",        // word joiner
            "\u{202E}ada@example.com",        // right-to-left override
            "ada\u{FE0F}@example.com",        // variation selector
            "ada@example.com\u{E0041}",       // tag character
        ] {
            assert_eq!(normalize_email(look_alike), plain, "{look_alike:?}");
        }
    }

    #[test]
    fn real_non_ascii_addresses_survive() {
        assert_eq!(normalize_email("Jürgen@Bücher.example"), "jürgen@bücher.example");
        // composed and decomposed ü are one address
        assert_eq!(normalize_email("ju\u{0308}rgen@x.de"), normalize_email("j\u{00FC}rgen@x.de"));
        assert!(is_plausible_email(&normalize_email("Jürgen@Bücher.example")));
    }

    #[test]
    fn plausible_emails() {
        assert!(is_plausible_email("a@b.co"));
        assert!(is_plausible_email("first.last+tag@sub.example.org"));
        for bad in ["", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@b.co.", "a@.b"] {
            assert!(!is_plausible_email(bad), "{bad:?}");
        }
        assert!(!is_plausible_email(&format!("{}@example.com", "x".repeat(250))));
    }

    #[test]
    fn invisible_leftovers_are_refused() {
        for bad in [
            "a\u{0007}b@example.com",    // bell (control)
            "a\u{00A0}b@example.com",    // no-break space (NFKC turns it into a space)
            "a\u{2028}b@example.com",    // line separator
            "a\u{E000}b@example.com",    // private use
            "a\u{0378}b@example.com",    // unassigned
        ] {
            assert!(!is_plausible_email(&normalize_email(bad)), "{bad:?}");
        }
    }
}
