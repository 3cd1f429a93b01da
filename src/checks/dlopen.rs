//! `dlopen-candidates`: soname-like strings in the read-only data of a file that calls dlopen,
//! which the tree does not ship and the baseline does not provide.
//!
//! The names come from `Binary::dlopen_names`; which of them are candidates was decided by
//! measuring real Debian 12 packages (tests/oracle/dlopen-candidates.md): a name is left out when
//! it is a form the program completes at run time, a library of the C library itself, or an
//! unversioned fallback of a versioned name the same file also tries.

use crate::baseline::{Availability, Baseline, is_glibc_soname, is_musl_builtin};
use crate::findings::Issue;

/// The candidates of one file that no baseline is asked about yet: not shipped in the tree.
pub fn unshipped(names: &[String], shipped: &dyn Fn(&str) -> bool) -> Vec<String> {
    names
        .iter()
        .filter(|name| is_candidate(name, names))
        .filter(|name| !shipped(name))
        .cloned()
        .collect()
}

/// The candidates a baseline does not provide (`None`: a root filesystem on its own, where
/// every unshipped candidate counts).
pub fn check(unshipped: &[String], baseline: Option<&Baseline>) -> Option<Issue> {
    let names: Vec<String> = unshipped
        .iter()
        .filter(|name| {
            baseline.is_none_or(|b| {
                !matches!(
                    crate::checks::sonames::provided_by(b, name),
                    Availability::Provided
                )
            })
        })
        .cloned()
        .collect();
    (!names.is_empty()).then(|| Issue::DlopenCandidates {
        names,
        baseline: baseline.map(|b| b.id.clone()),
    })
}

/// Whether `name`, one of a file's `names`, says something about what the target must hold.
fn is_candidate(name: &str, names: &[String]) -> bool {
    !is_prefix_form(name) && !is_libc_family(name) && !is_fallback(name, names)
}

/// A form completed at run time (`libicuuc.so.` + a version, `libGLX_%s.so.0`): what it
/// becomes is not in the file. The .NET detection reads them; they are no candidates.
fn is_prefix_form(name: &str) -> bool {
    name.ends_with('.') || name.contains('%')
}

/// The C library's own libraries (`libc.so.6`, `libdl.so.2`, `libpthread.so.0` ... and their
/// unversioned names, such as the `libc.so` binutils' ld carries): every glibc or musl system
/// that runs the file has them.
fn is_libc_family(name: &str) -> bool {
    let versioned = |major: &str| is_glibc_soname(&format!("{name}.{major}"));
    is_glibc_soname(name)
        || is_musl_builtin(name)
        || (name.ends_with(".so") && ["6", "0", "1", "2"].into_iter().any(versioned))
}

/// An unversioned name (`libGL.so`, the development link) tried after a versioned name of the
/// same library that the same file also names (`libGL.so.1`): the versioned one says it all.
fn is_fallback(name: &str, names: &[String]) -> bool {
    name.ends_with(".so")
        && names.iter().any(|other| {
            other
                .strip_prefix(name)
                .is_some_and(|version| version.starts_with('.') && !is_prefix_form(other))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn prefix_forms_are_kept_for_readers_but_are_no_candidates() {
        let names = strings(&[
            "libicuuc.so.",
            "libGLX_%s.so.0",
            "lib%s.so",
            "libv8-%d.%d.%d%s%s.so",
            "libplugin.so.1",
        ]);
        assert_eq!(unshipped(&names, &|_| false), ["libplugin.so.1"]);
    }

    #[test]
    fn the_c_library_is_no_candidate() {
        let names = strings(&[
            "libc.so",
            "libc.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "libm.so",
            "libthread_db.so.1",
            "libcrypt.so.1",
        ]);
        assert_eq!(unshipped(&names, &|_| false), ["libcrypt.so.1"]);
    }

    #[test]
    fn an_unversioned_fallback_of_a_versioned_name_is_no_candidate() {
        let names = strings(&[
            "libGL.so",
            "libGL.so.1",
            "libcurl.so",
            "libcurl-gnutls.so.4",
            "libX11-xcb.so",
            "libfoo.so",
            "libfoo.so.%d",
        ]);
        assert_eq!(
            unshipped(&names, &|_| false),
            [
                "libGL.so.1",
                "libcurl.so",
                "libcurl-gnutls.so.4",
                "libX11-xcb.so",
                "libfoo.so"
            ]
        );
    }

    #[test]
    fn shipped_names_are_no_candidates() {
        let names = strings(&["libGL.so", "libGL.so.1", "libvulkan.so.1"]);
        assert_eq!(
            unshipped(&names, &|name| name == "libGL.so.1"),
            ["libvulkan.so.1"]
        );
    }

    #[test]
    fn without_a_baseline_every_unshipped_candidate_counts() {
        let issue = check(&strings(&["libsoup-3.0.so.0"]), None);
        assert!(
            matches!(
                &issue,
                Some(Issue::DlopenCandidates { names, baseline: None }) if names == &["libsoup-3.0.so.0"]
            ),
            "{issue:?}"
        );
        assert!(check(&[], None).is_none());
    }
}
