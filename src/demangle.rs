//! Symbol names as people read them. Findings keep the raw name (the loader, `nm` and the JSON
//! evidence use it); their wording shows it demangled: Itanium C++ (`_Z…`, as `c++filt` prints
//! it) and Rust (legacy `_ZN…17h<hash>E` and v0 `_R…`, without the hash). Names come from the
//! checked files, so they are hostile input: the length read, the parser's and the printer's
//! recursion and the text written are bounded, and a name that is not mangled, does not parse or
//! passes a bound is returned as it is.

use std::borrow::Cow;
use std::fmt::Write;

/// Longer names are not demangled. Real C++ names (Boost, Qt string builders) reach a few
/// kilobytes; a message has no room for more.
pub const MAX_MANGLED: usize = 4096;
/// A demangled name longer than this is not used: substitutions let a short name expand
/// exponentially, and printing stops here instead.
pub const MAX_DEMANGLED: usize = 8192;
/// cpp_demangle's own defaults, written out so an upgrade cannot raise them: the parser's (96)
/// and the printer's (128) depth, which its authors size not to overflow a debug build's stack.
const CPP_PARSE_DEPTH: u32 = 96;
const CPP_PRINT_DEPTH: u32 = 128;

/// The name as people read it, or the raw name when it is not a mangled C++ or Rust name.
pub fn demangle(raw: &str) -> Cow<'_, str> {
    match demangled(raw) {
        Some(text) => Cow::Owned(text),
        None => Cow::Borrowed(raw),
    }
}

/// The demangled name when it differs from the raw one.
pub fn demangled(raw: &str) -> Option<String> {
    if raw.len() > MAX_MANGLED {
        return None;
    }
    let text = if raw.starts_with("_R") || raw.starts_with("_ZN") {
        // Rust first: a legacy Rust name is also valid C++, but C++ keeps the `h<hash>`.
        rust(raw).or_else(|| cpp(raw))
    } else if raw.starts_with("_Z") {
        cpp(raw)
    } else {
        None
    }?;
    (text != raw && !text.is_empty()).then_some(text)
}

fn rust(raw: &str) -> Option<String> {
    let symbol = rustc_demangle::try_demangle(raw).ok()?;
    let mut out = Bounded::default();
    // `{:#}`: without the hash.
    write!(out, "{symbol:#}").ok()?;
    // rustc-demangle writes its failures into the text instead of failing.
    const FAILURES: [&str; 3] = [
        "{size limit reached}",
        "{recursion limit reached}",
        "{invalid syntax}",
    ];
    if FAILURES.iter().any(|failure| out.text.contains(failure)) {
        return None;
    }
    Some(out.text)
}

fn cpp(raw: &str) -> Option<String> {
    // Where cpp_demangle's wording differs from c++filt's (`{vtable(T)}`, `{virtual override
    // thunk(…)}`), the text is written as c++filt writes it.
    if let Some(ty) = raw.strip_prefix("_ZTV") {
        return cpp_type(ty).map(|ty| format!("vtable for {ty}"));
    }
    if let Some(ty) = raw.strip_prefix("_ZTT") {
        return cpp_type(ty).map(|ty| format!("VTT for {ty}"));
    }
    if let Some(thunk) = raw.strip_prefix("_ZT") {
        let (words, encoding) = match thunk.as_bytes().first() {
            Some(b'h') => ("non-virtual thunk to", call_offset(thunk)?),
            Some(b'v') => ("virtual thunk to", call_offset(thunk)?),
            Some(b'c') => (
                "covariant return thunk to",
                call_offset(call_offset(&thunk[1..])?)?,
            ),
            _ => ("", ""),
        };
        if !words.is_empty() {
            return cpp_plain(&format!("_Z{encoding}")).map(|target| format!("{words} {target}"));
        }
    }
    cpp_plain(raw)
}

/// A mangled type (`St9bad_alloc`) as c++filt prints it, through the typeinfo-name special
/// name, which prints the type and nothing else after a fixed prefix.
fn cpp_type(ty: &str) -> Option<String> {
    let text = cpp_plain(&format!("_ZTS{ty}"))?;
    text.strip_prefix("typeinfo name for ").map(str::to_string)
}

/// What follows one `<call-offset>`: `h <number> _` or `v <number> _ <number> _`, where a
/// number is decimal digits after an optional `n` (negative).
fn call_offset(text: &str) -> Option<&str> {
    fn number(text: &str) -> Option<&str> {
        let text = text.strip_prefix('n').unwrap_or(text);
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        (digits > 0).then(|| &text[digits..])?.strip_prefix('_')
    }
    match text.as_bytes().first()? {
        b'h' => number(&text[1..]),
        b'v' => number(number(&text[1..])?),
        _ => None,
    }
}

fn cpp_plain(raw: &str) -> Option<String> {
    let parse = cpp_demangle::ParseOptions::default().recursion_limit(CPP_PARSE_DEPTH);
    let symbol = cpp_demangle::Symbol::new_with_options(raw.as_bytes(), &parse).ok()?;
    let print = cpp_demangle::DemangleOptions::new().recursion_limit(CPP_PRINT_DEPTH);
    let mut out = Bounded::default();
    symbol.structured_demangle(&mut out, &print).ok()?;
    // cpp_demangle 0.5 puts a reference parameter's `&` before the nested name it qualifies
    // (`A&::B` for `A::B&`): no C++ name reads so, and the raw name is better than a wrong one.
    (!out.text.contains("&::")).then_some(out.text)
}

/// A `String` that refuses to grow past [`MAX_DEMANGLED`], which stops the printer.
#[derive(Default)]
struct Bounded {
    text: String,
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.text.len() + s.len() > MAX_DEMANGLED {
            return Err(std::fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    // From `nm -D --with-symbol-versions /usr/lib/x86_64-linux-gnu/libstdc++.so.6` (GCC 14),
    // with `c++filt`'s output.
    const CPP: [(&str, &str); 4] = [
        (
            "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE10_M_replaceEmmPKcm",
            "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_replace(unsigned long, unsigned long, char const*, unsigned long)",
        ),
        ("_ZSt4cout", "std::cout"),
        (
            "_ZNKSt5ctypeIcE8do_widenEc",
            "std::ctype<char>::do_widen(char) const",
        ),
        (
            "_ZTVN10__cxxabiv117__class_type_infoE",
            "vtable for __cxxabiv1::__class_type_info",
        ),
    ];

    // Special names, where cpp_demangle's own wording (`{vtable(T)}`) differs; `c++filt`'s.
    const SPECIAL: [(&str, &str); 6] = [
        ("_ZTVSt9bad_alloc", "vtable for std::bad_alloc"),
        (
            "_ZTTNSt7__cxx1118basic_stringstreamIcSt11char_traitsIcESaIcEEE",
            "VTT for std::__cxx11::basic_stringstream<char, std::char_traits<char>, std::allocator<char> >",
        ),
        ("_ZTISt9bad_alloc", "typeinfo for std::bad_alloc"),
        ("_ZThn16_N1B1fEv", "non-virtual thunk to B::f()"),
        ("_ZTv0_n24_N1B1fEv", "virtual thunk to B::f()"),
        (
            "_ZTch0_h16_NK1B1fEv",
            "covariant return thunk to B::f() const",
        ),
    ];

    #[test]
    fn special_names_read_as_cxxfilt_prints_them() {
        for (raw, expected) in SPECIAL {
            assert_eq!(demangle(raw), expected, "{raw}");
        }
        for raw in [
            "_ZTV", "_ZTT", "_ZTh", "_ZTv0_", "_ZTc", "_ZTch0_", "_ZThn", "_ZTvn1_x",
        ] {
            assert_eq!(demangled(raw), None, "{raw}");
        }
    }

    #[test]
    fn cpp_names_read_as_cxxfilt_prints_them() {
        for (raw, expected) in CPP {
            assert_eq!(demangle(raw), expected, "{raw}");
            assert_eq!(demangled(raw).as_deref(), Some(expected));
        }
    }

    // From `nm` on a program built by rustc 1.95 from this source, legacy (the default) and
    // `-C symbol-mangling-version=v0`; the expected names are the source's paths:
    //   pub mod shapes { pub struct Circle(pub f64); impl Circle { pub fn area(&self) -> f64 }
    //                    pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> T }
    //   pub fn run() -> f64 { … shapes::largest(&[1u32, 5, 3]) … }   (crate `demo`)
    const RUST: [(&str, &str); 6] = [
        (
            "_ZN4demo6shapes6Circle4area17hf60d1efbde6aa203E",
            "demo::shapes::Circle::area",
        ),
        (
            "_ZN4demo6shapes7largest17h04b65d73ef29d471E",
            "demo::shapes::largest",
        ),
        ("_ZN4demo3run17h7d0f6fa081ce0644E", "demo::run"),
        ("_RNvCs2ndz2m94zur_4demo3run", "demo::run"),
        (
            "_RNvMNtCs2ndz2m94zur_4demo6shapesNtB2_6Circle4area",
            "<demo::shapes::Circle>::area",
        ),
        (
            "_RINvNtCs2ndz2m94zur_4demo6shapes7largestmEB4_",
            "demo::shapes::largest::<u32>",
        ),
    ];

    #[test]
    fn rust_names_read_without_their_hash() {
        for (raw, expected) in RUST {
            assert_eq!(demangle(raw), expected, "{raw}");
        }
        // shipcheck's own `std::rt::lang_start` (legacy, from `nm target/debug/shipcheck`).
        assert_eq!(
            demangle("_ZN3std2rt10lang_start17h80049f97f207b38cE"),
            "std::rt::lang_start"
        );
    }

    /// `f(std::pair<T, T>)` nested `levels` deep through substitutions, each level naming the
    /// one below twice: the demangled text doubles at each level.
    fn doubling(levels: usize) -> String {
        const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut name = format!("_Z1fSt4pairI{}iiE", "S_I".repeat(levels - 1));
        for level in 1..levels {
            let (mut n, mut id) = (level - 1, Vec::new());
            loop {
                id.insert(0, DIGITS[n % 36]);
                n /= 36;
                if n == 0 {
                    break;
                }
            }
            name += &format!("S{}_E", String::from_utf8_lossy(&id));
        }
        name
    }

    #[test]
    fn doubling_names_read_as_cxxfilt_prints_them_until_the_bound() {
        // `c++filt _Z1fSt4pairIS_IS_IiiES0_ES1_E`.
        assert_eq!(doubling(3), "_Z1fSt4pairIS_IS_IiiES0_ES1_E");
        assert_eq!(
            demangle(&doubling(3)),
            "f(std::pair<std::pair<std::pair<int, int>, std::pair<int, int> >, std::pair<std::pair<int, int>, std::pair<int, int> > >)"
        );
        // c++filt prints 16885 bytes for 10 levels: past the bound, so the raw name.
        let ten = doubling(10);
        assert_eq!(demangle(&ten), ten.as_str());
        // 24 levels would be hundreds of megabytes; printing stops at the bound.
        let started = Instant::now();
        let deep = doubling(24);
        assert_eq!(demangle(&deep), deep.as_str());
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_misplaced_reference_is_shown_raw() {
        // libstdc++'s; cpp_demangle 0.5 prints `__class_type_info&::__upcast_result` where
        // c++filt prints `__class_type_info::__upcast_result&`.
        let raw = "_ZNK10__cxxabiv120__si_class_type_info11__do_upcastEPKNS_17__class_type_infoEPKvRNS1_15__upcast_resultE";
        assert_eq!(demangled(raw), None);
    }

    #[test]
    fn plain_names_stay_as_they_are() {
        for raw in [
            "memcpy",
            "__libc_start_main",
            "fcntl64",
            "",
            "_",
            "_Z",
            "_R",
            "Z",
        ] {
            assert!(matches!(demangle(raw), Cow::Borrowed(_)), "{raw}");
            assert_eq!(demangled(raw), None, "{raw}");
        }
    }

    /// Each must come back (raw or demangled) without a panic, a stack overflow or a long wait.
    fn hostile() -> Vec<String> {
        let mut names = vec![
            "_Z".to_string(),
            "_ZN".into(),
            "_ZNSt".into(),
            "_ZZZZZZZZZZ".into(),
            "_ZN1".into(),
            "_ZN999999999999999999999999a".into(),
            "_RNv".into(),
            "_RB_".into(),
            "_ZN3foo17h0123456789abcdefE\u{0}".into(),
            "_ZN3fooé3barE".into(),
            // A fuzzer's find that took gigabytes in symbolic's demangler (symbolic issue 477).
            "_ZUlzjjlZZL1zStUlSt7j_Z3kjIIjIjL1vfIIEEEjzjjfjzSt7j_Z3kjIIjfjzL4t3kjIIjfjtUlSt7j_Z3kjIIjIjL1vfIIEEEjzjjfjzSt7j_Z3kjIIjfjzL4t3kjIIjfjzL4t7IjIjjzjjzSt7j_Z3kjIIjfjzStfjzSt7j_ZA3kjIIjIjL1vfIIEEEjzjjfjzSt7j_Z3kjIIjIjL1vfIIEEEjzjjfjzSt7j_Z3kjIIjfjzL4t3kjIIjzL4t7IjIjjzjjzSt7j_Z3kjIIjfjzStfjzSt7j_ZA3kjIIjIjL1vfIIEEEjzjjfjzSt7j_Z3kjIIjIjL1vfIIEEEjzjjfjzSt7j_Z3kjIIjfjzL4t3kjIIjfjzL4t7IjIjL1vfIIEEEjzjjSI".into(),
        ];
        // Deep nesting: past both recursion limits.
        names.push(format!("_Z1f{}i{}", "PFv".repeat(5000), "E".repeat(5000)));
        names.push(format!("_Z1f{}", "P".repeat(100_000)));
        names.push(format!("_RNv{}", "Nv".repeat(3000)));
        names.push(format!("_RINv{}", "INv".repeat(3000)));
        names.push(doubling(40));
        // Shaped after a real Qt name that took cpp_demangle half a second (its issue 282).
        names.push(format!(
            "_ZN13QConcatenableI14QStringBuilderI{}7QStringS1_E{}E8appendToI5QCharEEvRKS15_RPT_",
            "S0_I".repeat(39),
            "S1_E".repeat(39)
        ));
        names
    }

    #[test]
    fn hostile_names_never_panic_and_stay_bounded() {
        for raw in hostile() {
            let started = Instant::now();
            let text = demangle(&raw);
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{} bytes took {:?}",
                raw.len(),
                started.elapsed()
            );
            assert!(text.len() <= MAX_DEMANGLED.max(raw.len()), "{raw}");
        }
    }

    #[test]
    fn a_name_past_the_length_bound_is_not_demangled() {
        let long = format!("_ZN{}3fooEv", "3foo".repeat(MAX_MANGLED / 4));
        assert!(long.len() > MAX_MANGLED);
        assert_eq!(demangled(&long), None);
        // The same shape under the bound is.
        assert_eq!(demangle("_ZN3foo3fooEv"), "foo::foo()");
    }
}
