//! `shipcheck completions SHELL` and `shipcheck man`, generated from the clap definition: the bash
//! script is loaded into a real bash and asked to complete, and the man page is rendered by groff
//! with every warning on. The subcommands expected are read from `shipcheck --help`, so a new
//! subcommand is expected everywhere without editing this file.

use assert_cmd::Command;
use std::path::Path;

fn shipcheck(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("shipcheck")
        .expect("the shipcheck binary is built")
        .args(args)
        .output()
        .expect("run shipcheck")
}

fn stdout_of(args: &[&str]) -> String {
    let out = shipcheck(args);
    assert!(
        out.status.success(),
        "shipcheck {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The subcommands `shipcheck --help` lists (the "Commands:" block), without clap's `help`.
fn subcommands() -> Vec<String> {
    let help = stdout_of(&["--help"]);
    let names: Vec<String> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(
        names.len() >= 6,
        "expected the subcommands in --help, got {names:?} from:\n{help}"
    );
    names
}

/// What the bash completion function `_shipcheck` offers for the command line `words` (the last
/// word is the one being completed), in a real `bash` with the generated script sourced.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{script}' || exit 9
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
_shipcheck shipcheck "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display(),
        words = quoted.join(" "),
        cword = words.len() - 1,
    );
    let out = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "bash complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut offered: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    offered.sort();
    offered
}

#[test]
fn bash_completion_completes_subcommands_options_and_values() {
    let dir = std::env::temp_dir().join(format!("shipcheck-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("shipcheck.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).expect("write script");

    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("run bash -n");
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    assert_eq!(bash_complete(&script, &["shipcheck", "ch"]), ["check"]);
    assert_eq!(bash_complete(&script, &["shipcheck", "ba"]), ["baselines"]);
    // Every subcommand is offered after the program name.
    let all = bash_complete(&script, &["shipcheck", ""]);
    for name in subcommands() {
        assert!(all.contains(&name), "`{name}` not offered: {all:?}");
    }
    assert_eq!(
        bash_complete(&script, &["shipcheck", "check", "--basel"]),
        ["--baseline"]
    );
    assert_eq!(
        bash_complete(&script, &["shipcheck", "check", "--format", ""]),
        ["github", "json", "markdown", "sarif", "table"]
    );
    // The positional's values, beside the options (-h, --help) bash offers for an empty word.
    let shells: Vec<String> = bash_complete(&script, &["shipcheck", "completions", ""])
        .into_iter()
        .filter(|word| !word.starts_with('-'))
        .collect();
    assert_eq!(shells, ["bash", "elvish", "fish", "powershell", "zsh"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for name in &names {
            assert!(
                script.contains(name.as_str()),
                "the {shell} script does not name `{name}`"
            );
        }
    }
    let out = shipcheck(&["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_page_renders_without_warnings_and_names_every_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH") || page.contains("\n.TH "),
        "not roff: {}",
        &page[..page.len().min(200)]
    );
    let plain = strip_overstrike(&groff_clean(&page));
    assert!(plain.contains("NAME"), "no NAME section:\n{plain}");
    assert!(
        plain.contains("shipcheck - Will this build run where we are sending it?"),
        "NAME does not give the description:\n{plain}"
    );
    for name in subcommands() {
        assert!(
            plain.contains(&format!("shipcheck-{name}(1)")),
            "the man page does not name `{name}`:\n{plain}"
        );
        // Each subcommand has the page the list refers to, with its own options.
        let sub = strip_overstrike(&groff_clean(&stdout_of(&["man", &name])));
        assert!(
            sub.contains(&format!("shipcheck-{name} - ")),
            "shipcheck man {name} has no NAME line:\n{sub}"
        );
        assert!(
            sub.contains(&format!("shipcheck {name}")),
            "shipcheck man {name} has no synopsis:\n{sub}"
        );
    }
    let check = strip_overstrike(&groff_clean(&stdout_of(&["man", "check"])));
    for option in ["--baseline", "--target", "--format", "--layout"] {
        assert!(check.contains(option), "shipcheck-check(1) lacks {option}");
    }
    assert_eq!(shipcheck(&["man", "nope"]).status.code(), Some(2));

    // man-db's own reader takes the page as a file (`man -l`), with its preprocessors.
    let file = std::env::temp_dir().join(format!("shipcheck-{}.1", std::process::id()));
    std::fs::write(&file, &page).expect("write page");
    let man = std::process::Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("run man (Debian: man-db; .ci/test installs it)");
    let _ = std::fs::remove_file(&file);
    assert!(
        man.status.success(),
        "man -l failed: {}",
        String::from_utf8_lossy(&man.stderr)
    );
    let shown = strip_overstrike(&String::from_utf8_lossy(&man.stdout));
    assert!(shown.contains("SUBCOMMANDS"), "man -l output:\n{shown}");
}

/// `page` rendered by `groff -man -Tutf8 -ww` (every warning on), which must succeed without a
/// word on stderr.
fn groff_clean(page: &str) -> String {
    let mut groff = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run groff (Debian: groff-base; .ci/test installs it)");
    std::io::Write::write_all(&mut groff.stdin.take().expect("stdin"), page.as_bytes())
        .expect("feed groff");
    let out = groff.wait_with_output().expect("groff output");
    assert!(out.status.success(), "groff failed: {}", out.status);
    assert!(
        out.stderr.is_empty(),
        "groff warnings:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 from groff -Tutf8")
}

/// Text without backspace overstrikes (`X\bX` bold, `_\bX` underline) and SGR escapes, its
/// words separated by one space (groff justifies lines with extra spaces and breaks them).
fn strip_overstrike(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{8}' => {
                out.pop();
            }
            '\u{1b}' => {
                // CSI ... final byte in @..~
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for next in chars.by_ref() {
                        if ('@'..='~').contains(&next) {
                            break;
                        }
                    }
                }
            }
            _ => out.push(c),
        }
    }
    let text: String = out.into_iter().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
