//! glibc's `/etc/ld.so.cache` inside a root filesystem: the soname → path table that `ldconfig`
//! writes and the loader consults before its default directories (`elf/dl-cache.c`,
//! `_dl_load_cache_lookup`; layout in `sysdeps/generic/dl-cache.h`). Without a cache the loader
//! never reads `ld.so.conf`: only `ldconfig` does.

/// `CACHEMAGIC_NEW` + `CACHE_VERSION`.
const NEW_MAGIC: &[u8] = b"glibc-ld.so.cache1.1";
/// `CACHEMAGIC` (the old format, followed by the new one in compat mode).
const OLD_MAGIC: &[u8] = b"ld.so-1.7.0";
const NEW_HEADER: usize = 48;
const NEW_ENTRY: usize = 24;
const OLD_HEADER: usize = 16;
const OLD_ENTRY: usize = 12;
/// `FLAG_ELF_LIBC6` under `FLAG_TYPE_MASK`: entries for glibc's loader (not libc5, not a.out).
const FLAG_ELF_LIBC6: u32 = 0x0003;
const FLAG_TYPE_MASK: u32 = 0x00ff;

/// The cache's entries in file order (sorted as `ldconfig` writes them), each a soname and
/// the path it maps to. `None` when the bytes are not a cache we can read.
pub fn parse(data: &[u8]) -> Option<Vec<(String, String)>> {
    let new = if data.starts_with(NEW_MAGIC) {
        0
    } else if data.starts_with(OLD_MAGIC) {
        // The new-format table follows the old entries, aligned to its own alignment (4).
        let count = u32_at(data, OLD_MAGIC.len() + 1, true)? as usize;
        let end = OLD_HEADER.checked_add(count.checked_mul(OLD_ENTRY)?)?;
        let aligned = end.checked_add(3)? & !3;
        data.get(aligned..)?
            .starts_with(NEW_MAGIC)
            .then_some(aligned)?
    } else {
        return None;
    };
    // The flags byte says the endianness: 2 little, 3 big (`cache_file_new.flags`).
    let little = *data.get(new + 28)? != 3;
    let count = u32_at(data, new + 20, little)? as usize;
    // Every entry must fit in the file: a hostile count cannot make us loop.
    if count > data.len().saturating_sub(new + NEW_HEADER) / NEW_ENTRY {
        return None;
    }
    let mut entries = Vec::with_capacity(count);
    for index in 0..count {
        let at = new + NEW_HEADER + index * NEW_ENTRY;
        let flags = u32_at(data, at, little)?;
        if flags & FLAG_TYPE_MASK != FLAG_ELF_LIBC6 {
            continue;
        }
        // String offsets count from the start of the new-format header.
        let key = string_at(data, new + u32_at(data, at + 4, little)? as usize)?;
        let value = string_at(data, new + u32_at(data, at + 8, little)? as usize)?;
        entries.push((key, value));
    }
    Some(entries)
}

fn u32_at(data: &[u8], at: usize, little: bool) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if little {
        u32::from_le_bytes(bytes)
    } else {
        u32::from_be_bytes(bytes)
    })
}

fn string_at(data: &[u8], at: usize) -> Option<String> {
    let rest = data.get(at..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    String::from_utf8(rest[..end].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache as ldconfig lays it out: header, entries, then the strings.
    fn cache(entries: &[(u32, &str, &str)]) -> Vec<u8> {
        let mut strings = Vec::new();
        let strings_at = NEW_HEADER + entries.len() * NEW_ENTRY;
        let mut table = Vec::new();
        for (flags, key, value) in entries {
            let key_at = strings_at + strings.len();
            strings.extend_from_slice(key.as_bytes());
            strings.push(0);
            let value_at = strings_at + strings.len();
            strings.extend_from_slice(value.as_bytes());
            strings.push(0);
            table.extend_from_slice(&flags.to_le_bytes());
            table.extend_from_slice(&(key_at as u32).to_le_bytes());
            table.extend_from_slice(&(value_at as u32).to_le_bytes());
            table.extend_from_slice(&[0; 12]);
        }
        let mut data = NEW_MAGIC.to_vec();
        data.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        data.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        data.push(2);
        data.extend_from_slice(&[0; 3 + 4 + 12]);
        assert_eq!(data.len(), NEW_HEADER);
        data.extend(table);
        data.extend(strings);
        data
    }

    #[test]
    fn reads_glibc_entries_and_skips_others() {
        let data = cache(&[
            (0x0303, "libz.so.1", "/usr/local/lib/libz.so.1"),
            (0x0001, "libold.so.1", "/lib/libold.so.1"),
        ]);
        assert_eq!(
            parse(&data),
            Some(vec![(
                "libz.so.1".into(),
                "/usr/local/lib/libz.so.1".into()
            )])
        );
    }

    #[test]
    fn hostile_caches_are_refused_not_followed() {
        let mut data = cache(&[(0x0303, "libz.so.1", "/lib/libz.so.1")]);
        // A count far beyond the file.
        data[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse(&data), None);
        let mut data = cache(&[(0x0303, "libz.so.1", "/lib/libz.so.1")]);
        // A key offset past the end.
        data[NEW_HEADER + 4..NEW_HEADER + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse(&data), None);
        assert_eq!(parse(b"not a cache"), None);
        assert_eq!(parse(&data[..30]), None);
    }

    #[test]
    fn reads_this_machines_cache_like_ldconfig_prints_it() {
        // Every glibc system where ldconfig ran has one; this machine's tests need glibc anyway.
        let data = std::fs::read("/etc/ld.so.cache").expect("this machine has /etc/ld.so.cache");
        let entries = parse(&data).expect("this machine's ld.so.cache parses");
        assert!(
            entries
                .iter()
                .any(|(key, value)| key == "libc.so.6" && value.ends_with("/libc.so.6")),
            "{entries:?}"
        );
    }
}
