//! Symbol version node names (`GLIBC_2.2.5`, `GLIBCXX_3.4.30`, `GLIBC_ABI_DT_RELR`) and the
//! loader's numeric ordering of them.

use std::cmp::Ordering;

/// A version node name split into its family and the rest, e.g. `GLIBCXX_LDBL_3.4` is family
/// `GLIBCXX`, tag `LDBL_3.4`. Names without an underscore are their own family with an empty tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionNode<'a> {
    pub name: &'a str,
    pub family: &'a str,
    pub tag: &'a str,
}

impl<'a> VersionNode<'a> {
    pub fn parse(name: &'a str) -> Self {
        match name.split_once('_') {
            Some((family, tag)) if !family.is_empty() => VersionNode { name, family, tag },
            _ => VersionNode {
                name,
                family: name,
                tag: "",
            },
        }
    }

    /// The numeric components of the tag (`2.2.5` → [2, 2, 5]), or `None` for marker nodes such
    /// as `GLIBC_PRIVATE`, `GLIBC_ABI_DT_RELR` or `CXXABI_TM_1`.
    pub fn numeric(&self) -> Option<Vec<u64>> {
        parse_numeric(self.tag)
    }
}

/// Parses `2.2.5` into [2, 2, 5]; anything that is not dot-separated decimal numbers is `None`.
pub fn parse_numeric(text: &str) -> Option<Vec<u64>> {
    if text.is_empty() {
        return None;
    }
    text.split('.')
        .map(|part| {
            if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                part.parse().ok()
            }
        })
        .collect()
}

/// Numeric comparison of dotted versions, component by component: `2.10` > `2.2.5`,
/// and `2.2` < `2.2.5` (a missing component counts as lower).
pub fn compare_numeric(a: &[u64], b: &[u64]) -> Ordering {
    a.cmp(b)
}

/// The highest numeric tag among `tags`, as written.
pub fn highest<'a, I: IntoIterator<Item = &'a str>>(tags: I) -> Option<&'a str> {
    tags.into_iter()
        .filter_map(|tag| parse_numeric(tag).map(|n| (n, tag)))
        .max_by(|a, b| compare_numeric(&a.0, &b.0))
        .map(|(_, tag)| tag)
}

/// Compares runs of digits as numbers and other runs as text, a number before text:
/// `2_5 < 2_17`, `16.04 < 18.04`, `7 < stream9 < stream10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (x, rest_a) = next_run(a);
        let (y, rest_b) = next_run(b);
        let order = match (x, y) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => match (
                x.bytes().all(|c| c.is_ascii_digit()),
                y.bytes().all(|c| c.is_ascii_digit()),
            ) {
                (true, true) => {
                    let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
                }
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => x.cmp(y),
            },
        };
        if order != Ordering::Equal {
            return order;
        }
        (a, b) = (rest_a, rest_b);
    }
}

/// The first run of digits or of other characters, and the rest.
fn next_run(text: &str) -> (Option<&str>, &str) {
    let Some(first) = text.chars().next() else {
        return (None, text);
    };
    let digit = first.is_ascii_digit();
    let end = text
        .find(|c: char| c.is_ascii_digit() != digit)
        .unwrap_or(text.len());
    (Some(&text[..end]), &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_family_and_tag() {
        let node = VersionNode::parse("GLIBC_2.2.5");
        assert_eq!((node.family, node.tag), ("GLIBC", "2.2.5"));
        let node = VersionNode::parse("GLIBCXX_LDBL_3.4");
        assert_eq!((node.family, node.tag), ("GLIBCXX", "LDBL_3.4"));
        let node = VersionNode::parse("GLIBC_ABI_DT_RELR");
        assert_eq!((node.family, node.tag), ("GLIBC", "ABI_DT_RELR"));
        assert_eq!(node.numeric(), None);
        let node = VersionNode::parse("libfoo.so.1");
        assert_eq!((node.family, node.tag), ("libfoo.so.1", ""));
    }

    #[test]
    fn orders_numerically_not_lexically() {
        let v = |s| parse_numeric(s).unwrap();
        assert_eq!(compare_numeric(&v("2.10"), &v("2.2.5")), Ordering::Greater);
        assert_eq!(compare_numeric(&v("2.2"), &v("2.2.5")), Ordering::Less);
        assert_eq!(compare_numeric(&v("3.4.9"), &v("3.4.30")), Ordering::Less);
        assert_eq!(
            compare_numeric(&v("1.2.0.8"), &v("1.2.0.8")),
            Ordering::Equal
        );
        assert_eq!(parse_numeric("2..3"), None);
        assert_eq!(parse_numeric("TM_1"), None);
        assert_eq!(parse_numeric(""), None);
    }

    #[test]
    fn highest_skips_markers() {
        let tags = ["2.2.5", "2.34", "ABI_DT_RELR", "2.4", "PRIVATE"];
        assert_eq!(highest(tags), Some("2.34"));
        assert_eq!(highest(["PRIVATE"]), None);
    }

    #[test]
    fn releases_compare_as_numbers() {
        for (a, b) in [
            ("16.04", "18.04"),
            ("9", "10"),
            ("p9", "p10"),
            ("2_5", "2_17"),
            ("15.6", "16.0"),
            ("7", "stream9"),
            ("stream9", "stream10"),
            ("6.0-focal", "10.0-noble"),
            ("3.9", "3.10"),
            ("1", "1.1"),
        ] {
            assert_eq!(natural_cmp(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(natural_cmp(b, a), Ordering::Greater, "{b} > {a}");
        }
        // Image tags, compared whole.
        assert_eq!(
            natural_cmp("runtime-deps-6.0-focal", "runtime-deps-10.0-noble"),
            Ordering::Less
        );
        assert_eq!(
            natural_cmp("manylinux2014-image", "manylinux2010-image"),
            Ordering::Greater
        );
        assert_eq!(natural_cmp("a-9", "a-9"), Ordering::Equal);
        assert_eq!(natural_cmp("07", "7"), Ordering::Equal);
        assert_eq!(natural_cmp("", ""), Ordering::Equal);
    }
}
