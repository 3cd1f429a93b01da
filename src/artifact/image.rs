//! Container images without a daemon: an OCI image layout (a directory, or a tar of one: an
//! OCI archive) and a `docker save` tarball. Each image's layers are applied in order with
//! their whiteouts (OCI image spec, `layer.md`, "Whiteouts"), and its config's platform
//! (`os`/`architecture`/`variant`) becomes the default target of its files.

use super::formats::{Part, read_layer};
use super::members::Members;
use super::{ArtifactError, Bytes, Kind, Limits, Meter, Opened, Platform, malformed};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// One image: a label suffix (`:tag` when the artifact holds several), its tree, its platform.
type Tree = (String, Members, Option<Platform>);

/// Image indexes nested deeper than this are not followed.
const MAX_INDEX_DEPTH: usize = 4;

/// Bytes of an image's JSON document (index, manifest, config) read at most.
const MAX_JSON_BYTES: u64 = 64 << 20;

/// A seekable source.
pub(super) trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Where an image's files come from, by path inside the layout (`/blobs/sha256/…`).
trait Blobs {
    /// A whole JSON document.
    fn read(&mut self, path: &str) -> Result<Bytes, ArtifactError> {
        let mut bytes = Vec::new();
        self.stream(path)?
            .take(MAX_JSON_BYTES + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_JSON_BYTES {
            return Err(malformed(
                "image",
                format!("{path} is larger than {MAX_JSON_BYTES} bytes"),
            ));
        }
        Ok(std::sync::Arc::new(bytes))
    }
    /// A file as a stream (a layer is never held whole).
    fn stream(&mut self, path: &str) -> Result<Box<dyn Read + '_>, ArtifactError>;
}

/// The parts a pass over a tar set aside: by offset in a seekable source, or in memory.
struct TarParts<'a, 'b> {
    parts: &'a HashMap<PathBuf, Part>,
    source: Option<&'b mut dyn ReadSeek>,
}

impl Blobs for TarParts<'_, '_> {
    fn stream(&mut self, path: &str) -> Result<Box<dyn Read + '_>, ArtifactError> {
        match (self.parts.get(Path::new(path)), &mut self.source) {
            (Some(Part::Bytes(bytes)), _) => {
                Ok(Box::new(std::io::Cursor::new(super::Shared(bytes.clone()))))
            }
            (Some(Part::At { offset, size }), Some(source)) => {
                source.seek(SeekFrom::Start(*offset))?;
                Ok(Box::new((&mut **source).take(*size)))
            }
            (Some(Part::At { .. }), None) => Err(malformed("tar", "a stream cannot seek back")),
            (None, _) => Err(malformed("image", format!("{path} is missing"))),
        }
    }
}

/// An OCI image layout directory on disk.
struct LayoutDir<'a> {
    dir: &'a Path,
}

impl Blobs for LayoutDir<'_> {
    fn stream(&mut self, path: &str) -> Result<Box<dyn Read + '_>, ArtifactError> {
        let file = std::fs::File::open(self.dir.join(path.trim_start_matches('/')))?;
        Ok(Box::new(file))
    }
}

/// The image(s) of a tar's parts, or `None` when they are not an image.
pub(super) fn from_parts(
    parts: &HashMap<PathBuf, Part>,
    source: Option<&mut dyn ReadSeek>,
    meter: &Meter,
) -> Result<Option<(Kind, Vec<Tree>)>, ArtifactError> {
    let mut blobs = TarParts { parts, source };
    if parts.contains_key(Path::new("/oci-layout")) && parts.contains_key(Path::new("/index.json"))
    {
        let trees = oci_images(&mut blobs, meter)?;
        return Ok(Some((Kind::OciArchive, trees)));
    }
    if parts.contains_key(Path::new("/manifest.json")) {
        let trees = docker_images(&mut blobs, meter)?;
        return Ok(Some((Kind::DockerArchive, trees)));
    }
    Ok(None)
}

/// An OCI image layout directory on disk.
pub(super) fn open_layout_dir(dir: &Path, label: &str, limits: Limits, opened: &mut Opened) {
    let meter = Meter::new(limits);
    match oci_images(&mut LayoutDir { dir }, &meter) {
        Ok(trees) => {
            for (suffix, members, platform) in trees {
                opened.artifacts.push(super::Artifact {
                    label: format!("{label}{suffix}"),
                    kind: Kind::OciLayout,
                    inside: None,
                    members,
                    platform,
                });
            }
        }
        Err(error) => opened.failed.push(super::Failed {
            label: label.to_string(),
            error,
        }),
    }
}

fn json(bytes: &[u8], what: &str) -> Result<Value, ArtifactError> {
    serde_json::from_slice(bytes).map_err(|e| malformed("image", format!("{what}: {e}")))
}

/// `sha256:<hex>` as the blob's path in the layout; anything else is refused (a digest is
/// never a path to follow).
fn blob_path(digest: &str) -> Result<String, ArtifactError> {
    let (algorithm, hex) = digest
        .split_once(':')
        .ok_or_else(|| malformed("image", format!("digest {digest:?} has no algorithm")))?;
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !plain(algorithm) || !plain(hex) {
        return Err(malformed(
            "image",
            format!("digest {digest:?} is not a digest"),
        ));
    }
    Ok(format!("/blobs/{algorithm}/{hex}"))
}

/// A manifest found through `index.json`, with the platform the index gives it.
struct Found {
    digest: String,
    name: Option<String>,
    platform: Option<Platform>,
}

fn platform_of(value: &Value) -> Option<Platform> {
    Some(Platform {
        os: value.get("os")?.as_str()?.to_string(),
        architecture: value.get("architecture")?.as_str()?.to_string(),
        variant: value
            .get("variant")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn oci_images(blobs: &mut dyn Blobs, meter: &Meter) -> Result<Vec<Tree>, ArtifactError> {
    let index = json(&blobs.read("/index.json")?, "index.json")?;
    let mut found = Vec::new();
    collect_manifests(&index, None, blobs, 0, &mut found)?;
    if found.is_empty() {
        return Err(malformed("image", "index.json lists no image manifest"));
    }
    let several = found.len() > 1;
    let mut trees = Vec::new();
    for image in found {
        let manifest = json(&blobs.read(&blob_path(&image.digest)?)?, "image manifest")?;
        let config_digest = manifest
            .pointer("/config/digest")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("image", "manifest without a config digest"))?;
        let config = json(&blobs.read(&blob_path(config_digest)?)?, "image config")?;
        let layers: Vec<String> = manifest
            .get("layers")
            .and_then(Value::as_array)
            .map(|layers| {
                layers
                    .iter()
                    .filter_map(|l| l.get("digest")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut paths = Vec::with_capacity(layers.len());
        for digest in &layers {
            paths.push(blob_path(digest)?);
        }
        let members = apply_layers(&paths, blobs, meter)?;
        let platform = platform_of(&config).or(image.platform);
        let suffix = if !several {
            String::new()
        } else {
            let name = image
                .name
                .clone()
                .unwrap_or_else(|| image.digest.chars().take("sha256:".len() + 12).collect());
            match &platform {
                Some(platform) => format!(":{name}[{platform}]"),
                None => format!(":{name}"),
            }
        };
        trees.push((suffix, members, platform));
    }
    Ok(trees)
}

fn collect_manifests(
    index: &Value,
    name: Option<&str>,
    blobs: &mut dyn Blobs,
    depth: usize,
    found: &mut Vec<Found>,
) -> Result<(), ArtifactError> {
    let Some(manifests) = index.get("manifests").and_then(Value::as_array) else {
        return Ok(());
    };
    for entry in manifests {
        let Some(digest) = entry.get("digest").and_then(Value::as_str) else {
            continue;
        };
        let media = entry.get("mediaType").and_then(Value::as_str).unwrap_or("");
        let entry_name = entry
            .pointer("/annotations/org.opencontainers.image.ref.name")
            .and_then(Value::as_str)
            .or(name);
        if media.ends_with("image.index.v1+json") || media.ends_with("manifest.list.v2+json") {
            if depth < MAX_INDEX_DEPTH {
                let nested = json(&blobs.read(&blob_path(digest)?)?, "image index")?;
                collect_manifests(&nested, entry_name, blobs, depth + 1, found)?;
            }
            continue;
        }
        let platform = entry.get("platform").and_then(platform_of);
        // Attestation manifests (`unknown/unknown`) are not images to run.
        if platform.as_ref().is_some_and(|p| p.os == "unknown") {
            continue;
        }
        found.push(Found {
            digest: digest.to_string(),
            name: entry_name.map(str::to_string),
            platform,
        });
    }
    Ok(())
}

/// `docker save`: `manifest.json` lists each image's config and layers by path in the tarball.
fn docker_images(blobs: &mut dyn Blobs, meter: &Meter) -> Result<Vec<Tree>, ArtifactError> {
    let manifest = json(&blobs.read("/manifest.json")?, "manifest.json")?;
    let images = manifest
        .as_array()
        .ok_or_else(|| malformed("image", "manifest.json is not a list"))?;
    let several = images.len() > 1;
    let mut trees = Vec::new();
    for (position, image) in images.iter().enumerate() {
        let in_tar = |name: &str| {
            format!(
                "/{}",
                super::members::contained(Path::new(name))
                    .display()
                    .to_string()
                    .trim_start_matches('/')
            )
        };
        let config = match image.get("Config").and_then(Value::as_str) {
            Some(config) => Some(json(&blobs.read(&in_tar(config))?, "image config")?),
            None => None,
        };
        let layers: Vec<String> = image
            .get("Layers")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(in_tar).collect())
            .unwrap_or_default();
        let members = apply_layers(&layers, blobs, meter)?;
        let platform = config.as_ref().and_then(platform_of);
        let suffix = if several {
            let tag = image
                .pointer("/RepoTags/0")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{}", position + 1), str::to_string);
            format!(":{tag}")
        } else {
            String::new()
        };
        trees.push((suffix, members, platform));
    }
    Ok(trees)
}

fn apply_layers(
    layers: &[String],
    blobs: &mut dyn Blobs,
    meter: &Meter,
) -> Result<Members, ArtifactError> {
    let mut merged = Members::default();
    for layer in layers {
        let read = read_layer(blobs.stream(layer)?, meter)?;
        merged.apply_layer(read.into_layer());
    }
    Ok(merged)
}
