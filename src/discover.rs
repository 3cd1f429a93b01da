//! Discovery: walks the given paths (without following symlinks), keeps regular files for
//! reading, and notes everything else. Never opens FIFOs, sockets or devices.

use crate::PathGlobs;
use crate::artifact::{self, Limits, Opened};
use crate::binary::{self, Binary, ReadError, Sniffed};
use crate::report::SkippedEntry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use walkdir::WalkDir;

/// A path that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A symlink inside the tree: its target is checked where it lives; it still counts for
    /// library resolution.
    Symlink,
    /// A FIFO, socket or device node.
    Special(&'static str),
    /// The walk could not enter or stat it (permissions, symlink loop, vanished).
    WalkError(String),
}

impl SkipReason {
    pub fn describe(&self) -> String {
        match self {
            SkipReason::Symlink => "symlink (not followed)".into(),
            SkipReason::Special(kind) => format!("{kind} (not opened)"),
            SkipReason::WalkError(reason) => reason.clone(),
        }
    }
}

/// What a walk found besides the regular files it handed out as it went.
#[derive(Debug, Default)]
pub struct Inventory {
    /// The roots as given, each with its canonical form.
    pub roots: Vec<(PathBuf, PathBuf)>,
    /// Symlinks inside the tree (for library resolution), in walk order.
    pub symlinks: Vec<PathBuf>,
    /// Files that say what a runtime loads (`app.runtimeconfig.json`, Mono's `Foo.dll.config`),
    /// recognised by name, in walk order.
    pub runtime_descriptions: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct MissingPath {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Canonicalises the roots first, so that a path that does not exist at all is an error (a
/// usage error for the CLI) before any work starts.
pub fn roots(paths: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>, MissingPath> {
    paths
        .iter()
        .map(|root| {
            let canonical = root.canonicalize().map_err(|source| MissingPath {
                path: root.clone(),
                source,
            })?;
            Ok((root.clone(), canonical))
        })
        .collect()
}

/// What the walk hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A regular file.
    File,
    /// A directory holding an OCI image layout: read as images, not walked.
    ImageLayout,
}

/// Walks every root, handing each regular file to `on_file` as soon as it is found (so reading
/// overlaps walking), in sorted order: each directory is listed sorted by name, which makes the
/// walk order the paths' order. Problems inside a tree are recorded and the walk goes on.
pub fn discover(
    roots: Vec<(PathBuf, PathBuf)>,
    on_file: &mut dyn FnMut(&Path, Found),
) -> Inventory {
    let mut inventory = Inventory::default();
    // Overlapping roots (`a` and `a/b`) must not check a file twice.
    let mut seen = std::collections::HashSet::new();
    let several = roots.len() > 1;
    for (root, _) in &roots {
        let mut walk = WalkDir::new(root)
            .follow_links(false)
            .follow_root_links(true)
            // Entries sorted together are one directory's: their paths are its path joined
            // with their names, so comparing whole paths (one memcmp) gives the order of the
            // names' bytes, as `sort_by_file_name` does, without finding each name again at
            // every comparison.
            .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
            .into_iter();
        while let Some(entry) = walk.next() {
            match entry {
                Ok(entry) => {
                    // A root given as a symlink is followed: the user named it.
                    let file_type = if entry.depth() == 0 && entry.path_is_symlink() {
                        match std::fs::metadata(entry.path()) {
                            Ok(metadata) => metadata.file_type(),
                            Err(_) => entry.file_type(),
                        }
                    } else {
                        entry.file_type()
                    };
                    if file_type.is_file() {
                        if !several || seen.insert(entry.path().to_path_buf()) {
                            if crate::runtime::is_description(entry.path()) {
                                inventory
                                    .runtime_descriptions
                                    .push(entry.path().to_path_buf());
                            }
                            on_file(entry.path(), Found::File);
                        }
                    } else if file_type.is_dir() && artifact::is_oci_layout(entry.path()) {
                        walk.skip_current_dir();
                        if !several || seen.insert(entry.path().to_path_buf()) {
                            on_file(entry.path(), Found::ImageLayout);
                        }
                    } else {
                        classify(&mut inventory, entry.path(), file_type);
                    }
                }
                Err(error) => {
                    let path = error.path().unwrap_or(root).to_path_buf();
                    let reason = error
                        .io_error()
                        .map_or_else(|| error.to_string(), |e| e.to_string());
                    inventory.skipped.push(Skipped {
                        path,
                        reason: SkipReason::WalkError(reason),
                    });
                }
            }
        }
    }
    inventory.roots = roots;
    if several {
        inventory.symlinks.sort();
        inventory.symlinks.dedup();
        inventory.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        inventory.skipped.dedup();
    }
    inventory
}

/// What the walk and the readers found.
pub struct Walked {
    pub inventory: Inventory,
    /// Object files and files that could not be read, in walk order.
    pub read: Vec<(PathBuf, Result<Box<Binary>, ReadError>)>,
    pub ignored: Vec<SkippedEntry>,
    /// Regular files that are not object files: only counted, never kept (most of a tree).
    pub not_binaries: usize,
    /// Archives and images found (a PATH itself, or inside a walked directory), each with the
    /// trees it unpacked to, in walk order.
    pub artifacts: Vec<(PathBuf, Opened)>,
}

/// What one reader made of one path.
enum Outcome {
    Binary(Result<Box<Binary>, ReadError>),
    Artifact(Opened),
}

/// Found files go to the readers this many at a time: one message, one lock and one wake-up
/// per batch instead of per file.
const BATCH: usize = 64;

/// One walk and many readers at once: the walk hands each regular file to reader threads as
/// it finds it, so reading overlaps walking. More threads than cores, because opening files is
/// mostly waiting (cold caches, network filesystems). Results come back in walk order.
pub fn read_while_walking(
    roots: Vec<(PathBuf, PathBuf)>,
    ignore: Option<&PathGlobs>,
    limits: Limits,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Walked {
    let named_files_only = roots.iter().all(|(root, _)| !root.is_dir());
    if named_files_only && roots.len() == 1 {
        return read_in_place(roots, ignore, limits, progress);
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_mul(4)
        .clamp(4, 32);
    // Files named one by one need no more readers than there are files (starting a thread
    // costs more than reading a small file).
    let threads = if named_files_only {
        threads.min(roots.len())
    } else {
        threads
    };
    let (sender, receiver) = std::sync::mpsc::channel::<Vec<(usize, PathBuf, Found)>>();
    let receiver = std::sync::Mutex::new(receiver);
    let found = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let not_binaries = AtomicUsize::new(0);
    let mut ignored = Vec::new();
    let root_paths = roots.clone();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    let mut kept_nothing = 0;
                    loop {
                        let batch = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = batch else { break };
                        for (index, path, what) in batch {
                            let outcome = read_found(&root_paths, &path, what, limits);
                            let count = finished.fetch_add(1, Ordering::Relaxed) + 1;
                            progress(count, found.load(Ordering::Relaxed));
                            match outcome {
                                Some(outcome) => done.push((index, path, outcome)),
                                None => kept_nothing += 1,
                            }
                        }
                    }
                    not_binaries.fetch_add(kept_nothing, Ordering::Relaxed);
                    done
                })
            })
            .collect();
        let mut next = 0;
        let mut batch = Vec::with_capacity(BATCH);
        let inventory = discover(roots, &mut |path, what| {
            if let Some(entry) = ignored_entry(ignore, &root_paths, path) {
                ignored.push(entry);
                return;
            }
            found.fetch_add(1, Ordering::Relaxed);
            batch.push((next, path.to_path_buf(), what));
            next += 1;
            if batch.len() == BATCH {
                // The receivers outlive the walk, so sending cannot fail.
                let _ = sender.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        });
        if !batch.is_empty() {
            let _ = sender.send(batch);
        }
        drop(sender);
        let mut done: Vec<(usize, PathBuf, Outcome)> = workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect();
        done.sort_by_key(|(index, _, _)| *index);
        walked(
            inventory,
            done.into_iter().map(|(_, path, outcome)| (path, outcome)),
            ignored,
            not_binaries.load(Ordering::Relaxed),
        )
    })
}

/// One file named alone is read on the calling thread: starting a reader thread (its stack,
/// its allocator arena, asking the cgroup how many cores there are) costs more than reading it.
fn read_in_place(
    roots: Vec<(PathBuf, PathBuf)>,
    ignore: Option<&PathGlobs>,
    limits: Limits,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Walked {
    let root_paths = roots.clone();
    let mut done = Vec::new();
    let mut ignored = Vec::new();
    let mut not_binaries = 0;
    let mut count = 0;
    let inventory = discover(roots, &mut |path, what| {
        if let Some(entry) = ignored_entry(ignore, &root_paths, path) {
            ignored.push(entry);
            return;
        }
        let outcome = read_found(&root_paths, path, what, limits);
        count += 1;
        progress(count, count);
        match outcome {
            Some(outcome) => done.push((path.to_path_buf(), outcome)),
            None => not_binaries += 1,
        }
    });
    walked(inventory, done, ignored, not_binaries)
}

/// The policy's ignore entry for a walked path, if a glob matches it.
fn ignored_entry(
    ignore: Option<&PathGlobs>,
    roots: &[(PathBuf, PathBuf)],
    path: &Path,
) -> Option<SkippedEntry> {
    let pattern = ignore?.first_match(&relative_to_root(roots, path))?;
    Some(SkippedEntry {
        path: path.to_path_buf(),
        reason: format!("ignored by the policy (`{pattern}`)"),
    })
}

/// Reads one walked path; a path given as a PATH itself is opened as an archive whatever its
/// name.
fn read_found(
    roots: &[(PathBuf, PathBuf)],
    path: &Path,
    what: Found,
    limits: Limits,
) -> Option<Outcome> {
    let named = roots.iter().any(|(given, _)| given == path);
    read_guarded(path, what, named, limits)
}

/// The readers' outcomes, in walk order, sorted into object files and artifacts.
fn walked(
    inventory: Inventory,
    done: impl IntoIterator<Item = (PathBuf, Outcome)>,
    ignored: Vec<SkippedEntry>,
    not_binaries: usize,
) -> Walked {
    let mut read = Vec::new();
    let mut artifacts = Vec::new();
    for (path, outcome) in done {
        match outcome {
            Outcome::Binary(result) => read.push((path, result)),
            Outcome::Artifact(opened) => artifacts.push((path, opened)),
        }
    }
    Walked {
        inventory,
        read,
        ignored,
        not_binaries,
        artifacts,
    }
}

/// [`read_one`], with a panic in a reader (a parser bug on hostile bytes) turned into that
/// file's error: the thread and everything it already read go on.
fn read_guarded(path: &Path, what: Found, named: bool, limits: Limits) -> Option<Outcome> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_one(path, what, named, limits)
    }))
    .unwrap_or_else(|_| {
        Some(Outcome::Binary(Err(ReadError::Malformed {
            format: "file",
            reason: "the reader failed on this input (an internal error: please report it with the file)".into(),
        })))
    })
}

/// Reads one path the walk found: an object file, an archive or image, or nothing to keep.
fn read_one(path: &Path, what: Found, named: bool, limits: Limits) -> Option<Outcome> {
    // Only archives and images need a label, and most files are neither.
    let label = || path.display().to_string();
    match what {
        Found::ImageLayout => Some(Outcome::Artifact(artifact::open_oci_layout(
            path,
            &label(),
            limits,
        ))),
        Found::File => {
            let mut archive = false;
            match binary::read_path_or_head(path, &mut |head| {
                archive = artifact::worth_opening(head, path, named);
            }) {
                Ok(Sniffed::NotBinary) if archive => Some(Outcome::Artifact(artifact::open_file(
                    path,
                    &label(),
                    limits,
                    named,
                ))),
                Ok(Sniffed::NotBinary) => None,
                Ok(Sniffed::Binary(binary)) => Some(Outcome::Binary(Ok(binary))),
                Err(error) => Some(Outcome::Binary(Err(error))),
            }
        }
    }
}

/// A walked path relative to the PATH it was found under (the file name when PATH is the
/// file itself), for matching policy globs.
fn relative_to_root(roots: &[(PathBuf, PathBuf)], path: &Path) -> PathBuf {
    for (given, _) in roots {
        if let Ok(rest) = path.strip_prefix(given)
            && !rest.as_os_str().is_empty()
        {
            return rest.to_path_buf();
        }
    }
    path.file_name()
        .map_or_else(|| path.to_path_buf(), PathBuf::from)
}

fn classify(inventory: &mut Inventory, path: &Path, file_type: std::fs::FileType) {
    use std::os::unix::fs::FileTypeExt;
    let special = if file_type.is_fifo() {
        Some("FIFO")
    } else if file_type.is_socket() {
        Some("socket")
    } else if file_type.is_block_device() {
        Some("block device")
    } else if file_type.is_char_device() {
        Some("character device")
    } else {
        None
    };
    if file_type.is_symlink() {
        inventory.symlinks.push(path.to_path_buf());
        inventory.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: SkipReason::Symlink,
        });
    } else if let Some(kind) = special {
        inventory.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: SkipReason::Special(kind),
        });
    }
}
