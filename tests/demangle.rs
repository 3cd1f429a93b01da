//! Symbol names in findings: messages show C++ and Rust names demangled, JSON keeps the raw name
//! in `evidence` and maps it to the demangled one in `symbols_demangled`. C++ names are checked
//! against `c++filt` (binutils) on the committed test binary testdata/bin/cxx-x86_64, built by
//! testdata/build.sh from src/cxx.cc against GCC 12's libstdc++ (it needs GLIBCXX_3.4.30).

mod common;

use common::shipcheck;
use serde_json::Value;
use shipcheck::findings::{Issue, SymbolFix};

const CXX: &str = "testdata/bin/cxx-x86_64";

/// What binutils' demangler prints for a name; `None` when c++filt is not installed.
fn cxxfilt(raw: &str) -> Option<String> {
    let output = std::process::Command::new("c++filt")
        .arg(raw)
        .output()
        .ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_string()
    })
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The GLIBCXX findings of cxx-x86_64 against a release older than GCC 12.
fn glibcxx_findings() -> Vec<Value> {
    let (code, stdout, stderr) = shipcheck(&[
        "check",
        "--baseline",
        "ubuntu-20.04",
        "--format",
        "json",
        CXX,
    ]);
    assert_eq!(code, 1, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    let findings: Vec<Value> = doc["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["evidence"]["family"] == "GLIBCXX")
        .cloned()
        .collect();
    assert!(!findings.is_empty(), "{stdout}");
    findings
}

#[test]
fn glibcxx_findings_name_symbols_as_cxxfilt_does_and_json_keeps_the_raw_name() {
    if cxxfilt("_Z1fv").is_none() {
        eprintln!("c++filt is not installed: skipped");
        return;
    }
    let mut checked = 0;
    for finding in glibcxx_findings() {
        let message = finding["message"].as_str().unwrap();
        let map = finding["symbols_demangled"]
            .as_object()
            .unwrap_or_else(|| panic!("symbols_demangled: {finding}"));
        for raw in finding["evidence"]["symbols"].as_array().unwrap() {
            let raw = raw.as_str().unwrap();
            assert!(raw.starts_with("_Z"), "evidence keeps the raw name: {raw}");
            let expected = cxxfilt(raw).unwrap();
            assert_ne!(expected, raw, "c++filt demangles {raw}");
            assert!(message.contains(&expected), "{message} lacks {expected}");
            assert!(!message.contains(raw), "{message} shows the raw {raw}");
            assert_eq!(map[raw], expected.as_str());
            checked += 1;
        }
        assert_eq!(
            map.len(),
            finding["evidence"]["symbols"].as_array().unwrap().len()
        );
    }
    assert!(checked >= 2, "{checked} names compared");
}

#[test]
fn c_names_get_no_demangled_entry() {
    let (_, stdout, _) = shipcheck(&[
        "check",
        "--baseline",
        "ubuntu-20.04",
        "--format",
        "json",
        CXX,
    ]);
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    let glibc = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["evidence"]["family"] == "GLIBC")
        .expect("a GLIBC finding (__libc_start_main)");
    assert!(glibc.get("symbols_demangled").is_none(), "{glibc}");
    assert!(
        glibc["message"]
            .as_str()
            .unwrap()
            .contains("__libc_start_main")
    );
}

#[test]
fn every_human_format_shows_the_demangled_name() {
    let findings = glibcxx_findings();
    let demangled: Vec<String> = findings
        .iter()
        .flat_map(|f| {
            f["symbols_demangled"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let raw: Vec<String> = findings
        .iter()
        .flat_map(|f| {
            f["symbols_demangled"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    for format in ["table", "markdown", "github", "sarif"] {
        let (code, stdout, stderr) = shipcheck(&[
            "check",
            "--baseline",
            "ubuntu-20.04",
            "--format",
            format,
            CXX,
        ]);
        assert_eq!(code, 1, "{format}: {stderr}");
        // The table wraps at spaces; SARIF escapes nothing these names hold; Markdown escapes
        // `<`, `>`, `_` and `*` with a backslash, which a reader does not see (CommonMark:
        // backslash escapes of ASCII punctuation).
        let text = if format == "markdown" {
            flat(&markdown_as_read(&stdout))
        } else {
            flat(&stdout)
        };
        for name in &demangled {
            assert!(
                text.contains(&flat(name)),
                "{format} lacks {name}:\n{stdout}"
            );
        }
        // SARIF's message text is for people; its properties carry the raw evidence.
        let people = if format == "sarif" {
            let sarif: Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
            let texts: Vec<String> = sarif["runs"][0]["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| r["message"]["text"].as_str().unwrap_or("").to_string())
                .collect();
            assert!(
                stdout.contains(raw[0].as_str()),
                "SARIF keeps the raw evidence"
            );
            texts.join("\n")
        } else {
            stdout
        };
        for name in &raw {
            assert!(!people.contains(name.as_str()), "{format} shows {name}");
        }
    }
}

// From `nm` on a program rustc 1.95 built from `pub mod shapes { impl Circle { pub fn area } }`
// in crate `demo` (see src/demangle.rs): legacy and v0 manglings of the same function.
const RUST_LEGACY: &str = "_ZN4demo6shapes6Circle4area17hf60d1efbde6aa203E";
const RUST_V0: &str = "_RNvMNtCs2ndz2m94zur_4demo6shapesNtB2_6Circle4area";

#[test]
fn undefined_rust_symbols_read_without_hash_but_the_loader_quote_stays_raw() {
    let issue = Issue::SymbolUndefined {
        symbols: vec![RUST_LEGACY.into(), RUST_V0.into(), "plain_c".into()],
        version: None,
        library: None,
        chain: vec!["bin/app".into(), "lib/libdemo.so".into()],
    };
    let message = issue.message();
    assert!(
        message.contains("(demo::shapes::Circle::area, <demo::shapes::Circle>::area, plain_c)"),
        "{message}"
    );
    // ld.so prints the raw name; the message quotes it as the user will see it.
    assert!(
        message.contains(&format!("undefined symbol: {RUST_LEGACY}")),
        "{message}"
    );
    let map = issue.demangled_symbols();
    assert_eq!(map.len(), 2, "{map:?}");
    assert_eq!(map[RUST_LEGACY], "demo::shapes::Circle::area");
    assert_eq!(map[RUST_V0], "<demo::shapes::Circle>::area");
}

#[test]
fn blacklisted_and_advised_symbols_are_demangled_too() {
    let cpp = "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE";
    let blacklisted = Issue::SymbolBlacklisted {
        library: "libstdc++.so.6".into(),
        symbols: vec![cpp.into()],
        baseline: "manylinux_2_17".into(),
    };
    assert!(
        blacklisted
            .message()
            .contains("imports std::condition_variable::wait(std::unique_lock<std::mutex>&) from"),
        "{}",
        blacklisted.message()
    );
    let too_new = Issue::SymbolVersionTooNew {
        library: "libc.so.6".into(),
        family: "GLIBC".into(),
        version: "GLIBC_2.34".into(),
        symbols: vec![RUST_LEGACY.into()],
        baseline: "ubuntu-20.04".into(),
        baseline_highest: Some("2.31".into()),
        shipped_at: None,
        weak: false,
        advice: vec![SymbolFix::CodeChangeOrShim {
            symbol: RUST_LEGACY.into(),
            first_release: None,
        }],
    };
    assert!(too_new.message().contains("(demo::shapes::Circle::area)"));
    assert!(
        too_new
            .hint()
            .contains("demo::shapes::Circle::area does not exist"),
        "{}",
        too_new.hint()
    );
    assert!(!too_new.hint().contains(RUST_LEGACY));
}

#[test]
fn hostile_names_come_back_raw() {
    // Nested past the demangler's recursion limits, and a name past the length bound.
    let deep = format!("_Z1f{}", "P".repeat(50_000));
    let long = format!("_ZN{}3fooEv", "3foo".repeat(2000));
    let issue = Issue::SymbolUndefined {
        symbols: vec![deep.clone(), long.clone()],
        version: None,
        library: None,
        chain: vec!["app".into()],
    };
    assert!(issue.demangled_symbols().is_empty());
    let message = issue.message();
    assert!(message.contains(&deep) && message.contains(&long));
}

/// Both demanglers' text with the differences of style between them written one way:
/// - the standard substitutions `Ss`, `Si`, `So`, `Sd` short (`std::string`), constructors and
///   destructors named after them (`std::ostream::ostream()`): each writes some long, some short;
/// - `> >` and `>>`; `decltype(nullptr)` and `std::nullptr_t`; `1l` and `(long)1`.
fn styled(text: &str) -> String {
    const TRAITS: &str = "<char, std::char_traits<char> >";
    let mut text = text
        .replace(
            "std::basic_string<char, std::char_traits<char>, std::allocator<char> >",
            "std::string",
        )
        .replace(&format!("std::basic_iostream{TRAITS}"), "std::iostream")
        .replace(&format!("std::basic_istream{TRAITS}"), "std::istream")
        .replace(&format!("std::basic_ostream{TRAITS}"), "std::ostream")
        .replace("decltype(nullptr)", "std::nullptr_t")
        .replace(" >", ">");
    for name in ["string", "iostream", "istream", "ostream"] {
        text = text
            .replace(&format!("::basic_{name}("), &format!("::{name}("))
            .replace(&format!("::~basic_{name}("), &format!("::~{name}("));
    }
    // `(long)1000` → `1000l`, `(unsigned long)8` → `8ul`.
    for (cast, suffix) in [("(long)", "l"), ("(unsigned long)", "ul")] {
        while let Some(at) = text.find(cast) {
            let rest = &text[at + cast.len()..];
            let digits = rest
                .char_indices()
                .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
                .count();
            text = format!(
                "{}{}{suffix}{}",
                &text[..at],
                &rest[..digits],
                &rest[digits..]
            );
        }
    }
    text
}

/// Every C++ name libstdc++ exports, demangled by us and by c++filt: the same text but for
/// style ([`styled`]), and for one known cpp_demangle 0.5 bug: a constructor template whose
/// parameters repeat a template parameter through a substitution (`…C1IPKwEET_S6_RKS1_`) loses
/// one of them (`basic_string<wchar_t const*>(wchar_t const*, allocator const&)`, c++filt:
/// `(wchar_t const*, wchar_t const*, allocator const&)`). A name printed with a reference before
/// a nested name (`X&::Y`, another of its bugs) is shown raw instead.
#[test]
fn libstdcxx_exports_read_as_cxxfilt_prints_them() {
    let library = [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
    ]
    .into_iter()
    .find(|path| std::path::Path::new(path).exists());
    let (Some(library), Some(_)) = (library, cxxfilt("_Z1fv")) else {
        eprintln!("no libstdc++.so.6 or no c++filt: skipped");
        return;
    };
    let Ok(nm) = std::process::Command::new("nm")
        .args(["-D", "--defined-only", library])
        .output()
    else {
        eprintln!("no nm: skipped");
        return;
    };
    let names: Vec<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .map(|name| name.split('@').next().unwrap_or(name).to_string())
        .filter(|name| name.starts_with("_Z"))
        .collect();
    assert!(names.len() > 1000, "{} names in {library}", names.len());
    let mut child = std::process::Command::new("c++filt")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("c++filt runs");
    let input = names.join("\n") + "\n";
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(input.as_bytes())
    });
    let output = child.wait_with_output().expect("c++filt output");
    writer.join().unwrap().expect("c++filt reads the names");
    let expected: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(expected.len(), names.len());
    let mut dropped_parameter = 0;
    let differ: Vec<String> = names
        .iter()
        .zip(&expected)
        .filter(|(raw, oracle)| {
            let ours = shipcheck::demangle::demangle(raw);
            if ours == raw.as_str() {
                // Shown raw: only for the `X&::Y` bug.
                return !oracle.contains("&)") || !oracle.contains("::");
            }
            let (ours, oracle) = (styled(&ours), styled(oracle));
            if ours == oracle {
                return false;
            }
            let constructor_template = raw.contains("C1I") || raw.contains("C2I");
            if constructor_template && raw.contains("ET_S") && ours.len() < oracle.len() {
                dropped_parameter += 1;
                return false;
            }
            true
        })
        .map(|(raw, oracle)| {
            format!(
                "{raw}\n  c++filt:   {oracle}\n  shipcheck: {}",
                shipcheck::demangle::demangle(raw)
            )
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} names differ:\n{}",
        differ.len(),
        names.len(),
        differ[..differ.len().min(20)].join("\n")
    );
    eprintln!(
        "{dropped_parameter} of {} names lose a parameter",
        names.len()
    );
    assert!(
        dropped_parameter <= names.len() / 100,
        "{dropped_parameter} names lose a parameter"
    );
}

/// Markdown text as rendered: a backslash before ASCII punctuation is dropped.
fn markdown_as_read(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&next) if c == '\\' && next.is_ascii_punctuation() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}
