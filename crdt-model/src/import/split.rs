//! Splitting a vCard file into cards, so each card is parsed (and can fail) on its own.

/// One `BEGIN:VCARD` ... `END:VCARD` span of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawCard<'a> {
    /// 0-based position among the cards of the file.
    pub index: usize,
    /// 1-based line of the `BEGIN:VCARD`.
    pub line: usize,
    pub bytes: &'a [u8],
    /// False when the next `BEGIN:VCARD` or the end of the file came first.
    pub has_end: bool,
}

/// Whether a line is the given marker, ignoring case, trailing blanks and a BOM. A line
/// that starts with a blank is the folded continuation of the previous one, never a marker.
fn is_marker(line: &[u8], marker: &[u8]) -> bool {
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    line.trim_ascii_end().eq_ignore_ascii_case(marker)
}

/// Splits at every line that is `BEGIN:VCARD`; a card runs to its `END:VCARD` (inclusive)
/// or, if that is missing, up to the next `BEGIN:VCARD`. Text outside cards is ignored.
pub(crate) fn split_cards(input: &[u8]) -> Vec<RawCard<'_>> {
    let mut cards = Vec::new();
    // (start offset, line) of the card being read
    let mut open: Option<(usize, usize)> = None;
    let mut offset = 0;
    for (line_no, line) in input.split_inclusive(|b| *b == b'\n').enumerate() {
        let start = offset;
        offset += line.len();
        if is_marker(line, b"BEGIN:VCARD") {
            if let Some((s, l)) = open.take() {
                cards.push(RawCard { index: cards.len(), line: l, bytes: &input[s..start], has_end: false });
            }
            open = Some((start, line_no + 1));
        } else if is_marker(line, b"END:VCARD") {
            if let Some((s, l)) = open.take() {
                cards.push(RawCard { index: cards.len(), line: l, bytes: &input[s..offset], has_end: true });
            }
        }
    }
    if let Some((s, l)) = open {
        cards.push(RawCard { index: cards.len(), line: l, bytes: &input[s..], has_end: false });
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_end_costs_only_its_card() {
        let input = b"\xEF\xBB\xBFBEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\nbegin:vcard\nFN:C\nEND:VCARD\n";
        let cards = split_cards(input);
        assert_eq!(cards.len(), 3);
        assert_eq!((cards[0].line, cards[0].has_end), (1, true));
        assert_eq!((cards[1].line, cards[1].has_end), (4, false));
        assert_eq!(cards[1].bytes, b"BEGIN:VCARD\r\nFN:B\r\n");
        assert_eq!((cards[2].index, cards[2].line, cards[2].has_end), (2, 6, true));
    }

    #[test]
    fn folded_continuations_are_not_markers() {
        let cards = split_cards(b"BEGIN:VCARD\r\nFN:a long name\r\n END:VCARD\r\nEND:VCARD\r\n");
        assert_eq!(cards.len(), 1);
        assert!(cards[0].has_end);
        assert!(cards[0].bytes.ends_with(b" END:VCARD\r\nEND:VCARD\r\n"));
    }

    #[test]
    fn text_outside_cards_is_ignored() {
        let cards = split_cards(b"junk\nEND:VCARD\nBEGIN:VCARD\nFN:A\nEND:VCARD\ntrailer");
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].line, 3);
    }
}
