//! `symbol-blacklisted`: a policy (manylinux/musllinux) allows a library but forbids some of
//! its symbols (zlib internals, glibc functions older systems lack); a file importing one fails.

use crate::baseline::Baseline;
use crate::binary::Binary;
use crate::findings::Issue;
use crate::loader::{Found, NeedOutcome};

pub fn check(binary: &Binary, needs: &[NeedOutcome], baseline: &Baseline) -> Vec<Issue> {
    baseline
        .blacklist
        .iter()
        .filter(|(soname, _)| {
            binary.needed.iter().any(|needed| needed == soname.as_ref())
                && !needs
                    .iter()
                    .any(|n| n.name == **soname && matches!(n.found, Found::Tree { .. }))
        })
        .filter_map(|(soname, forbidden)| {
            let symbols: Vec<String> = forbidden
                .iter()
                .filter(|symbol| {
                    binary
                        .strong_imports
                        .binary_search_by(|import| import.as_str().cmp(symbol))
                        .is_ok()
                })
                .map(|symbol| symbol.to_string())
                .collect();
            (!symbols.is_empty()).then(|| Issue::SymbolBlacklisted {
                library: soname.to_string(),
                symbols,
                baseline: baseline.id.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::tests::bullseye_like;
    use crate::binary::{Sniffed, parse};

    fn test_binary(name: &str) -> Box<crate::binary::Binary> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/bin")
            .join(name);
        let bytes = std::fs::read(&path).expect("test binary");
        let Ok(Sniffed::Binary(binary)) = parse(&bytes) else {
            panic!("{name} parses");
        };
        binary
    }

    #[test]
    fn flags_forbidden_imports_of_allowed_libraries() {
        let binary = test_binary("hello-x86_64");
        assert!(
            binary.strong_imports.contains(&"puts".to_string()),
            "{:?}",
            binary.strong_imports
        );
        let mut baseline = bullseye_like();
        let resolved = Vec::new();
        assert!(check(&binary, &resolved, &baseline).is_empty());
        baseline
            .blacklist
            .insert("libc.so.6".into(), vec!["puts".into(), "gets".into()]);
        let issues = check(&binary, &resolved, &baseline);
        assert!(
            matches!(&issues[..], [Issue::SymbolBlacklisted { symbols, .. }] if symbols == &["puts"]),
            "{issues:?}"
        );
        baseline.blacklist.clear();
        baseline
            .blacklist
            .insert("libz.so.1".into(), vec!["puts".into()]);
        assert!(
            check(&binary, &resolved, &baseline).is_empty(),
            "libz is not needed"
        );
    }

    /// A weak import (`getrandom`, checked at run time) is never forbidden: the loader binds it
    /// to 0 where the library lacks it.
    #[test]
    fn weak_imports_are_never_forbidden() {
        let weak = test_binary("weak-x86_64");
        assert!(weak.strong_imports.contains(&"printf".to_string()));
        assert!(!weak.strong_imports.contains(&"getrandom".to_string()));
        let mut baseline = bullseye_like();
        baseline.blacklist.insert(
            "libc.so.6".into(),
            vec!["getrandom".into(), "printf".into()],
        );
        let issues = check(&weak, &Vec::new(), &baseline);
        assert!(
            matches!(&issues[..], [Issue::SymbolBlacklisted { symbols, .. }] if symbols == &["printf"]),
            "{issues:?}"
        );
    }
}
