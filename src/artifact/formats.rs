//! The archive formats, each read once as a stream into [`Members`]: tar (any compression),
//! zip (wheels, NuGet packages), `ar` (Debian packages: `data.tar.*`), RPM (its cpio payload)
//! and Alpine packages (concatenated gzip streams of one tar). Images are recognised here and
//! read by `image.rs`.

use super::members::{self, Keep, Layer, Members, Whiteout};
use super::{
    Artifact, ArtifactError, Bytes, Compression, Container, Failed, FetchPart, HEAD_BYTES, Kind,
    Limits, Meter, Opened, Shared, image, malformed, sniff,
};
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Where an artifact's bytes come from: a file on disk, or a member already in memory.
pub enum Input {
    File(std::fs::File),
    Bytes(Bytes),
}

/// A member set aside while a tar is read: an archive inside it, or a part of an image.
#[derive(Debug, Clone)]
pub enum Part {
    /// At this offset of a seekable input, this many bytes.
    At {
        offset: u64,
        size: u64,
    },
    Bytes(Bytes),
}

/// Reads `input` as the artifact `label`, adding its trees (and those of archives inside it,
/// `depth` levels down so far) to `opened`.
pub fn open(
    input: Input,
    label: &str,
    inside: Option<&str>,
    limits: Limits,
    depth: u8,
    named: bool,
    opened: &mut Opened,
) {
    let meter = Meter::new(limits);
    let mut nested = Vec::new();
    match read_artifact(input, &meter, &mut nested, named) {
        Ok(Some((kind, trees))) => {
            for (suffix, members, platform) in trees {
                if !named && !members.has_objects() {
                    continue;
                }
                opened.artifacts.push(Artifact {
                    label: format!("{label}{suffix}"),
                    kind,
                    inside: inside.map(str::to_string),
                    members,
                    platform,
                });
            }
        }
        Ok(None) => return,
        Err(error) => {
            opened.failed.push(Failed {
                label: label.to_string(),
                error,
            });
            return;
        }
    }
    if depth < limits.max_depth {
        for (path, bytes) in nested {
            let inner = super::member_label(label, &path);
            open(
                Input::Bytes(bytes),
                &inner,
                Some(label),
                limits,
                depth + 1,
                false,
                opened,
            );
        }
    }
}

/// One tree: a label suffix (`:tag` for one image of several), its members, its platform.
type Tree = (String, Members, Option<super::Platform>);

/// What one artifact held: its kind and trees, or `None` when it is not an archive after all
/// (a gzip file that is not a tarball).
fn read_artifact(
    input: Input,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
    named: bool,
) -> Result<Option<(Kind, Vec<Tree>)>, ArtifactError> {
    let mut input = input;
    let head = read_head(&mut input)?;
    let Some(container) = sniff(&head) else {
        return Ok(None);
    };
    match container {
        Container::Tar => {
            let (tar, kind) = match input {
                Input::File(file) => read_seekable_tar(file, meter, nested)?,
                Input::Bytes(bytes) => {
                    read_seekable_tar(Cursor::new(Shared(bytes)), meter, nested)?
                }
            };
            Ok(Some((kind, tar)))
        }
        Container::Compressed(compression) => {
            let mut stream = meter.decompressed(compression, into_reader(input))?;
            // Only the first block is decompressed to tell a tarball from a compressed man
            // page; a stream that fails this early is not an archive we read.
            let mut inner_head = Vec::with_capacity(HEAD_BYTES);
            let read = (&mut stream)
                .take(HEAD_BYTES as u64)
                .read_to_end(&mut inner_head);
            match read {
                // A file the user named is reported whatever is wrong with it.
                Err(error) if named => return Err(error.into()),
                Ok(_) if named && sniff(&inner_head) != Some(Container::Tar) => {
                    return Err(malformed(
                        "archive",
                        "a compressed stream that holds no tar archive",
                    ));
                }
                Ok(_) if sniff(&inner_head) == Some(Container::Tar) => {}
                _ => return Ok(None),
            }
            let stream = std::io::BufReader::with_capacity(
                STREAM_BUFFER,
                Cursor::new(inner_head).chain(stream),
            );
            let mut tar = tar::Archive::new(stream);
            let read = read_tar(tar.entries()?, meter, TarMode::Stream)?;
            if let Some(image) = image::from_parts(&read.parts, None, meter)? {
                return Ok(Some(image));
            }
            let kind = if read.saw_apk_metadata {
                Kind::Apk
            } else {
                Kind::Tar(compression)
            };
            let members = settle_parts(read, &mut in_memory, meter, nested)?;
            Ok(Some((kind, vec![(String::new(), members, None)])))
        }
        Container::Zip => match input {
            Input::File(file) => read_zip(file, meter, nested, named),
            Input::Bytes(bytes) => read_zip(Cursor::new(Shared(bytes)), meter, nested, named),
        },
        Container::Ar => read_deb(into_reader(input), meter, nested),
        Container::Rpm => {
            let members = read_rpm(into_reader(input), meter, nested)?;
            Ok(Some((Kind::Rpm, vec![(String::new(), members, None)])))
        }
    }
}

/// Bytes read ahead from compressed input and from decompressed streams.
const STREAM_BUFFER: usize = 64 << 10;

fn into_reader(input: Input) -> Box<dyn Read> {
    match input {
        Input::File(file) => Box::new(std::io::BufReader::with_capacity(STREAM_BUFFER, file)),
        Input::Bytes(bytes) => Box::new(Cursor::new(Shared(bytes))),
    }
}

/// The first bytes of the input, leaving it where it was.
fn read_head(input: &mut Input) -> Result<Vec<u8>, ArtifactError> {
    match input {
        Input::File(file) => {
            let mut head = Vec::with_capacity(HEAD_BYTES);
            file.by_ref()
                .take(HEAD_BYTES as u64)
                .read_to_end(&mut head)?;
            file.seek(SeekFrom::Start(0))?;
            Ok(head)
        }
        Input::Bytes(bytes) => Ok(bytes[..bytes.len().min(HEAD_BYTES)].to_vec()),
    }
}

/// The first bytes of a buffered stream, without consuming them.
fn peek(stream: &mut impl std::io::BufRead) -> Result<Vec<u8>, ArtifactError> {
    let buffer = stream.fill_buf()?;
    Ok(buffer[..buffer.len().min(HEAD_BYTES)].to_vec())
}

/// Reads up to [`HEAD_BYTES`] of a member.
fn member_head(reader: &mut dyn Read, size: u64) -> Result<Vec<u8>, ArtifactError> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    reader
        .take(size.min(HEAD_BYTES as u64))
        .read_to_end(&mut head)?;
    Ok(head)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TarMode {
    /// A seekable tar: image parts and nested archives are noted by offset, read later.
    Seekable,
    /// A stream: what is set aside is read into memory.
    Stream,
    /// An image layer: whiteouts are collected, archives inside are not opened.
    Layer,
}

/// What a pass over a tar found.
#[derive(Debug, Default)]
pub(super) struct TarRead {
    pub members: Members,
    /// Members set aside: archives inside, and what could be parts of an image.
    pub parts: HashMap<PathBuf, Part>,
    whiteouts: Vec<PathBuf>,
    opaque_dirs: Vec<PathBuf>,
    removed: Vec<PathBuf>,
    saw_apk_metadata: bool,
}

impl TarRead {
    pub(super) fn into_layer(self) -> Layer {
        Layer {
            members: self.members,
            whiteouts: self.whiteouts,
            opaque_dirs: self.opaque_dirs,
            removed: self.removed,
        }
    }
}

/// Whether a member could be part of an OCI layout or a `docker save` tarball.
fn could_be_image_part(path: &Path) -> bool {
    let parts: Vec<_> = path.iter().skip(1).collect();
    match parts.as_slice() {
        [name] => {
            let name = name.to_string_lossy();
            name == "oci-layout"
                || name == "index.json"
                || name == "manifest.json"
                || name == "repositories"
                || name.ends_with(".json")
                || name.ends_with(".tar")
        }
        [_, name] => name.to_string_lossy() == "layer.tar" || name.to_string_lossy() == "json",
        [blobs, _, _] => blobs.to_string_lossy() == "blobs",
        _ => false,
    }
}

/// One pass over a tar's members.
fn read_tar<R: Read>(
    entries: tar::Entries<'_, R>,
    meter: &Meter,
    mode: TarMode,
) -> Result<TarRead, ArtifactError> {
    let mut read = TarRead::default();
    for entry in entries {
        meter.member()?;
        let mut entry = entry?;
        let raw = entry.path()?.into_owned();
        let path = members::contained(&raw);
        if path == Path::new("/") {
            continue;
        }
        if mode == TarMode::Layer
            && let Some(whiteout) = members::whiteout(&path)
        {
            match whiteout {
                Whiteout::Opaque(dir) => read.opaque_dirs.push(dir),
                Whiteout::Delete(path) => read.whiteouts.push(path),
            }
            continue;
        }
        if path.file_name().is_some_and(|n| n == ".PKGINFO")
            && path.parent() == Some(Path::new("/"))
        {
            read.saw_apk_metadata = true;
        }
        let kind = entry.header().entry_type();
        let size = entry.size();
        match kind {
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name()?
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                read.members.add_symlink(path, target);
            }
            tar::EntryType::Link => {
                let target = entry.link_name()?.map(|t| members::contained(&t));
                match target {
                    Some(target) => read.members.add_hardlink(path, &target),
                    None => read.members.replace_with_nothing(&path),
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                if mode != TarMode::Layer && could_be_image_part(&path) {
                    let part = match mode {
                        TarMode::Seekable => Part::At {
                            offset: entry.raw_file_position(),
                            size,
                        },
                        _ => Part::Bytes(meter.keep_whole(&[], &mut entry, size)?),
                    };
                    read.parts.insert(path, part);
                    continue;
                }
                let head = member_head(&mut entry, size)?;
                let keep = match Members::keep(&path, &head, size) {
                    Keep::Nested if mode == TarMode::Layer => Keep::Drop,
                    keep => keep,
                };
                if keep == Keep::Nested && mode == TarMode::Seekable {
                    let offset = entry.raw_file_position();
                    read.parts.insert(path, Part::At { offset, size });
                    continue;
                }
                if keep == Keep::Drop && mode == TarMode::Layer {
                    read.removed.push(path.clone());
                }
                if let Some(bytes) =
                    read.members
                        .add_file(path.clone(), keep, &head, &mut entry, size, meter)?
                {
                    read.parts.insert(path, Part::Bytes(bytes));
                }
            }
            _ => {
                if mode == TarMode::Layer {
                    read.removed.push(path.clone());
                }
                read.members.replace_with_nothing(&path);
            }
        }
    }
    Ok(read)
}

/// A plain tar on disk or in memory: one pass that notes image parts and nested archives by
/// offset; an image is then read from its parts, else the nested archives are read.
fn read_seekable_tar<R: Read + Seek>(
    mut source: R,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
) -> Result<(Vec<Tree>, Kind), ArtifactError> {
    let read = {
        let mut archive = tar::Archive::new(&mut source);
        let entries = archive.entries_with_seek()?;
        read_tar(entries, meter, TarMode::Seekable)?
    };
    if let Some((kind, trees)) = image::from_parts(&read.parts, Some(&mut source), meter)? {
        return Ok((trees, kind));
    }
    let mut fetch = |part: &Part| -> Result<Bytes, ArtifactError> {
        match part {
            Part::Bytes(bytes) => Ok(bytes.clone()),
            Part::At { offset, size } => {
                source.seek(SeekFrom::Start(*offset))?;
                meter.keep_whole(&[], &mut (&mut source).take(*size), *size)
            }
        }
    };
    let members = settle_parts(read, &mut fetch, meter, nested)?;
    Ok((
        vec![(String::new(), members, None)],
        Kind::Tar(Compression::None),
    ))
}

/// The only way to fetch a part of a stream: it was read into memory when it went by.
fn in_memory(part: &Part) -> Result<Bytes, ArtifactError> {
    match part {
        Part::Bytes(bytes) => Ok(bytes.clone()),
        Part::At { .. } => Err(malformed("tar", "a stream cannot seek back")),
    }
}

/// Not an image after all: the members set aside are ordinary members (and the archives
/// among them are opened next).
fn settle_parts(
    read: TarRead,
    fetch: &mut FetchPart<'_>,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
) -> Result<Members, ArtifactError> {
    let mut members = read.members;
    let mut set_aside: Vec<(PathBuf, Part)> = read.parts.into_iter().collect();
    set_aside.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, part) in set_aside {
        let bytes = fetch(&part)?;
        let head = &bytes[..bytes.len().min(HEAD_BYTES)];
        let keep = Members::keep(&path, head, bytes.len() as u64);
        let size = bytes.len() as u64;
        if let Some(bytes) = members.add_file(
            path.clone(),
            keep,
            &bytes,
            &mut std::io::empty(),
            size,
            meter,
        )? {
            nested.push((path, bytes));
        }
    }
    Ok(members)
}

/// Reads a layer (a tar stream whose first bytes say how it is compressed) with its
/// whiteouts, as a stream: a layer is never held whole.
pub(super) fn read_layer(
    layer: Box<dyn Read + '_>,
    meter: &Meter,
) -> Result<TarRead, ArtifactError> {
    let mut layer = std::io::BufReader::with_capacity(STREAM_BUFFER, layer);
    let head = peek(&mut layer)?;
    let compression = match sniff(&head) {
        Some(Container::Compressed(compression)) => compression,
        Some(Container::Tar) => Compression::None,
        _ if head.is_empty() => return Ok(TarRead::default()),
        _ => return Err(malformed("image layer", "not a tar stream")),
    };
    let stream = meter.decompressed(compression, Box::new(layer))?;
    let mut tar = tar::Archive::new(stream);
    read_tar(tar.entries()?, meter, TarMode::Layer)
}

/// A zip file: a wheel (`*.dist-info/WHEEL`), a NuGet package (`*.nuspec`) or any zip.
fn read_zip<R: Read + Seek>(
    source: R,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
    named: bool,
) -> Result<Option<(Kind, Vec<Tree>)>, ArtifactError> {
    let mut zip = match zip::ZipArchive::new(source) {
        Ok(zip) => zip,
        Err(_) if !named => return Ok(None),
        Err(error) => return Err(malformed("zip", error)),
    };
    // The central directory names the members without decompressing anything: a wheel has
    // `*.dist-info/WHEEL`, a NuGet package a `*.nuspec` at its top.
    let package = |wanted: Kind| {
        zip.file_names().any(|name| {
            let parts: Vec<&str> = name.trim_start_matches("./").split('/').collect();
            match wanted {
                Kind::Wheel => {
                    matches!(parts.as_slice(), [dir, "WHEEL"] if dir.ends_with(".dist-info"))
                }
                _ => matches!(parts.as_slice(), [file] if file.ends_with(".nuspec")),
            }
        })
    };
    let kind = if package(Kind::Wheel) {
        Kind::Wheel
    } else if package(Kind::Nupkg) {
        Kind::Nupkg
    } else if named {
        Kind::Zip
    } else {
        return Ok(None);
    };
    let mut members = Members::default();
    for index in 0..zip.len() {
        meter.member()?;
        let mut file = zip.by_index(index).map_err(|e| malformed("zip", e))?;
        let raw = PathBuf::from(OsStr::from_bytes(file.name_raw()));
        let path = members::contained(&raw);
        if file.is_dir() || path == Path::new("/") {
            continue;
        }
        let size = file.size();
        let compressed = file.compressed_size();
        let symlink = file.is_symlink();
        let mut stream = meter.member_stream(&mut file, compressed);
        if symlink {
            let mut target = Vec::new();
            (&mut stream).take(4096).read_to_end(&mut target)?;
            members.add_symlink(path, PathBuf::from(OsString::from_vec(target)));
            continue;
        }
        let head = member_head(&mut stream, size)?;
        let keep = Members::keep(&path, &head, size);
        if let Some(bytes) =
            members.add_file(path.clone(), keep, &head, &mut stream, size, meter)?
        {
            nested.push((path, bytes));
        }
    }
    Ok(Some((kind, vec![(String::new(), members, None)])))
}

/// A Debian package: an `ar` archive whose `data.tar.*` member is the tree it installs.
/// dpkg writes only plain members (`debian-binary`, `control.tar.*`, `data.tar.*`; dpkg's
/// `lib/dpkg/ar.c`), so the reader takes the 60-byte headers one by one and never allocates
/// from a header field: GNU and BSD name tables (`//`, `#1/<n>`) are not package members.
fn read_deb(
    mut source: Box<dyn Read>,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
) -> Result<Option<(Kind, Vec<Tree>)>, ArtifactError> {
    let mut magic = [0u8; 8];
    source.read_exact(&mut magic)?;
    let mut is_deb = false;
    loop {
        let mut header = [0u8; 60];
        match source.read(&mut header[..1])? {
            0 => break,
            _ => source.read_exact(&mut header[1..])?,
        }
        meter.member()?;
        if &header[58..60] != b"`\n" {
            return Err(malformed("ar", "member header without its end marker"));
        }
        let name = String::from_utf8_lossy(&header[..16])
            .trim_end()
            .trim_end_matches('/')
            .to_string();
        let size: u64 = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .ok_or_else(|| malformed("ar", "member size is not a number"))?;
        if name == "debian-binary" {
            is_deb = true;
        } else if !is_deb {
            // A static library (`libfoo.a`) or another ar archive: not a package.
            return Ok(None);
        } else if name.starts_with("data.tar") {
            let member = (&mut source).take(size);
            let mut buffered = std::io::BufReader::new(member);
            let head = peek(&mut buffered)?;
            let compression = match sniff(&head) {
                Some(Container::Compressed(compression)) => compression,
                Some(Container::Tar) => Compression::None,
                _ => return Err(malformed("deb", format!("{name} is not a tar stream"))),
            };
            let stream = meter.decompressed(compression, Box::new(buffered))?;
            let mut tar = tar::Archive::new(stream);
            let read = read_tar(tar.entries()?, meter, TarMode::Stream)?;
            // Image-shaped names are ordinary files in a package.
            let members = settle_parts(read, &mut in_memory, meter, nested)?;
            return Ok(Some((Kind::Deb, vec![(String::new(), members, None)])));
        }
        skip(&mut source, size + size % 2)?;
    }
    if is_deb {
        Err(malformed("deb", "no data.tar member"))
    } else {
        Ok(None)
    }
}

/// RPM: a 96-byte lead, the signature header (padded to 8 bytes), the main header, then the
/// payload: a cpio archive ("newc"), compressed as the header's PAYLOADCOMPRESSOR says (read
/// here from the stream's own magic). rpm's `lib/package.c`, `rpmReadPackageFile`.
fn read_rpm(
    mut source: Box<dyn Read>,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
) -> Result<Members, ArtifactError> {
    let mut lead = [0u8; 96];
    source.read_exact(&mut lead)?;
    for padded in [true, false] {
        let mut intro = [0u8; 16];
        source.read_exact(&mut intro)?;
        if intro[..3] != [0x8e, 0xad, 0xe8] {
            return Err(malformed("rpm", "header magic missing"));
        }
        let count = u64::from(u32::from_be_bytes([
            intro[8], intro[9], intro[10], intro[11],
        ]));
        let data = u64::from(u32::from_be_bytes([
            intro[12], intro[13], intro[14], intro[15],
        ]));
        let mut length = count
            .checked_mul(16)
            .and_then(|l| l.checked_add(data))
            .filter(|l| *l < 256 << 20)
            .ok_or_else(|| malformed("rpm", "header larger than 256 MiB"))?;
        if padded {
            length += (8 - (length % 8)) % 8;
        }
        std::io::copy(&mut (&mut source).take(length), &mut std::io::sink())?;
    }
    let mut payload = std::io::BufReader::new(source);
    let head = peek(&mut payload)?;
    let compression = match sniff(&head) {
        Some(Container::Compressed(compression)) => compression,
        _ => Compression::None,
    };
    let stream = meter.decompressed(compression, Box::new(payload))?;
    read_cpio(stream, meter, nested)
}

/// A cpio "newc" archive (`070701`/`070702`): a 110-byte ASCII header, the name, the data,
/// each padded to 4 bytes; hardlinked names share an inode and only the last carries data.
fn read_cpio(
    mut stream: Box<dyn Read + '_>,
    meter: &Meter,
    nested: &mut Vec<(PathBuf, Bytes)>,
) -> Result<Members, ArtifactError> {
    let mut members = Members::default();
    let mut links: HashMap<u64, Vec<PathBuf>> = HashMap::new();
    loop {
        let mut header = [0u8; 110];
        stream.read_exact(&mut header)?;
        if &header[..5] != b"07070" {
            return Err(malformed("cpio", "header magic missing"));
        }
        let field = |index: usize| -> Result<u64, ArtifactError> {
            let text = std::str::from_utf8(&header[6 + index * 8..14 + index * 8])
                .map_err(|_| malformed("cpio", "header field is not hex"))?;
            u64::from_str_radix(text, 16).map_err(|_| malformed("cpio", "header field is not hex"))
        };
        let (inode, mode, nlink, size, name_size) =
            (field(0)?, field(1)?, field(4)?, field(6)?, field(11)?);
        if name_size > 4096 {
            return Err(malformed("cpio", "member name longer than 4096 bytes"));
        }
        let mut name = vec![0u8; name_size as usize];
        stream.read_exact(&mut name)?;
        skip(&mut stream, (4 - ((110 + name_size) % 4)) % 4)?;
        if name.last() == Some(&0) {
            name.pop();
        }
        if name == b"TRAILER!!!" {
            break;
        }
        meter.member()?;
        let path = members::contained(Path::new(OsStr::from_bytes(&name)));
        let padding = (4 - (size % 4)) % 4;
        let mut data = (&mut stream).take(size);
        match mode & 0o170000 {
            0o120000 => {
                let mut target = Vec::new();
                (&mut data).take(4096).read_to_end(&mut target)?;
                members.add_symlink(path, PathBuf::from(OsString::from_vec(target)));
            }
            0o100000 if nlink > 1 && size == 0 => {
                links.entry(inode).or_default().push(path);
            }
            0o100000 => {
                let head = member_head(&mut data, size)?;
                let keep = Members::keep(&path, &head, size);
                if let Some(bytes) =
                    members.add_file(path.clone(), keep, &head, &mut data, size, meter)?
                {
                    nested.push((path.clone(), bytes));
                }
                for other in links.remove(&inode).unwrap_or_default() {
                    members.add_hardlink(other, &path);
                }
            }
            _ => members.replace_with_nothing(&path),
        }
        std::io::copy(&mut data, &mut std::io::sink())?;
        skip(&mut stream, padding)?;
    }
    Ok(members)
}

fn skip(stream: &mut dyn Read, count: u64) -> Result<(), ArtifactError> {
    let copied = std::io::copy(&mut stream.take(count), &mut std::io::sink())?;
    if copied < count {
        return Err(ArtifactError::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(())
}
