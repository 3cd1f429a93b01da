//! `interpreter-missing`: the file's PT_INTERP against the baseline's loader.

use crate::baseline::Baseline;
use crate::binary::Binary;
use crate::report::finding::Issue;

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
