//! Reads one file into text: size limit, gzip decompression (bounded, so a decompression bomb
//! cannot fill memory), binary detection and decoding. Parsers only ever see text.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::{ParseError, SkipReason};

/// Limits on what one file may cost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Largest file, in bytes after decompression, that is read.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // Far more than any article or daily dump needs.
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Reads `path`, decompressing it when `gzipped`.
pub(crate) fn read_bytes(
    path: &Path,
    gzipped: bool,
    limits: &Limits,
) -> Result<Vec<u8>, ParseError> {
    let shown = path.to_string_lossy();
    let fail = |reason, detail: String| ParseError::new(shown.as_ref(), reason, detail);
    let file = File::open(path).map_err(|e| fail(SkipReason::Unreadable, io_detail(&e)))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limits.max_file_bytes {
        return Err(fail(
            SkipReason::TooLarge,
            format!(
                "{size} bytes, over the {} byte limit",
                limits.max_file_bytes
            ),
        ));
    }
    // Read one byte past the limit to tell "at the limit" from "over it".
    let cap = limits.max_file_bytes + 1;
    let mut bytes = Vec::new();
    if gzipped {
        MultiGzDecoder::new(file)
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(SkipReason::CorruptGzip, format!("corrupt gzip: {e}")))?;
        if bytes.len() as u64 >= cap {
            return Err(fail(
                SkipReason::TooLarge,
                format!(
                    "expands past the {} byte limit (a decompression bomb?)",
                    limits.max_file_bytes
                ),
            ));
        }
    } else {
        file.take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(SkipReason::Unreadable, io_detail(&e)))?;
    }
    Ok(bytes)
}

/// Decodes the bytes of `path` to text; see [`decode`].
pub(crate) fn text(path: &str, bytes: Vec<u8>) -> Result<String, ParseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::new(path, SkipReason::Empty, "empty file"));
    }
    decode(bytes).map_err(|detail| ParseError::new(path, SkipReason::Binary, detail))
}

fn io_detail(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => format!("cannot read: {error}"),
    }
}

/// Decodes bytes as UTF-8 (a byte-order mark is dropped). Text that is mostly not UTF-8 is read
/// as Windows-1252, the encoding of old Italian archives (`citt\xe0` → `città`); a stray invalid
/// byte in UTF-8 text becomes U+FFFD. Binary content (NUL bytes, control characters) is refused.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    if head.contains(&0) || controls * 20 > head.len() {
        return Err("binary content, not text".into());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let bytes = error.into_bytes();
            let (mut valid_non_ascii, mut invalid) = (0usize, 0usize);
            for chunk in bytes.utf8_chunks() {
                valid_non_ascii += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
                invalid += chunk.invalid().len();
            }
            if valid_non_ascii > invalid {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
            }
        }
    };
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_and_loses_its_bom() {
        assert_eq!(decode("\u{feff}città".into()).unwrap(), "città");
    }

    #[test]
    fn latin1_archives_are_decoded() {
        assert_eq!(decode(b"citt\xe0 \x92".to_vec()).unwrap(), "città ’");
    }

    #[test]
    fn a_stray_byte_in_utf8_text_is_replaced() {
        let mut bytes = "perché così".as_bytes().to_vec();
        bytes.push(0xff);
        assert_eq!(decode(bytes).unwrap(), "perché così\u{fffd}");
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(vec![0x7f, b'E', b'L', b'F', 0, 0, 1]).is_err());
    }
}
