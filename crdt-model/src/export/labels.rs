//! Labels back to vCard 3.0: standard `TYPE`s where 3.0 has them, iPhone-style
//! `itemN.X-ABLabel` otherwise, so our own importer (and iOS) reads back the same label.

/// Which property a label belongs to; each allows different standard types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prop {
    Email,
    Tel,
    Adr,
    Url,
    /// `X-ABDATE` and `X-ABRELATEDNAMES`: iOS reads their labels only from `X-ABLabel`.
    Date,
    Related,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LabelOut {
    None,
    Types(Vec<&'static str>),
    /// Written as `itemN.X-ABLabel:<text>`.
    Apple(String),
}

/// Labels our importer knows by name; written in Apple's `_$!<Name>!$_` form.
const APPLE_NAMES: &[(&str, &str)] = &[
    ("other", "Other"),
    ("main", "Main"),
    ("homepage", "HomePage"),
    ("school", "School"),
    ("anniversary", "Anniversary"),
    ("other fax", "OtherFAX"),
    ("home fax", "HomeFAX"),
    ("work fax", "WorkFAX"),
    ("mobile", "Mobile"),
    ("home", "Home"),
    ("work", "Work"),
    ("pager", "Pager"),
    ("blog", "Blog"),
    ("profile", "Profile"),
    ("video", "Video"),
    ("textphone", "Textphone"),
    // Related names, as iOS names them.
    ("spouse", "Spouse"),
    ("partner", "Partner"),
    ("mother", "Mother"),
    ("father", "Father"),
    ("parent", "Parent"),
    ("brother", "Brother"),
    ("sister", "Sister"),
    ("child", "Child"),
    ("friend", "Friend"),
    ("assistant", "Assistant"),
    ("manager", "Manager"),
];

fn standard_types(label: &str, prop: Prop) -> Option<Vec<&'static str>> {
    let types = match (prop, label) {
        (_, "home") => vec!["HOME"],
        (_, "work") => vec!["WORK"],
        (Prop::Tel, "mobile") => vec!["CELL"],
        (Prop::Tel, "iphone") => vec!["IPHONE"],
        (Prop::Tel, "fax") => vec!["FAX"],
        (Prop::Tel, "pager") => vec!["PAGER"],
        (Prop::Tel, "home fax") => vec!["HOME", "FAX"],
        (Prop::Tel, "work fax") => vec!["WORK", "FAX"],
        (Prop::Tel, "home mobile") => vec!["HOME", "CELL"],
        (Prop::Tel, "work mobile") => vec!["WORK", "CELL"],
        (Prop::Tel, "work pager") => vec!["WORK", "PAGER"],
        _ => return None,
    };
    Some(types)
}

pub(crate) fn label_out(label: &str, prop: Prop) -> LabelOut {
    let label = label.trim();
    if label.is_empty() {
        return LabelOut::None;
    }
    if let Some(types) = standard_types(label, prop).filter(|_| !matches!(prop, Prop::Date | Prop::Related)) {
        return LabelOut::Types(types);
    }
    match APPLE_NAMES.iter().find(|(ours, _)| *ours == label) {
        Some((_, apple)) => LabelOut::Apple(format!("_$!<{apple}>!$_")),
        None => LabelOut::Apple(label.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_types_where_possible() {
        assert_eq!(label_out("work fax", Prop::Tel), LabelOut::Types(vec!["WORK", "FAX"]));
        assert_eq!(label_out("home", Prop::Email), LabelOut::Types(vec!["HOME"]));
        assert_eq!(label_out("mobile", Prop::Email), LabelOut::Apple("_$!<Mobile>!$_".into()));
        assert_eq!(label_out("other", Prop::Tel), LabelOut::Apple("_$!<Other>!$_".into()));
        assert_eq!(label_out("Berlin office", Prop::Tel), LabelOut::Apple("Berlin office".into()));
        assert_eq!(label_out(" ", Prop::Url), LabelOut::None);
        assert_eq!(label_out("spouse", Prop::Related), LabelOut::Apple("_$!<Spouse>!$_".into()));
        assert_eq!(label_out("home", Prop::Date), LabelOut::Apple("_$!<Home>!$_".into()));
    }
}
