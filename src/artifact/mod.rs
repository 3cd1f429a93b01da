//! Artifacts as shipped: tarballs (plain, gzip, xz, zstd, bzip2), zip files (wheels, NuGet
//! packages), Debian packages, RPM packages, Alpine packages and container images (OCI image
//! layouts, OCI archives, `docker save` tarballs), read as streams into trees held in memory.
//! Nothing is extracted to disk and no member is ever run.
//!
//! Every read is bounded ([`Limits`]): the bytes decompressed, the ratio of decompressed to
//! compressed bytes, the number of members and the nesting depth. Crossing a limit stops that
//! artifact and says which limit it crossed; the other inputs are still checked.

mod formats;
mod image;
pub mod members;

pub use members::{Member, Members, ObjectData};

/// Bytes read from an artifact and shared (an `Arc` of the very `Vec` that was read, so that
/// no member is ever copied whole).
pub type Bytes = Arc<Vec<u8>>;

/// [`Bytes`] as a `Cursor`'s buffer.
pub(crate) struct Shared(pub Bytes);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

use std::cell::Cell;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// How an artifact was recognised (by content, never by name alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tar(Compression),
    Zip,
    Wheel,
    Nupkg,
    Deb,
    Rpm,
    Apk,
    OciLayout,
    OciArchive,
    DockerArchive,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Tar(Compression::None) => "tar",
            Kind::Tar(Compression::Gzip) => "tar+gzip",
            Kind::Tar(Compression::Xz) => "tar+xz",
            Kind::Tar(Compression::Zstd) => "tar+zstd",
            Kind::Tar(Compression::Bzip2) => "tar+bzip2",
            Kind::Zip => "zip",
            Kind::Wheel => "wheel",
            Kind::Nupkg => "nupkg",
            Kind::Deb => "deb",
            Kind::Rpm => "rpm",
            Kind::Apk => "apk",
            Kind::OciLayout => "oci-layout",
            Kind::OciArchive => "oci-archive",
            Kind::DockerArchive => "docker-archive",
        }
    }

    /// A container image: its tree is a root filesystem.
    pub fn is_image(&self) -> bool {
        matches!(
            self,
            Kind::OciLayout | Kind::OciArchive | Kind::DockerArchive
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

/// What the first bytes of a file say it is, before looking further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Compressed(Compression),
    Tar,
    Zip,
    Ar,
    Rpm,
}

/// Bytes of a member or file read to recognise it (a tar header is 512 bytes).
pub const HEAD_BYTES: usize = 512;

/// Recognises an archive from its first bytes (up to [`HEAD_BYTES`]).
pub fn sniff(head: &[u8]) -> Option<Container> {
    match head {
        [0x1f, 0x8b, ..] => Some(Container::Compressed(Compression::Gzip)),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(Container::Compressed(Compression::Xz)),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Container::Compressed(Compression::Zstd)),
        [b'B', b'Z', b'h', b'1'..=b'9', 0x31, 0x41, 0x59, 0x26, ..] => {
            Some(Container::Compressed(Compression::Bzip2))
        }
        [b'P', b'K', 0x03, 0x04, ..] | [b'P', b'K', 0x05, 0x06, ..] => Some(Container::Zip),
        [b'!', b'<', b'a', b'r', b'c', b'h', b'>', b'\n', ..] => Some(Container::Ar),
        [0xed, 0xab, 0xee, 0xdb, ..] => Some(Container::Rpm),
        _ if head.len() > 262 && &head[257..262] == b"ustar" => Some(Container::Tar),
        _ => None,
    }
}

/// Whether a file whose first bytes are `head` is opened as an artifact. A PATH the user named
/// is, whenever its content is an archive. Inside a walked tree the name must agree too where
/// the content alone would cost a lot to tell: a compressed file is probed (its first block
/// decompressed) only when named as a tarball or package (`.tar.*`, `.tgz`, `.apk` …: the
/// 26,000 gzipped man pages of a `/usr` would otherwise each be decompressed), and a zip file is
/// opened only as a wheel or NuGet package (`.whl`, `.nupkg`: pip and NuGet require those names;
/// the central directories of a tree's Java `.jar` files would otherwise double the cost of
/// `/usr/lib`). Tar, ar and rpm files are told by their magic alone.
pub fn worth_opening(head: &[u8], path: &Path, named: bool) -> bool {
    let name = || {
        path.file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    match sniff(head) {
        None => false,
        Some(_) if named => true,
        Some(Container::Compressed(_)) => {
            let name = name();
            name.contains(".tar")
                || [".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".apk", ".crate"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        }
        Some(Container::Zip) => {
            let name = name();
            name.ends_with(".whl") || name.ends_with(".nupkg")
        }
        Some(_) => true,
    }
}

/// Bounds on reading one artifact, whatever its bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes decompressed from one artifact, all members and layers together.
    pub max_bytes: u64,
    /// Bytes kept in memory from one artifact (object files and small configuration files).
    pub max_kept: u64,
    /// Decompressed bytes per compressed byte of one stream (a gzip bomb reaches 1,000:1).
    pub max_ratio: u64,
    /// Members of one artifact, all layers together.
    pub max_members: u64,
    /// Archives inside archives opened below a checked path (1: a `.deb` in a tarball).
    pub max_depth: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 30,
            max_kept: 2 << 30,
            max_ratio: 500,
            max_members: 2_000_000,
            max_depth: 2,
        }
    }
}

/// Why an artifact could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("{0}")]
    Limit(LimitHit),
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    #[error("malformed {format}: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
}

/// A limit an artifact crossed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitHit {
    #[error(
        "decompresses to more than {limit} bytes (the limit; raise it with --max-archive-bytes)"
    )]
    Bytes { limit: u64 },
    #[error(
        "keeps more than {limit} bytes of object files in memory (the limit; raise it with --max-archive-bytes)"
    )]
    Kept { limit: u64 },
    #[error(
        "a compressed stream expands more than {limit}:1 ({decompressed} bytes from {compressed}): a decompression bomb (raise the limit with --max-archive-ratio)"
    )]
    Ratio {
        limit: u64,
        compressed: u64,
        decompressed: u64,
    },
    #[error("has more than {limit} members (the limit)")]
    Members { limit: u64 },
}

impl From<std::io::Error> for ArtifactError {
    fn from(error: std::io::Error) -> Self {
        match error.get_ref().and_then(|e| e.downcast_ref::<LimitHit>()) {
            Some(hit) => ArtifactError::Limit(hit.clone()),
            None => ArtifactError::Io(error),
        }
    }
}

fn malformed(format: &'static str, reason: impl ToString) -> ArtifactError {
    ArtifactError::Malformed {
        format,
        reason: reason.to_string(),
    }
}

/// Counts what one artifact costs against its [`Limits`]. Decompressed streams read through
/// [`Meter::decompressed`], which fails the read that crosses a limit.
#[derive(Debug, Clone)]
pub struct Meter {
    limits: Limits,
    read: Rc<Cell<u64>>,
    kept: Rc<Cell<u64>>,
    members: Rc<Cell<u64>>,
}

impl Meter {
    pub fn new(limits: Limits) -> Self {
        Meter {
            limits,
            read: Rc::default(),
            kept: Rc::default(),
            members: Rc::default(),
        }
    }

    /// Counts one member.
    pub fn member(&self) -> Result<(), ArtifactError> {
        let count = self.members.get() + 1;
        self.members.set(count);
        if count > self.limits.max_members {
            return Err(ArtifactError::Limit(LimitHit::Members {
                limit: self.limits.max_members,
            }));
        }
        Ok(())
    }

    /// `compressed` decompressed by `decode`, counted against the byte and ratio limits.
    pub fn decompressed<'a>(
        &self,
        compression: Compression,
        compressed: Box<dyn Read + 'a>,
    ) -> Result<Box<dyn Read + 'a>, ArtifactError> {
        let consumed = Rc::new(Cell::new(0u64));
        let counted = Counted {
            inner: compressed,
            count: consumed.clone(),
        };
        let decoder: Box<dyn Read + 'a> = match compression {
            Compression::None => Box::new(counted),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(counted)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(counted)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(counted)?),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(counted)),
        };
        Ok(Box::new(Metered {
            inner: decoder,
            meter: self.clone(),
            consumed: (compression != Compression::None).then_some(consumed),
            produced: 0,
        }))
    }

    /// A member's decompressed bytes, counted against the byte limit and, with the
    /// member's stored size, the ratio limit (zip members are deflated one by one).
    pub fn member_stream<'a>(&self, member: &'a mut dyn Read, compressed: u64) -> Metered<'a> {
        Metered {
            inner: Box::new(member),
            meter: self.clone(),
            consumed: Some(Rc::new(Cell::new(compressed))),
            produced: 0,
        }
    }

    /// Reads a whole member of `size` declared bytes (its first bytes already in `head`) into
    /// memory, counted against the kept limit.
    pub fn keep_whole(
        &self,
        head: &[u8],
        rest: &mut dyn Read,
        size: u64,
    ) -> Result<Bytes, ArtifactError> {
        let kept = self.kept.get().saturating_add(size);
        if kept > self.limits.max_kept {
            return Err(ArtifactError::Limit(LimitHit::Kept {
                limit: self.limits.max_kept,
            }));
        }
        let mut bytes = Vec::with_capacity(size.min(64 << 20) as usize);
        bytes.extend_from_slice(head);
        rest.take(size.saturating_sub(head.len() as u64))
            .read_to_end(&mut bytes)?;
        self.kept.set(self.kept.get() + bytes.len() as u64);
        Ok(Arc::new(bytes))
    }

    /// Bytes read by [`Meter::keep_whole`] and then let go (an object file once its symbols
    /// are read).
    pub fn release(&self, bytes: usize) {
        self.kept.set(self.kept.get().saturating_sub(bytes as u64));
    }
}

struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Slack before the ratio limit applies: headers and tiny streams compress absurdly well.
const RATIO_SLACK: u64 = 1 << 20;

pub struct Metered<'a> {
    inner: Box<dyn Read + 'a>,
    meter: Meter,
    consumed: Option<Rc<Cell<u64>>>,
    produced: u64,
}

impl Read for Metered<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let total = self.meter.read.get() + n as u64;
        self.meter.read.set(total);
        let limits = self.meter.limits;
        if total > limits.max_bytes {
            return Err(std::io::Error::other(LimitHit::Bytes {
                limit: limits.max_bytes,
            }));
        }
        if let Some(consumed) = &self.consumed {
            let compressed = consumed.get().max(1);
            if self.produced > RATIO_SLACK && self.produced / compressed >= limits.max_ratio {
                return Err(std::io::Error::other(LimitHit::Ratio {
                    limit: limits.max_ratio,
                    compressed,
                    decompressed: self.produced,
                }));
            }
        }
        Ok(n)
    }
}

/// Reads a member set aside by a tar pass, into memory.
pub(crate) type FetchPart<'a> = dyn FnMut(&formats::Part) -> Result<Bytes, ArtifactError> + 'a;

/// A platform as an image config or index names it (`linux/arm/v7`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// One tree an artifact unpacked to.
#[derive(Debug)]
pub struct Artifact {
    /// How the tree is named in paths: `dist/app.whl`, `rel.tar.gz!/pkg.deb`, `img.tar:tag`.
    pub label: String,
    pub kind: Kind,
    /// The artifact this one was found in (`rel.tar.gz` for `rel.tar.gz!/pkg.deb`).
    pub inside: Option<String>,
    pub members: Members,
    /// An image's platform from its config (the default target of its files).
    pub platform: Option<Platform>,
}

/// An artifact that could not be read, by label.
#[derive(Debug)]
pub struct Failed {
    pub label: String,
    pub error: ArtifactError,
}

/// Everything one checked path held.
#[derive(Debug, Default)]
pub struct Opened {
    pub artifacts: Vec<Artifact>,
    pub failed: Vec<Failed>,
}

/// Opens the file at `path` (already recognised by [`sniff`]) as `label`, with the archives
/// inside it down to `limits.max_depth` levels below it. An artifact the user `named` is read
/// whatever it holds; one found in a checked tree (and any inside an artifact) is read only as
/// a package of native code (a plain zip such as a Java `.jar` is not) and kept only if it
/// holds object files.
pub fn open_file(path: &Path, label: &str, limits: Limits, named: bool) -> Opened {
    let mut opened = Opened::default();
    match std::fs::File::open(path) {
        Ok(file) => formats::open(
            formats::Input::File(file),
            label,
            None,
            limits,
            0,
            named,
            &mut opened,
        ),
        Err(error) => opened.failed.push(Failed {
            label: label.to_string(),
            error: ArtifactError::Io(error),
        }),
    }
    opened
}

/// Whether a directory is an OCI image layout (`oci-layout` and `index.json` at its top).
pub fn is_oci_layout(dir: &Path) -> bool {
    dir.join("oci-layout").is_file() && dir.join("index.json").is_file()
}

/// Opens an OCI image layout directory: one tree per image it holds.
pub fn open_oci_layout(dir: &Path, label: &str, limits: Limits) -> Opened {
    let mut opened = Opened::default();
    image::open_layout_dir(dir, label, limits, &mut opened);
    opened
}

/// Path of a member as shown: `label!/usr/lib/libz.so.1`.
pub fn member_label(label: &str, path: &Path) -> String {
    format!("{label}!{}", path.display())
}

/// Splits `label!/path` shown paths back (the last `!/` separates the member).
pub fn split_member(shown: &Path) -> Option<(&str, &Path)> {
    let text = shown.to_str()?;
    let at = text.rfind("!/")?;
    Some((&text[..at], Path::new(&text[at + 1..])))
}

/// The tree a Python wheel's `WHEEL` file is in (`*.dist-info/WHEEL`), with its `Tag:` lines.
pub fn wheel_tags(members: &Members) -> Vec<String> {
    let mut tags = Vec::new();
    let mut wheels: Vec<&PathBuf> = members
        .nodes
        .iter()
        .filter(|(path, member)| {
            matches!(member, Member::Text(_))
                && path.file_name().is_some_and(|n| n == "WHEEL")
                && path.parent().and_then(Path::parent) == Some(Path::new("/"))
        })
        .map(|(path, _)| path)
        .collect();
    wheels.sort();
    if let Some(Member::Text(bytes)) = wheels.first().and_then(|p| members.nodes.get(*p)) {
        for line in String::from_utf8_lossy(bytes).lines() {
            if let Some(tag) = line.strip_prefix("Tag:") {
                tags.push(tag.trim().to_string());
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_containers_by_content() {
        assert_eq!(
            sniff(&[0x1f, 0x8b, 8, 0]),
            Some(Container::Compressed(Compression::Gzip))
        );
        assert_eq!(sniff(b"!<arch>\ndebian-binary"), Some(Container::Ar));
        assert_eq!(sniff(b"PK\x03\x04"), Some(Container::Zip));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar), Some(Container::Tar));
        assert_eq!(sniff(b"\x7fELF"), None);
        assert_eq!(sniff(b"BZh9 not really"), None);
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_ratio_limit() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![0u8; 64 << 20]).unwrap();
        let bomb = encoder.finish().unwrap();
        let meter = Meter::new(Limits::default());
        let mut reader = meter
            .decompressed(Compression::Gzip, Box::new(&bomb[..]))
            .unwrap();
        let error = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_err();
        assert!(
            matches!(
                ArtifactError::from(error),
                ArtifactError::Limit(LimitHit::Ratio { .. })
            ),
            "64 MiB of zeros in {} bytes",
            bomb.len()
        );
    }

    #[test]
    fn member_paths_split_at_the_last_separator() {
        assert_eq!(
            split_member(Path::new("a.tar!/b.deb!/usr/lib/x")),
            Some(("a.tar!/b.deb", Path::new("/usr/lib/x")))
        );
        assert_eq!(split_member(Path::new("plain/path")), None);
    }
}
