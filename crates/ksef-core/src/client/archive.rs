//! Batch archives (DIGEST §9 step 1): the invoice files packed into one ZIP or, since
//! KSeF 2.6.0, one tar.gz (`batchFile.compressionType` `Zip` | `TarGz`). KSeF accepts
//! both, so both are real send formats here, not just export formats.
//!
//! - [`ArchiveFormat::Zip`] (the default): ZIP with Deflate entries (an entry that does
//!   not shrink is stored instead), as the official clients' `ZipArchive` writes.
//! - [`ArchiveFormat::ZipStored`]: ZIP with stored (uncompressed) entries.
//! - [`ArchiveFormat::TarGz`]: a POSIX ustar stream (PAX `path` records for long or
//!   non-ASCII names) compressed with gzip.
//!
//! **ZIP64.** KSeF caps the archive at 5 GB (§9) and a session at 10 000 invoices (§17),
//! while plain ZIP fields hold offsets below 4 GiB and 65 535 entries; a large archive
//! can therefore cross the 4 GiB offset limit, and the writer switches to ZIP64 (the
//! `0x0001` extra field for offsets, the ZIP64 end-of-central-directory record and
//! locator) exactly when a value does not fit. A single entry is an invoice of at most
//! 1 MB (3 MB with attachments, §17), far below 4 GiB; a larger entry is refused with
//! [`BatchError::TooLarge`]. [`zip`] with `force_zip64` writes the ZIP64 records even
//! for small archives, so the layout is tested without 4 GiB of data.
//!
//! Everything is deterministic (fixed 1980-01-01 timestamps, gzip `mtime` 0), so the
//! same files always give the same archive and hash: a resumed batch (see
//! [`super::resume::BatchSendState`]) rebuilds byte-identical parts.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::batch::BatchError;

/// How the batch archive is packed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveFormat {
    /// ZIP, Deflate entries (`compressionType: "Zip"`).
    #[default]
    Zip,
    /// ZIP, stored entries (`compressionType: "Zip"`).
    ZipStored,
    /// gzip-compressed tar (`compressionType: "TarGz"`, KSeF ≥ 2.6.0).
    TarGz,
}

impl ArchiveFormat {
    /// The `batchFile.compressionType` value.
    pub fn compression_type(self) -> &'static str {
        match self {
            ArchiveFormat::Zip | ArchiveFormat::ZipStored => "Zip",
            ArchiveFormat::TarGz => "TarGz",
        }
    }

    /// Parses the command-line spelling: `zip`, `zip-stored`, `tar-gz` (also `targz`,
    /// `tar.gz`).
    ///
    /// # Errors
    /// A message naming the accepted values.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "zip" => Ok(ArchiveFormat::Zip),
            "zip-stored" => Ok(ArchiveFormat::ZipStored),
            "tar-gz" | "targz" | "tar.gz" => Ok(ArchiveFormat::TarGz),
            _ => Err(format!(
                "unknown archive format {s:?}: expected zip, zip-stored or tar-gz"
            )),
        }
    }

    /// Packs `files` (name, content) in this format.
    ///
    /// # Errors
    /// [`BatchError`] for no files, bad or duplicate names, or sizes out of range.
    pub fn pack(self, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, BatchError> {
        match self {
            ArchiveFormat::Zip => zip(files, true, false),
            ArchiveFormat::ZipStored => zip(files, false, false),
            ArchiveFormat::TarGz => tar_gz(files),
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP requires.
pub fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

/// Checks the names: non-empty, relative, no `..`, at most 65 535 bytes, unique.
fn check_names(files: &[(String, Vec<u8>)]) -> Result<(), BatchError> {
    if files.is_empty() {
        return Err(BatchError::Empty);
    }
    let mut seen = std::collections::BTreeSet::new();
    for (name, _) in files {
        if name.is_empty()
            || name.starts_with('/')
            || name.starts_with('\\')
            || name.split(['/', '\\']).any(|s| s == "..")
            || name.contains('\0')
            || name.len() > usize::from(u16::MAX)
        {
            return Err(BatchError::BadName(name.clone()));
        }
        if !seen.insert(name.as_str()) {
            return Err(BatchError::DuplicateName(name.clone()));
        }
    }
    Ok(())
}

const U32_MAX: u64 = 0xFFFF_FFFF;

/// Raw Deflate of `data` (no zlib/gzip wrapper), as ZIP method 8 stores it.
fn deflate(data: &[u8]) -> Result<Vec<u8>, BatchError> {
    let mut e = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        flate2::Compression::default(),
    );
    e.write_all(data)
        .and_then(|()| e.finish())
        .map_err(|err| BatchError::Compression(err.to_string()))
}

/// Writes a ZIP archive of `files` (name, content): Deflate entries when `deflate` (an
/// entry that would grow is stored), else stored. ZIP64 records are written when an
/// offset, the central directory or the entry count overflows the classic fields, or
/// always with `force_zip64`. Names are flagged UTF-8.
///
/// # Errors
/// [`BatchError`] for no files, bad or duplicate names, an entry of 4 GiB or more.
pub fn zip(
    files: &[(String, Vec<u8>)],
    deflate_entries: bool,
    force_zip64: bool,
) -> Result<Vec<u8>, BatchError> {
    check_names(files)?;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let size = data.len() as u64;
        if size >= U32_MAX {
            return Err(BatchError::TooLarge(size));
        }
        let crc = crc32(data);
        let compressed = if deflate_entries {
            let d = deflate(data)?;
            (d.len() < data.len()).then_some(d)
        } else {
            None
        };
        let (method, body): (u16, &[u8]) = match &compressed {
            Some(d) => (8, d),
            None => (0, data),
        };
        let csize = body.len() as u32;
        let usize_ = size as u32;
        let offset = out.len() as u64;
        let name_len = name.len() as u16;
        let version: u16 = if method == 8 { 20 } else { 10 };
        // Local file header. Flag bit 11: names are UTF-8.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&0x0800u16.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time 00:00
        out.extend_from_slice(&0x0021u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&usize_.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);
        // Central directory entry; the offset goes to a ZIP64 extra field if needed.
        let zip64_offset = force_zip64 || offset >= U32_MAX;
        let needed: u16 = if zip64_offset { 45 } else { version };
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&45u16.to_le_bytes()); // version made by (MS-DOS, 4.5)
        central.extend_from_slice(&needed.to_le_bytes());
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x0021u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&usize_.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&(if zip64_offset { 12u16 } else { 0 }).to_le_bytes());
        central.extend_from_slice(&[0u8; 6]); // comment length, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        let field = if zip64_offset { U32_MAX } else { offset };
        central.extend_from_slice(&(field as u32).to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        if zip64_offset {
            central.extend_from_slice(&0x0001u16.to_le_bytes());
            central.extend_from_slice(&8u16.to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
        }
    }
    let cd_offset = out.len() as u64;
    let cd_size = central.len() as u64;
    let count = files.len() as u64;
    out.extend_from_slice(&central);
    let zip64_end =
        force_zip64 || cd_offset >= U32_MAX || cd_size >= U32_MAX || count >= u64::from(u16::MAX);
    if zip64_end {
        let record = out.len() as u64;
        out.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        out.extend_from_slice(&44u64.to_le_bytes()); // size of the rest of the record
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // this disk
        out.extend_from_slice(&0u32.to_le_bytes()); // disk with the central directory
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&cd_size.to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        // Locator.
        out.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&record.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
    }
    let count16 = if zip64_end { u16::MAX } else { count as u16 };
    let clamp = |v: u64| if zip64_end { U32_MAX as u32 } else { v as u32 };
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]); // disk numbers
    out.extend_from_slice(&count16.to_le_bytes());
    out.extend_from_slice(&count16.to_le_bytes());
    out.extend_from_slice(&clamp(cd_size).to_le_bytes());
    out.extend_from_slice(&clamp(cd_offset).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    Ok(out)
}

/// One 512-byte ustar header.
fn tar_header(name: &[u8], size: u64, typeflag: u8) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    let octal = |h: &mut [u8; 512], at: usize, len: usize, v: u64| {
        let s = format!("{v:0width$o}", width = len - 1);
        h[at..at + len - 1].copy_from_slice(s.as_bytes());
    };
    octal(&mut h, 100, 8, 0o644); // mode
    octal(&mut h, 108, 8, 0); // uid
    octal(&mut h, 116, 8, 0); // gid
    octal(&mut h, 124, 12, size);
    octal(&mut h, 136, 12, 0); // mtime
    h[148..156].copy_from_slice(b"        "); // checksum placeholder
    h[156] = typeflag;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

fn tar_append(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.resize(out.len() + pad, 0);
}

/// A PAX extended header record `"<len> path=<name>\n"` (the length counts itself).
fn pax_path(name: &str) -> Vec<u8> {
    let body = format!(" path={name}\n");
    let mut len = body.len() + 1;
    while format!("{len}").len() + body.len() != len {
        len = format!("{len}").len() + body.len();
    }
    format!("{len}{body}").into_bytes()
}

/// Writes `files` as a ustar archive compressed with gzip (header `mtime` 0).
///
/// # Errors
/// [`BatchError`] for no files, bad or duplicate names, or a gzip failure.
pub fn tar_gz(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, BatchError> {
    check_names(files)?;
    let mut tar = Vec::new();
    for (i, (name, data)) in files.iter().enumerate() {
        let short = name.len() <= 100 && name.is_ascii();
        if !short {
            // PAX extended header carrying the full UTF-8 name.
            let record = pax_path(name);
            tar.extend_from_slice(&tar_header(
                format!("PaxHeaders/{i}").as_bytes(),
                record.len() as u64,
                b'x',
            ));
            tar_append(&mut tar, &record);
        }
        let stored_name = if short {
            name.as_bytes().to_vec()
        } else {
            format!("long-name-{i}").into_bytes()
        };
        tar.extend_from_slice(&tar_header(&stored_name, data.len() as u64, b'0'));
        tar_append(&mut tar, data);
    }
    tar.resize(tar.len() + 1024, 0); // end of archive: two zero blocks
    let mut gz = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(tar.len() / 4 + 64),
        flate2::Compression::default(),
    );
    gz.write_all(&tar)
        .and_then(|()| gz.finish())
        .map_err(|e| BatchError::Compression(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn files() -> Vec<(String, Vec<u8>)> {
        vec![
            ("a.xml".into(), b"<a/>".repeat(500)),
            ("b.xml".into(), b"bb".to_vec()),
            (
                format!("{}-zażółć.xml", "d".repeat(120)),
                b"<long/>".to_vec(),
            ),
        ]
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    fn eocd(z: &[u8]) -> &[u8] {
        &z[z.len() - 22..]
    }

    #[test]
    fn zip_deflates_what_shrinks_and_stores_the_rest() {
        let z = zip(&files(), true, false).unwrap();
        assert_eq!(&z[..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([z[8], z[9]]), 8, "a.xml is deflated");
        let e = eocd(&z);
        assert_eq!(&e[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([e[10], e[11]]), 3);
        // 2 000 bytes of <a/> shrink to a few dozen; names and headers are the rest.
        assert!(z.len() < 700, "{}", z.len());
        // The first entry's Deflate data inflates back.
        let name_len = usize::from(u16::from_le_bytes([z[26], z[27]]));
        let csize = u32::from_le_bytes([z[18], z[19], z[20], z[21]]) as usize;
        let start = 30 + name_len;
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(&z[start..start + csize])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, b"<a/>".repeat(500));
    }

    #[test]
    fn stored_zip_and_name_errors() {
        let z = zip(&files(), false, false).unwrap();
        assert_eq!(u16::from_le_bytes([z[8], z[9]]), 0);
        assert_eq!(zip(&[], false, false), Err(BatchError::Empty));
        assert!(matches!(
            zip(&[("a".into(), vec![]), ("a".into(), vec![])], true, false),
            Err(BatchError::DuplicateName(_))
        ));
        for bad in ["../x", "/abs", "", "a/../b", "nul\0"] {
            assert!(
                matches!(
                    ArchiveFormat::TarGz.pack(&[(bad.into(), vec![])]),
                    Err(BatchError::BadName(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn forced_zip64_layout() {
        let z = zip(&files(), true, true).unwrap();
        let e = eocd(&z);
        assert_eq!(u16::from_le_bytes([e[10], e[11]]), u16::MAX);
        assert_eq!(&e[16..20], &[0xFF; 4]);
        let loc = &z[z.len() - 22 - 20..z.len() - 22];
        assert_eq!(&loc[..4], b"PK\x06\x07");
        let record = u64::from_le_bytes(loc[8..16].try_into().unwrap()) as usize;
        assert_eq!(&z[record..record + 4], b"PK\x06\x06");
        let count = u64::from_le_bytes(z[record + 32..record + 40].try_into().unwrap());
        assert_eq!(count, 3);
    }

    #[test]
    fn tar_gz_is_deterministic_ustar() {
        let a = tar_gz(&files()).unwrap();
        assert_eq!(a, tar_gz(&files()).unwrap());
        assert_eq!(&a[..2], &[0x1f, 0x8b]);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&a[..])
            .read_to_end(&mut tar)
            .unwrap();
        assert_eq!(tar.len() % 512, 0);
        assert_eq!(&tar[..5], b"a.xml");
        assert_eq!(&tar[257..263], b"ustar\0");
        // The header checksum is right.
        let mut h = tar[..512].to_vec();
        let stored = u32::from_str_radix(std::str::from_utf8(&h[148..154]).unwrap(), 8).unwrap();
        h[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, h.iter().map(|&b| u32::from(b)).sum::<u32>());
        let text = String::from_utf8_lossy(&tar);
        assert!(text.contains(&format!(" path={}-zażółć.xml\n", "d".repeat(120))));
    }

    /// Python's zipfile and tarfile (independent readers) read every format, including
    /// a forced-ZIP64 archive, back to the same names and bytes.
    #[test]
    fn python_reads_every_format() {
        let dir = std::env::temp_dir().join(format!("ksef-archive-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            ("deflate.zip", zip(&files(), true, false).unwrap(), "zip"),
            ("stored.zip", zip(&files(), false, false).unwrap(), "zip"),
            ("zip64.zip", zip(&files(), true, true).unwrap(), "zip"),
            ("a.tar.gz", tar_gz(&files()).unwrap(), "tar"),
        ];
        let script = r#"
import sys, zipfile, tarfile, hashlib
path, kind = sys.argv[1], sys.argv[2]
if kind == "zip":
    z = zipfile.ZipFile(path)
    assert z.testzip() is None
    items = [(i.filename, z.read(i)) for i in z.infolist()]
else:
    t = tarfile.open(path, "r:gz")
    items = [(m.name, t.extractfile(m).read()) for m in t.getmembers()]
for name, data in items:
    print(name, hashlib.sha256(data).hexdigest())
"#;
        let expected: String = files()
            .iter()
            .map(|(n, d)| format!("{n} {}\n", crate::hash::Sha256Hash::of(d).to_hex()))
            .collect();
        for (name, bytes, kind) in cases {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            let out = std::process::Command::new("python3")
                .arg("-c")
                .arg(script)
                .arg(&path)
                .arg(kind)
                .output()
                .expect("python3 is needed for this interop test");
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8(out.stdout).unwrap(), expected, "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pax_record_length_counts_itself() {
        for n in [1usize, 80, 90, 95, 200, 1000] {
            let name = "x".repeat(n);
            let r = pax_path(&name);
            let text = std::str::from_utf8(&r).unwrap();
            let (len, _) = text.split_once(' ').unwrap();
            assert_eq!(len.parse::<usize>().unwrap(), r.len(), "{n}");
        }
    }

    #[test]
    fn formats_parse_and_name_their_compression_type() {
        assert_eq!(ArchiveFormat::parse("ZIP"), Ok(ArchiveFormat::Zip));
        assert_eq!(ArchiveFormat::parse("tar.gz"), Ok(ArchiveFormat::TarGz));
        assert_eq!(ArchiveFormat::TarGz.compression_type(), "TarGz");
        assert_eq!(ArchiveFormat::ZipStored.compression_type(), "Zip");
        let e = ArchiveFormat::parse("rar").unwrap_err();
        assert!(e.contains("zip, zip-stored or tar-gz"), "{e}");
    }
}
