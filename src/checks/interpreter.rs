//! `interpreter-missing`: the file's PT_INTERP against the baseline's loader, or inside a root
//! filesystem checked as a system.

use crate::baseline::Baseline;
use crate::binary::Binary;
use crate::findings::Issue;

pub fn check(binary: &Binary, baseline: &Baseline) -> Option<Issue> {
    let interpreter = binary.interpreter.as_ref()?;
    if baseline.has_interpreter(interpreter) {
        return None;
    }
    Some(Issue::InterpreterMissing {
        interpreter: interpreter.clone(),
        baseline: baseline.id.clone(),
        baseline_interpreter: baseline.interpreter.clone(),
        baseline_libc: baseline.libc.to_string(),
    })
}

/// A root filesystem checked on its own: its PT_INTERP must be inside it.
pub fn check_in_tree(binary: &Binary, root: &str) -> Option<Issue> {
    Some(Issue::InterpreterMissing {
        interpreter: binary.interpreter.clone()?,
        baseline: format!("the root filesystem {root}"),
        baseline_interpreter: None,
        baseline_libc: "its C library".into(),
    })
}
