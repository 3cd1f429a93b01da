//! Python wheels: what a wheel's platform tags claim (PEP 600 `manylinux_X_Y_<arch>`, the
//! legacy `manylinux1/2010/2014` aliases, PEP 656 `musllinux_X_Y_<arch>`) and the tightest
//! policy its files satisfy, as `auditwheel show` reports it (auditwheel `main_show.py`: the
//! policy is the most compatible one every check allows, else `linux_<arch>`).

use crate::arch::Libc;
use std::collections::BTreeSet;

/// One platform tag's claim: a C library, its version and an architecture.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TagClaim {
    pub libc: Libc,
    pub major: u32,
    pub minor: u32,
    pub arch: String,
}

impl TagClaim {
    /// The baseline of the embedded database that is this policy (`manylinux_2_17`).
    pub fn baseline_id(&self) -> String {
        format!("{}_{}_{}", family(self.libc), self.major, self.minor)
    }

    /// The policy as a platform tag (`manylinux_2_17_x86_64`).
    pub fn tag(&self) -> String {
        format!("{}_{}", self.baseline_id(), self.arch)
    }
}

fn family(libc: Libc) -> &'static str {
    match libc {
        Libc::Glibc => "manylinux",
        Libc::Musl => "musllinux",
    }
}

/// The claims of a wheel's `Tag:` lines (`cp312-cp312-manylinux_2_17_x86_64`); tags of other
/// platforms (`linux_x86_64`, `win_amd64`) claim nothing checkable.
pub fn claims(tags: &[String]) -> Vec<TagClaim> {
    let mut found = BTreeSet::new();
    for tag in tags {
        let platform = tag.rsplit('-').next().unwrap_or(tag);
        // Compressed tag sets (`manylinux_2_17_x86_64.manylinux2014_x86_64`).
        for one in platform.split('.') {
            if let Some(claim) = claim(one) {
                found.insert(claim);
            }
        }
    }
    found.into_iter().collect()
}

fn claim(platform: &str) -> Option<TagClaim> {
    for (legacy, minor) in [
        ("manylinux1_", 5),
        ("manylinux2010_", 12),
        ("manylinux2014_", 17),
    ] {
        if let Some(arch) = platform.strip_prefix(legacy) {
            return Some(TagClaim {
                libc: Libc::Glibc,
                major: 2,
                minor,
                arch: arch.to_string(),
            });
        }
    }
    let (libc, rest) = if let Some(rest) = platform.strip_prefix("manylinux_") {
        (Libc::Glibc, rest)
    } else {
        (Libc::Musl, platform.strip_prefix("musllinux_")?)
    };
    let mut parts = rest.splitn(3, '_');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let arch = parts.next()?.to_string();
    Some(TagClaim {
        libc,
        major,
        minor,
        arch,
    })
}

/// The claim whose policy the wheel is checked against by default: the oldest system it says
/// it installs on (a wheel tagged both `manylinux_2_17` and `manylinux_2_28` promises 2.17).
pub fn strictest(claims: &[TagClaim]) -> Option<&TagClaim> {
    claims.iter().min_by_key(|c| (c.major, c.minor))
}

/// The tightest policy every file of the wheel runs on, given the baselines each file runs on
/// (`runs_on` of every ELF file of the wheel), for the wheel's architecture and C library.
pub fn tightest<'a>(
    per_file_runs_on: impl Iterator<Item = &'a [String]>,
    arch: &str,
    libc: Libc,
) -> Option<TagClaim> {
    let mut common: Option<BTreeSet<&str>> = None;
    for runs_on in per_file_runs_on {
        let these: BTreeSet<&str> = runs_on.iter().map(String::as_str).collect();
        common = Some(match common {
            Some(common) => common.intersection(&these).copied().collect(),
            None => these,
        });
    }
    common?
        .into_iter()
        .filter_map(|id| claim(&format!("{id}_{arch}")))
        .filter(|claim| claim.libc == libc)
        .min_by_key(|c| (c.major, c.minor))
}

/// What `auditwheel show` reports of a wheel: its policy tag and whether its tags claim no
/// more than that (`None` for either when it was not computed: no file has a "runs on" list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The tightest policy (`manylinux_2_17_x86_64`), else `linux_<arch>`.
    pub policy: Option<String>,
    pub matches_tags: Option<bool>,
}

/// The verdict from the wheel's claims and the baselines each of its ELF files runs on;
/// `files_arch` is the architecture its files have, used when no tag names one.
pub fn verdict(
    claims: &[TagClaim],
    runs_on: Vec<&[String]>,
    files_arch: Option<String>,
) -> Verdict {
    let claimed = strictest(claims);
    let arch = claimed.map(|c| c.arch.clone()).or(files_arch);
    let libc = claimed.map_or(Libc::Glibc, |c| c.libc);
    let computed = !runs_on.is_empty();
    let policy = arch
        .as_ref()
        .and_then(|arch| tightest(runs_on.into_iter(), arch, libc));
    Verdict {
        policy: match (&policy, &arch) {
            (Some(policy), _) => Some(policy.tag()),
            (None, Some(arch)) if computed => Some(format!("linux_{arch}")),
            _ => None,
        },
        matches_tags: match (&policy, claimed) {
            (Some(policy), Some(claimed)) => {
                Some((claimed.major, claimed.minor) >= (policy.major, policy.minor))
            }
            (None, Some(_)) if computed => Some(false),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_claim_policies_with_legacy_aliases() {
        let tags = vec![
            "cp312-cp312-manylinux_2_17_x86_64".to_string(),
            "cp312-cp312-manylinux2014_x86_64".to_string(),
            "cp312-cp312-musllinux_1_2_aarch64".to_string(),
            "py3-none-linux_x86_64".to_string(),
        ];
        let found = claims(&tags);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            strictest(&found).map(TagClaim::tag).as_deref(),
            Some("musllinux_1_2_aarch64")
        );
        assert_eq!(found[0].tag(), "manylinux_2_17_x86_64");
        assert_eq!(
            claims(&["cp38-cp38-manylinux1_i686.manylinux_2_5_i686".to_string()])[0].tag(),
            "manylinux_2_5_i686"
        );
    }

    #[test]
    fn the_tightest_policy_is_the_oldest_all_files_run_on() {
        let a = vec![
            "manylinux_2_17".to_string(),
            "manylinux_2_28".to_string(),
            "debian-12".to_string(),
        ];
        let b = vec!["manylinux_2_28".to_string(), "manylinux_2_34".to_string()];
        let found = tightest(
            [a.as_slice(), b.as_slice()].into_iter(),
            "x86_64",
            Libc::Glibc,
        );
        assert_eq!(
            found.map(|c| c.tag()).as_deref(),
            Some("manylinux_2_28_x86_64")
        );
        assert_eq!(
            tightest([a.as_slice()].into_iter(), "x86_64", Libc::Musl),
            None
        );
    }
}
