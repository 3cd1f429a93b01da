//! "Runs on" as people ask it: a file's list of database baselines (`runs_on`, ids in no useful
//! order) summarised per distribution family, the oldest release of each family it runs on
//! ("Ubuntu ≥ 18.04", "Debian 10–12", "Alpine Linux: no (glibc)").
//!
//! Three kinds of entries are kept apart, since they answer different questions:
//! - distributions (`kind: distro`): ordered releases; the answer is a range of releases;
//! - container images (`kind: image`, the .NET runtime-deps tags, and the pypa manylinux build
//!   images, which the database files as distros of a policy's name): tags with no order; the
//!   answer is which tags;
//! - auditwheel policies (`kind: policy`): ordered like releases; the answer is the tightest
//!   policy tag the file satisfies (`manylinux_2_28`), as `auditwheel show` gives it.
//!
//! Only releases with data for the file's architecture count: a family without any is left
//! out (the data cannot say), never reported as "no".
//!
//! The family list is built from every release's metadata once per run, when a file has a
//! `runs_on` list.

use crate::arch::Libc;
use crate::baseline::db::Database;
use crate::baseline::db::embedded::EmbeddedRelease;
use crate::version::natural_cmp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What an entry of the database is, for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Distro,
    Image,
    Policy,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Distro => "distro",
            Kind::Image => "image",
            Kind::Policy => "policy",
        }
    }
}

/// The facts of one release the summary needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    pub id: String,
    pub distro: String,
    pub release: String,
    pub name: String,
    /// `distro`, `image` or `policy`, as the database says.
    pub kind: String,
    pub libc: Libc,
    pub libc_version: Option<String>,
    pub rolling: bool,
    /// Architecture keys the database has data for.
    pub arches: Vec<String>,
}

impl ReleaseInfo {
    /// The facts of a release as build.rs prepared it, with those of its architectures that
    /// `wanted` keeps.
    pub fn of(release: &EmbeddedRelease, wanted: &dyn Fn(&str) -> bool) -> ReleaseInfo {
        ReleaseInfo {
            id: release.id.get().to_string(),
            distro: release.distro.get().to_string(),
            release: release.release.get().to_string(),
            name: release.name.get().to_string(),
            kind: release.kind.get().to_string(),
            libc: release.libc,
            libc_version: release.libc_version.map(|text| text.get().to_string()),
            rolling: release.rolling,
            arches: release
                .arches()
                .iter()
                .map(|arch| arch.key.get())
                .filter(|arch| wanted(arch))
                .map(str::to_string)
                .collect(),
        }
    }
}

/// One family: its releases, oldest first (images: by id).
#[derive(Debug, Clone)]
struct Family {
    key: Arc<str>,
    name: Arc<str>,
    kind: Kind,
    libc: Libc,
    releases: Vec<ReleaseInfo>,
    /// Per architecture key: the releases with data for it (positions in `releases`) and their
    /// labels, shared by every file's summary.
    by_arch: BTreeMap<String, (Vec<usize>, Arc<[String]>)>,
}

/// Every family of the database, ready to summarise `runs_on` lists.
#[derive(Debug, Clone)]
pub struct Families {
    families: Vec<Family>,
}

/// Where one file runs within one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilySummary {
    /// The database's distro key (`ubuntu`, `runtime-deps`, `manylinux`).
    pub family: Arc<str>,
    /// For people (`Ubuntu`, `Red Hat Enterprise Linux`, `runtime-deps images`).
    pub name: Arc<str>,
    pub kind: Kind,
    pub libc: Libc,
    /// Releases (or image tags, or policy tags) with data for the file's architecture, oldest
    /// first (one list per family and architecture, shared by every file).
    pub releases: Arc<[String]>,
    /// Those it runs on, in the same order.
    pub runs_on: Vec<String>,
    /// The answer in a few words: `≥ 18.04`, `10–12`, `no (glibc)`, `manylinux_2_28`,
    /// `all but 6.0-focal`.
    pub text: String,
}

impl FamilySummary {
    /// The whole answer for people: `Debian ≥ 10`, `Alpine Linux: no (glibc)`.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Distro if !self.runs_on.is_empty() => format!("{} {}", self.name, self.text),
            Kind::Policy if !self.runs_on.is_empty() => self.text.clone(),
            _ => format!("{}: {}", self.name, self.text),
        }
    }
}

impl Families {
    /// The families of the embedded database.
    /// The families of the embedded database, ready to summarise files of the architecture
    /// keys `arches` (a run's files have one or two: summaries for the others are not made).
    pub fn from_database(db: &Database, arches: &[&str]) -> Families {
        let wanted = |arch: &str| arches.contains(&arch);
        Families::new(
            db.prepared()
                .iter()
                .map(|release| ReleaseInfo::of(release, &wanted)),
        )
    }

    pub fn new(releases: impl IntoIterator<Item = ReleaseInfo>) -> Families {
        let releases: Vec<ReleaseInfo> = releases.into_iter().collect();
        // A distro entry named like a policy (pypa's manylinux build images) is an image.
        let policy_distros: BTreeSet<String> = releases
            .iter()
            .filter(|r| r.kind == "policy")
            .map(|r| r.distro.clone())
            .collect();
        let mut groups: BTreeMap<(Kind, String, Libc), Vec<ReleaseInfo>> = BTreeMap::new();
        for release in releases {
            let kind = match release.kind.as_str() {
                "policy" => Kind::Policy,
                "image" => Kind::Image,
                _ if policy_distros.contains(release.distro.as_str()) => Kind::Image,
                _ => Kind::Distro,
            };
            groups
                .entry((kind, release.distro.clone(), release.libc))
                .or_default()
                .push(release);
        }
        let mut families: Vec<Family> = groups
            .into_iter()
            .map(|((kind, key, libc), mut releases)| {
                match kind {
                    Kind::Image => releases.sort_by(|a, b| natural_cmp(&a.id, &b.id)),
                    Kind::Distro | Kind::Policy => order_releases(&mut releases),
                }
                let name = match kind {
                    Kind::Distro => family_name(&releases),
                    Kind::Image => format!("{key} ({libc})"),
                    Kind::Policy => key.clone(),
                };
                let arches: BTreeSet<&String> = releases.iter().flat_map(|r| &r.arches).collect();
                let by_arch = arches
                    .into_iter()
                    .map(|arch| {
                        let with_data: Vec<usize> = (0..releases.len())
                            .filter(|&i| releases[i].arches.contains(arch))
                            .collect();
                        let labels = with_data
                            .iter()
                            .map(|&i| label(kind, &releases[i]))
                            .collect();
                        (arch.clone(), (with_data, labels))
                    })
                    .collect();
                Family {
                    key: key.into(),
                    name: name.into(),
                    kind,
                    libc,
                    releases,
                    by_arch,
                }
            })
            .collect();
        families.sort_by_cached_key(|f| (f.kind, f.name.to_lowercase(), f.key.clone()));
        Families { families }
    }

    /// `runs_on` (baseline ids) of a file of architecture `arch` linked against `libc`,
    /// family by family: distributions, then images, then policies.
    pub fn summarise(
        &self,
        arch: &str,
        libc: Option<Libc>,
        runs_on: &[String],
    ) -> Vec<FamilySummary> {
        let runs: BTreeSet<&str> = runs_on.iter().map(String::as_str).collect();
        self.families
            .iter()
            .filter_map(|family| summarise_family(family, arch, libc, &runs))
            .collect()
    }
}

fn summarise_family(
    family: &Family,
    arch: &str,
    libc: Option<Libc>,
    runs: &BTreeSet<&str>,
) -> Option<FamilySummary> {
    let (positions, releases) = family.by_arch.get(arch)?;
    let with_data: Vec<&ReleaseInfo> = positions.iter().map(|&i| &family.releases[i]).collect();
    let ok: Vec<bool> = with_data
        .iter()
        .map(|r| runs.contains(r.id.as_str()))
        .collect();
    let runs_on: Vec<String> = releases
        .iter()
        .zip(&ok)
        .filter(|(_, ok)| **ok)
        .map(|(label, _)| label.clone())
        .collect();
    let text = if runs_on.is_empty() {
        match libc {
            Some(libc) if libc != family.libc => format!("no ({libc})"),
            _ => "no".to_string(),
        }
    } else {
        match family.kind {
            Kind::Image => image_text(releases, &ok),
            Kind::Distro | Kind::Policy => {
                let rolling: Vec<bool> = with_data.iter().map(|r| r.rolling).collect();
                range_text(releases, &ok, &rolling, family.kind)
            }
        }
    };
    Some(FamilySummary {
        family: family.key.clone(),
        name: family.name.clone(),
        kind: family.kind,
        libc: family.libc,
        releases: releases.clone(),
        runs_on,
        text,
    })
}

/// How a release is named within its family: a distribution's release number, an image's tag,
/// a policy's name.
fn label(kind: Kind, release: &ReleaseInfo) -> String {
    match kind {
        Kind::Policy => release.id.clone(),
        Kind::Image => release
            .id
            .strip_prefix(&format!("{}-", release.distro))
            .unwrap_or(&release.id)
            .to_string(),
        Kind::Distro => release.release.clone(),
    }
}

/// Tags without an order: the shorter of "only these" and "all but those".
fn image_text(tags: &[String], ok: &[bool]) -> String {
    let pick = |wanted: bool| -> Vec<&str> {
        tags.iter()
            .zip(ok)
            .filter(|(_, ok)| **ok == wanted)
            .map(|(tag, _)| tag.as_str())
            .collect()
    };
    let (yes, no) = (pick(true), pick(false));
    if let [only] = tags {
        only.clone()
    } else if no.is_empty() {
        format!("all {}", tags.len())
    } else if yes.len() <= no.len() {
        format!("only {}", yes.join(", "))
    } else {
        format!("all but {}", no.join(", "))
    }
}

/// Ordered releases (oldest first, rolling ones last): each run of consecutive releases it
/// runs on, a run that reaches the newest numbered release written `≥ first`; rolling releases
/// it fails on after that are named (`≥ 13 (not experimental)`).
fn range_text(names: &[String], ok: &[bool], rolling: &[bool], kind: Kind) -> String {
    let numbered: Vec<usize> = (0..names.len()).filter(|&i| !rolling[i]).collect();
    let rolled: Vec<usize> = (0..names.len()).filter(|&i| rolling[i]).collect();
    let newest = numbered.last().copied();
    let mut parts: Vec<String> = Vec::new();
    let mut reaches_newest = false;
    let mut start: Option<usize> = None;
    for (position, &index) in numbered.iter().enumerate() {
        if ok[index] && start.is_none() {
            start = Some(index);
        }
        let run_ends = ok[index] && numbered.get(position + 1).is_none_or(|&next| !ok[next]);
        if let (true, Some(first)) = (run_ends, start) {
            if Some(index) == newest {
                reaches_newest = true;
                parts.push(match kind {
                    Kind::Policy => names[first].clone(),
                    _ => format!("≥ {}", names[first]),
                });
            } else if first == index {
                parts.push(match kind {
                    Kind::Policy => format!("{} only", names[first]),
                    _ => names[first].clone(),
                });
            } else {
                parts.push(match kind {
                    Kind::Policy => format!("{} to {}", names[first], names[index]),
                    _ => format!("{}–{}", names[first], names[index]),
                });
            }
            start = None;
        }
    }
    let rolling_ok: Vec<&str> = rolled
        .iter()
        .filter(|&&i| ok[i])
        .map(|&i| names[i].as_str())
        .collect();
    let rolling_no: Vec<&str> = rolled
        .iter()
        .filter(|&&i| !ok[i])
        .map(|&i| names[i].as_str())
        .collect();
    let mut text = if reaches_newest {
        let mut text = parts.join(", ");
        if !rolling_no.is_empty() {
            text.push_str(&format!(" (not {})", rolling_no.join(", ")));
        }
        text
    } else {
        parts.extend(rolling_ok.iter().map(|r| r.to_string()));
        parts.join(", ")
    };
    if kind == Kind::Policy && reaches_newest && parts.len() == 1 {
        text.push_str(" (tightest)");
    }
    text
}

/// Oldest first: numbered releases by their numbers (16.04 < 18.04, 9 < 10, p9 < p10,
/// stream9 < stream10, 2_5 < 2_17), after the C library version when every numbered release
/// names one (openSUSE Leap 42.3 came before 15.x), then rolling releases by C library version.
fn order_releases(releases: &mut [ReleaseInfo]) {
    let by_libc = releases
        .iter()
        .filter(|r| !r.rolling)
        .all(|r| r.libc_version.is_some());
    // Keys made once per release, not once per comparison.
    releases.sort_by_cached_key(|r| {
        let libc = (by_libc || r.rolling).then(|| numbers(r.libc_version.as_deref().unwrap_or("")));
        (r.rolling, libc, numbers(&r.release), r.release.clone())
    });
}

/// The digit groups of a release name, as numbers (`24.04` → [24, 4], `stream10` → [10],
/// `2_28` → [2, 28]).
fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap_or(u64::MAX))
        .collect()
}

/// A family's name for people: the words its releases' names share before the release itself
/// (`Debian 10 (buster)`, `Debian unstable (sid)` → `Debian`).
fn family_name(releases: &[ReleaseInfo]) -> String {
    let stems: Vec<Vec<&str>> = releases
        .iter()
        .map(|r| {
            r.name
                .split_whitespace()
                .take_while(|word| {
                    !word.chars().any(|c| c.is_ascii_digit())
                        && !word.starts_with('(')
                        && !word.eq_ignore_ascii_case(&r.release)
                })
                .collect()
        })
        .collect();
    let Some(first) = stems.first() else {
        return String::new();
    };
    let shared = (0..first.len())
        .take_while(|&i| stems.iter().all(|s| s.get(i) == first.get(i)))
        .count();
    if shared == 0 {
        releases[0].distro.clone()
    } else {
        first[..shared].join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One argument per field of the record it builds.
    #[allow(clippy::too_many_arguments)]
    fn release(
        id: &str,
        distro: &str,
        version: &str,
        kind: &str,
        libc: Libc,
        glibc: Option<&str>,
        rolling: bool,
        name: &str,
    ) -> ReleaseInfo {
        ReleaseInfo {
            id: id.into(),
            distro: distro.into(),
            release: version.into(),
            name: name.into(),
            kind: kind.into(),
            libc,
            libc_version: glibc.map(str::to_string),
            rolling,
            arches: vec!["x86_64".into()],
        }
    }

    fn debian() -> Vec<ReleaseInfo> {
        vec![
            release(
                "debian-9",
                "debian",
                "9",
                "distro",
                Libc::Glibc,
                Some("2.24"),
                false,
                "Debian 9 (stretch)",
            ),
            release(
                "debian-10",
                "debian",
                "10",
                "distro",
                Libc::Glibc,
                Some("2.28"),
                false,
                "Debian 10 (buster)",
            ),
            release(
                "debian-11",
                "debian",
                "11",
                "distro",
                Libc::Glibc,
                Some("2.31"),
                false,
                "Debian 11 (bullseye)",
            ),
            release(
                "debian-12",
                "debian",
                "12",
                "distro",
                Libc::Glibc,
                Some("2.36"),
                false,
                "Debian 12 (bookworm)",
            ),
            release(
                "debian-13",
                "debian",
                "13",
                "distro",
                Libc::Glibc,
                Some("2.41"),
                false,
                "Debian 13 (trixie)",
            ),
            release(
                "debian-unstable",
                "debian",
                "unstable",
                "distro",
                Libc::Glibc,
                Some("2.42"),
                true,
                "Debian unstable (sid)",
            ),
            release(
                "debian-testing",
                "debian",
                "testing",
                "distro",
                Libc::Glibc,
                Some("2.41"),
                true,
                "Debian testing",
            ),
        ]
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn only(families: &Families, runs: &[&str]) -> FamilySummary {
        let mut all = families.summarise("x86_64", Some(Libc::Glibc), &ids(runs));
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn image_answers_name_the_tags() {
        let tags: Vec<String> = ["a", "b", "c"].iter().map(|t| t.to_string()).collect();
        assert_eq!(image_text(&tags, &[true, true, true]), "all 3");
        assert_eq!(image_text(&tags, &[true, true, false]), "all but c");
        assert_eq!(image_text(&tags, &[false, true, false]), "only b");
        assert_eq!(image_text(&tags[..1], &[true]), "a");
    }

    #[test]
    fn releases_are_ordered_by_number_not_by_text() {
        let families = Families::new(debian());
        let summary = only(&families, &[]);
        assert_eq!(
            summary.releases[..],
            ["9", "10", "11", "12", "13", "testing", "unstable"]
        );
        assert_eq!(&*summary.name, "Debian");
        let ubuntu = Families::new([
            release(
                "ubuntu-18.04",
                "ubuntu",
                "18.04",
                "distro",
                Libc::Glibc,
                Some("2.27"),
                false,
                "Ubuntu 18.04",
            ),
            release(
                "ubuntu-16.04",
                "ubuntu",
                "16.04",
                "distro",
                Libc::Glibc,
                Some("2.23"),
                false,
                "Ubuntu 16.04",
            ),
            release(
                "ubuntu-24.04",
                "ubuntu",
                "24.04",
                "distro",
                Libc::Glibc,
                Some("2.39"),
                false,
                "Ubuntu 24.04",
            ),
        ]);
        assert_eq!(only(&ubuntu, &[]).releases[..], ["16.04", "18.04", "24.04"]);
        let centos = Families::new([
            release(
                "centos-stream10",
                "centos",
                "stream10",
                "distro",
                Libc::Glibc,
                Some("2.39"),
                false,
                "CentOS Stream 10",
            ),
            release(
                "centos-stream9",
                "centos",
                "stream9",
                "distro",
                Libc::Glibc,
                Some("2.34"),
                false,
                "CentOS Stream 9",
            ),
            release(
                "centos-7",
                "centos",
                "7",
                "distro",
                Libc::Glibc,
                Some("2.17"),
                false,
                "CentOS 7",
            ),
        ]);
        let summary = only(&centos, &["centos-stream9", "centos-stream10"]);
        assert_eq!(summary.releases[..], ["7", "stream9", "stream10"]);
        assert_eq!(&*summary.name, "CentOS");
        assert_eq!(summary.describe(), "CentOS ≥ stream9");
    }

    #[test]
    fn a_version_reset_is_ordered_by_the_c_library() {
        let suse = Families::new([
            release(
                "opensuse-15.3",
                "opensuse",
                "15.3",
                "distro",
                Libc::Glibc,
                Some("2.31"),
                false,
                "openSUSE Leap 15.3",
            ),
            release(
                "opensuse-42.3",
                "opensuse",
                "42.3",
                "distro",
                Libc::Glibc,
                Some("2.22"),
                false,
                "openSUSE Leap 42.3",
            ),
            release(
                "opensuse-15.6",
                "opensuse",
                "15.6",
                "distro",
                Libc::Glibc,
                Some("2.38"),
                false,
                "openSUSE Leap 15.6",
            ),
            release(
                "opensuse-tumbleweed",
                "opensuse",
                "tumbleweed",
                "distro",
                Libc::Glibc,
                Some("2.43"),
                true,
                "openSUSE Tumbleweed",
            ),
        ]);
        let summary = only(
            &suse,
            &["opensuse-15.3", "opensuse-15.6", "opensuse-tumbleweed"],
        );
        assert_eq!(summary.releases[..], ["42.3", "15.3", "15.6", "tumbleweed"]);
        assert_eq!(summary.describe(), "openSUSE ≥ 15.3");
    }

    #[test]
    fn the_oldest_release_it_runs_on_and_every_newer_one() {
        let families = Families::new(debian());
        let summary = only(
            &families,
            &[
                "debian-10",
                "debian-11",
                "debian-12",
                "debian-13",
                "debian-testing",
                "debian-unstable",
            ],
        );
        assert_eq!(summary.text, "≥ 10");
        assert_eq!(summary.describe(), "Debian ≥ 10");
        assert_eq!(
            summary.runs_on,
            ["10", "11", "12", "13", "testing", "unstable"]
        );
    }

    #[test]
    fn a_newer_release_that_refuses_it_ends_the_range() {
        let families = Families::new(debian());
        let summary = only(&families, &["debian-10", "debian-11", "debian-12"]);
        assert_eq!(summary.describe(), "Debian 10–12");
        let summary = only(&families, &["debian-12"]);
        assert_eq!(summary.describe(), "Debian 12");
        let summary = only(&families, &["debian-10", "debian-12", "debian-13"]);
        assert_eq!(
            summary.describe(),
            "Debian 10, ≥ 12 (not testing, unstable)"
        );
        let summary = only(&families, &["debian-13", "debian-testing"]);
        assert_eq!(summary.describe(), "Debian ≥ 13 (not unstable)");
        let summary = only(&families, &["debian-unstable"]);
        assert_eq!(summary.describe(), "Debian unstable");
    }

    #[test]
    fn no_release_of_a_family_says_why_when_the_c_library_differs() {
        let alpine = Families::new([
            release(
                "alpine-3.20",
                "alpine",
                "3.20",
                "distro",
                Libc::Musl,
                None,
                false,
                "Alpine Linux 3.20",
            ),
            release(
                "alpine-3.21",
                "alpine",
                "3.21",
                "distro",
                Libc::Musl,
                Some("1.2.5"),
                false,
                "Alpine Linux 3.21",
            ),
        ]);
        assert_eq!(only(&alpine, &[]).describe(), "Alpine Linux: no (glibc)");
        let musl = alpine.summarise("x86_64", Some(Libc::Musl), &[]);
        assert_eq!(musl[0].describe(), "Alpine Linux: no");
        let both = alpine.summarise(
            "x86_64",
            Some(Libc::Musl),
            &ids(&["alpine-3.20", "alpine-3.21"]),
        );
        assert_eq!(both[0].describe(), "Alpine Linux ≥ 3.20");
        assert_eq!(both[0].releases[..], ["3.20", "3.21"]);
    }

    #[test]
    fn families_without_data_for_the_architecture_are_left_out() {
        let mut releases = debian();
        releases[0].arches = vec!["riscv64".into()];
        let families = Families::new(releases);
        assert!(
            families
                .summarise("aarch64", Some(Libc::Glibc), &[])
                .is_empty()
        );
        let riscv = families.summarise("riscv64", Some(Libc::Glibc), &ids(&["debian-9"]));
        assert_eq!(riscv[0].releases[..], ["9"]);
        assert_eq!(riscv[0].describe(), "Debian ≥ 9");
    }

    #[test]
    fn images_and_policies_are_kept_apart_from_distributions() {
        let families = Families::new([
            release(
                "manylinux_2_17",
                "manylinux",
                "2_17",
                "policy",
                Libc::Glibc,
                Some("2.17"),
                false,
                "manylinux_2_17 (auditwheel policy)",
            ),
            release(
                "manylinux_2_5",
                "manylinux",
                "2_5",
                "policy",
                Libc::Glibc,
                Some("2.5"),
                false,
                "manylinux_2_5 (auditwheel policy)",
            ),
            release(
                "manylinux_2_28",
                "manylinux",
                "2_28",
                "policy",
                Libc::Glibc,
                Some("2.28"),
                false,
                "manylinux_2_28 (auditwheel policy)",
            ),
            release(
                "manylinux2014-image",
                "manylinux",
                "2014",
                "distro",
                Libc::Glibc,
                Some("2.17"),
                false,
                "manylinux2014 build image",
            ),
            release(
                "runtime-deps-8.0-jammy",
                "runtime-deps",
                "8.0-jammy",
                "image",
                Libc::Glibc,
                Some("2.35"),
                false,
                ".NET 8.0 runtime-deps: Ubuntu 22.04",
            ),
            release(
                "runtime-deps-6.0-focal",
                "runtime-deps",
                "6.0-focal",
                "image",
                Libc::Glibc,
                Some("2.31"),
                false,
                ".NET 6.0 runtime-deps: Ubuntu 20.04",
            ),
            release(
                "runtime-deps-8.0-noble",
                "runtime-deps",
                "8.0-noble",
                "image",
                Libc::Glibc,
                Some("2.39"),
                false,
                ".NET 8.0 runtime-deps: Ubuntu 24.04",
            ),
            release(
                "runtime-deps-8.0-alpine3.21",
                "runtime-deps",
                "8.0-alpine3.21",
                "image",
                Libc::Musl,
                Some("1.2.5"),
                false,
                ".NET 8.0 runtime-deps: Alpine",
            ),
            release(
                "ubuntu-22.04",
                "ubuntu",
                "22.04",
                "distro",
                Libc::Glibc,
                Some("2.35"),
                false,
                "Ubuntu 22.04",
            ),
        ]);
        let all = families.summarise(
            "x86_64",
            Some(Libc::Glibc),
            &ids(&[
                "manylinux_2_28",
                "runtime-deps-8.0-jammy",
                "runtime-deps-8.0-noble",
                "ubuntu-22.04",
            ]),
        );
        let described: Vec<(Kind, String)> = all.iter().map(|s| (s.kind, s.describe())).collect();
        assert_eq!(
            described,
            [
                (Kind::Distro, "Ubuntu ≥ 22.04".to_string()),
                (Kind::Image, "manylinux (glibc): no".to_string()),
                (
                    Kind::Image,
                    "runtime-deps (glibc): all but 6.0-focal".to_string()
                ),
                (Kind::Image, "runtime-deps (musl): no (glibc)".to_string()),
                (Kind::Policy, "manylinux_2_28 (tightest)".to_string()),
            ]
        );
        assert_eq!(
            all[4].releases[..],
            ["manylinux_2_5", "manylinux_2_17", "manylinux_2_28"]
        );
        let narrow = families.summarise(
            "x86_64",
            Some(Libc::Glibc),
            &ids(&["manylinux_2_17", "runtime-deps-8.0-noble"]),
        );
        let described: Vec<String> = narrow.iter().map(FamilySummary::describe).collect();
        assert!(
            described.contains(&"runtime-deps (glibc): only 8.0-noble".to_string()),
            "{described:?}"
        );
        assert!(
            described.contains(&"manylinux_2_17 only".to_string()),
            "{described:?}"
        );
    }

    #[test]
    fn the_embedded_database_groups_into_families() {
        let db = Database::embedded();
        let families = Families::from_database(&db, &["x86_64"]);
        let names: BTreeSet<String> = families
            .families
            .iter()
            .filter(|f| f.kind == Kind::Distro)
            .map(|f| f.name.to_string())
            .collect();
        for expected in [
            "Ubuntu",
            "Debian",
            "Red Hat Enterprise Linux",
            "Alpine Linux",
            "openSUSE",
            "CentOS",
            "Fedora",
            "ALT",
        ] {
            assert!(names.contains(expected), "{expected} not in {names:?}");
        }
        // Every release is in exactly one family.
        let count: usize = families.families.iter().map(|f| f.releases.len()).sum();
        assert_eq!(count, db.len());
        let ubuntu = families
            .families
            .iter()
            .find(|f| &*f.key == "ubuntu")
            .expect("ubuntu");
        let order: Vec<&str> = ubuntu.releases.iter().map(|r| r.release.as_str()).collect();
        let position = |r: &str| order.iter().position(|x| *x == r).expect(r);
        assert!(position("16.04") < position("18.04"));
        assert!(position("24.04") < position("26.04"));
        assert!(position("26.04") < position("devel"));
    }
}
