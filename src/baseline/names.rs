//! The lists a baseline answers from, searched where they lie: the embedded database's come
//! packed by build.rs (sorted by bytes, one string each), so that making a baseline copies
//! nothing. A default run makes the baselines of every release for a file's architecture, and
//! building a set per list was most of a small run's time.

use std::borrow::Cow;
use std::cmp::Ordering;

/// Ends each name of a [`NameSet`]: no file name, soname or ELF string can hold a NUL. Ended,
/// not joined, so that the empty name (the tag of a version node without `_`) is a name.
const NAME_END: u8 = 0;
/// Ends each record of a [`Packages`] table; a record's fields are separated by tabs.
const RECORD_END: u8 = b'\n';

/// A set of names (sonames, version-node tags): sorted by bytes, each ended by a NUL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameSet(Cow<'static, str>);

impl NameSet {
    /// Names build.rs packed (sorted, deduplicated, each ended by a NUL).
    pub const fn packed(text: &'static str) -> NameSet {
        NameSet(Cow::Borrowed(text))
    }

    pub fn contains(&self, name: &str) -> bool {
        find(&self.0, NAME_END, name, |record| record).is_some()
    }

    /// The names in byte order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        records(&self.0, NAME_END)
    }

    pub fn len(&self) -> usize {
        memchr::memchr_iter(NAME_END, self.0.as_bytes()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// For tests that add a name to a baseline; a run never changes one.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, name: &str) {
        if !self.contains(name) {
            *self = self.iter().chain([name]).collect();
        }
    }
}

impl<'a> FromIterator<&'a str> for NameSet {
    fn from_iter<I: IntoIterator<Item = &'a str>>(names: I) -> NameSet {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable();
        names.dedup();
        NameSet(Cow::Owned(
            names.into_iter().flat_map(|name| [name, "\0"]).collect(),
        ))
    }
}

/// Which package provides each soname, where real package data says so (database only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Packages(&'static str);

/// The package providing a soname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    pub package: &'static str,
    pub version: Option<&'static str>,
    /// In the minimal image (Debian: Priority required, or Essential), or only installable.
    pub minimal: Option<bool>,
}

impl Packages {
    /// Records build.rs packed, sorted by soname: `soname<TAB>package<TAB>version<TAB>minimal`,
    /// each ended by a newline, an empty version for none, `y`/`n`/empty for minimal.
    pub const fn packed(text: &'static str) -> Packages {
        Packages(text)
    }

    pub fn get(&self, soname: &str) -> Option<Package> {
        find(self.0, RECORD_END, soname, soname_of).and_then(package_of)
    }

    /// Every soname from the first not below `from`, in order, with its package.
    pub fn from(&self, from: &str) -> impl Iterator<Item = (&'static str, Package)> {
        let start = lower_bound(self.0, RECORD_END, from, soname_of);
        records(self.0.get(start..).unwrap_or_default(), RECORD_END)
            .filter_map(|record| Some((soname_of(record), package_of(record)?)))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        records(self.0, RECORD_END).count()
    }
}

fn soname_of(record: &str) -> &str {
    memchr::memchr(b'\t', record.as_bytes()).map_or(record, |at| &record[..at])
}

fn package_of(record: &'static str) -> Option<Package> {
    let mut fields = record.split('\t').skip(1);
    let package = fields.next()?;
    let version = fields.next().filter(|version| !version.is_empty());
    let minimal = match fields.next()? {
        "y" => Some(true),
        "n" => Some(false),
        _ => None,
    };
    Some(Package {
        package,
        version,
        minimal,
    })
}

/// The records of `text`, each ended by `end` (the last one by the text's end if its `end` is
/// missing).
fn records(text: &str, end: u8) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let stop = memchr::memchr(end, rest.as_bytes()).unwrap_or(rest.len());
        let record = &rest[..stop];
        rest = rest.get(stop + 1..).unwrap_or_default();
        Some(record)
    })
}

/// The record whose key is `key`, in `text`'s records sorted by key.
fn find<'t>(text: &'t str, end: u8, key: &str, key_of: fn(&str) -> &str) -> Option<&'t str> {
    let start = lower_bound(text, end, key, key_of);
    let record = records(text.get(start..)?, end).next()?;
    (key_of(record) == key).then_some(record)
}

/// The byte offset of the first record whose key is not below `key` (the text's length if
/// none): a binary search over byte offsets, each probe widened to the record holding it.
fn lower_bound(text: &str, end: u8, key: &str, key_of: fn(&str) -> &str) -> usize {
    let bytes = text.as_bytes();
    // Records before `low` are below `key`, records from `high` are not; both are record
    // starts or the text's length.
    let (mut low, mut high) = (0, bytes.len());
    while low < high {
        let middle = low + (high - low) / 2;
        let start = memchr::memrchr(end, &bytes[low..middle]).map_or(low, |at| low + at + 1);
        let stop = memchr::memchr(end, &bytes[start..]).map_or(bytes.len(), |at| start + at);
        match key_of(&text[start..stop]).cmp(key) {
            Ordering::Less => low = (stop + 1).min(bytes.len()),
            Ordering::Equal | Ordering::Greater => high = start,
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_found_and_no_other() {
        for size in 0..40 {
            let names: Vec<String> = (0..size)
                .map(|n| format!("lib{:03}.so.{n}", n * 7))
                .collect();
            let set: NameSet = names.iter().map(String::as_str).collect();
            assert_eq!(set.len(), size);
            assert_eq!(set.iter().collect::<Vec<_>>(), names);
            for name in &names {
                assert!(set.contains(name), "{name} in {size}");
                assert!(!set.contains(&format!("{name}x")));
                assert!(!set.contains(&name[..name.len() - 1]));
            }
            assert!(!set.contains(""));
            assert!(!set.contains("a"));
            assert_eq!(set.is_empty(), size == 0);
            assert!(!set.contains("z"));
        }
    }

    #[test]
    fn the_empty_name_is_a_name() {
        // `VersionNode::parse("LIBFOO")` has the tag "": a root filesystem's library that
        // defines such a node must still be found to define it.
        let set: NameSet = ["", "2.2.5"].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains(""));
        assert!(set.contains("2.2.5"));
        assert_eq!(set.iter().collect::<Vec<_>>(), ["", "2.2.5"]);
        assert!(!NameSet::default().contains(""));
        let only_empty: NameSet = [""].into_iter().collect();
        assert!(only_empty.contains("") && !only_empty.is_empty());
    }

    #[test]
    fn inserting_keeps_the_order() {
        let mut set = NameSet::packed("libc.so.6\0libm.so.6\0");
        set.insert("libdl.so.2");
        set.insert("libc.so.6");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            ["libc.so.6", "libdl.so.2", "libm.so.6"]
        );
    }

    #[test]
    fn packages_are_found_by_soname_and_listed_from_a_prefix() {
        let packages = Packages::packed(
            "libc.so.6\tlibc6\t2.36-9\ty\nlibssl.so.1.1\tlibssl1.1\t\tn\nlibssl.so.3\tlibssl3\t3.0\t\n",
        );
        assert_eq!(packages.len(), 3);
        assert_eq!(
            packages.get("libssl.so.1.1"),
            Some(Package {
                package: "libssl1.1",
                version: None,
                minimal: Some(false)
            })
        );
        assert_eq!(packages.get("libssl.so.3").map(|p| p.minimal), Some(None));
        assert_eq!(packages.get("libssl.so"), None);
        let from: Vec<&str> = packages.from("libssl.so").map(|(s, _)| s).collect();
        assert_eq!(from, ["libssl.so.1.1", "libssl.so.3"]);
        assert_eq!(Packages::default().get("libc.so.6"), None);
    }
}
