//! Writing iCalendar content lines (RFC 5545 §3.1): CRLF line ends, lines folded at 75
//! octets (never inside a UTF-8 character), TEXT values escaped (§3.3.11).

/// Longest line in octets, not counting the CRLF (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// An iCalendar object being written, one content line at a time.
#[derive(Default)]
pub struct Ics {
    out: String,
}

impl Ics {
    /// `name` is the property name with any parameters (`DTSTART;VALUE=DATE`); `value` is
    /// written as is, so it must already be a valid value of its type.
    pub fn raw(&mut self, name: &str, value: &str) {
        let line = format!("{name}:{value}");
        fold_into(&mut self.out, &line);
    }

    /// A TEXT property: `value` is escaped.
    pub fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    pub fn begin(&mut self, component: &str) {
        self.raw("BEGIN", component);
    }

    pub fn end(&mut self, component: &str) {
        self.raw("END", component);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines (any of CRLF, CR, LF
/// becomes `\n`); other control characters, which TEXT may not hold, are dropped.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` with CRLF, folded: after each 75 octets (74 on continuation lines, which
/// begin with one space), at a character boundary.
fn fold_into(out: &mut String, line: &str) {
    let mut budget = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > budget {
            out.push_str("\r\n ");
            budget = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_the_four_specials_and_drops_controls() {
        assert_eq!(escape_text("a,b;c\\d\ne\r\nf\rg\u{7}h"), "a\\,b\\;c\\\\d\\ne\\nf\\ngh");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut ics = Ics::default();
        let value = "ü".repeat(100); // 200 octets
        ics.text("SUMMARY", &value);
        let text = ics.finish();
        assert!(text.ends_with("\r\n"));
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2, "{lines:?}");
        for (i, line) in lines.iter().enumerate() {
            assert!(line.len() <= 75, "line {i} has {} octets", line.len());
            if i > 0 {
                assert!(line.starts_with(' '));
            }
        }
        // Unfolding gives the line back.
        let unfolded = text.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{value}"));
    }

    #[test]
    fn a_short_line_is_not_folded() {
        let mut ics = Ics::default();
        ics.raw("UID", "x@kith");
        assert_eq!(ics.finish(), "UID:x@kith\r\n");
    }
}
