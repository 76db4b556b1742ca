//! Share links: a script's canonical text, raw-deflated (miniz_oxide) against a preset
//! dictionary of typical script text and base64url-encoded, in the URL fragment as
//! `#s=1.<payload>`. The `1.` is the format version: version 1 is this dictionary, frozen,
//! so old links keep working; a new dictionary needs a new version.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::{parse, print, ParseError, Script};

/// The most bytes a link may inflate to.
pub const MAX_INFLATED_BYTES: usize = 1 << 20;
const VERSION: &str = "1.";
/// Version 1's preset dictionary: words most scripts use. Never edit it.
const DICTIONARY: &[u8] = include_bytes!("link_dictionary.txt");

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// There is no `s=` payload, or it has no version this build knows.
    UnknownFormat(String),
    /// The payload's version is newer than this build's.
    NewerVersion(u32),
    /// The payload is not base64url.
    BadBase64,
    /// The payload does not inflate.
    BadDeflate,
    /// The payload inflates past [`MAX_INFLATED_BYTES`].
    TooLarge,
    /// The script is not UTF-8.
    NotUtf8,
    /// The script does not parse.
    Script(ParseError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::UnknownFormat(why) => write!(f, "this is not a logplay link: {why}"),
            LinkError::NewerVersion(v) => write!(
                f,
                "this link was made by a newer logplay (link format {v}); this one reads format 1"
            ),
            LinkError::BadBase64 => {
                f.write_str("the link is damaged: its payload is not base64url")
            }
            LinkError::BadDeflate => {
                f.write_str("the link is damaged: its payload does not decompress")
            }
            LinkError::TooLarge => write!(
                f,
                "the link's script is larger than {MAX_INFLATED_BYTES} bytes"
            ),
            LinkError::NotUtf8 => f.write_str("the link is damaged: its script is not UTF-8 text"),
            LinkError::Script(e) => write!(f, "the link's script does not parse: {e}"),
        }
    }
}

impl core::error::Error for LinkError {}

/// The fragment payload for `script` (put it after `#s=`).
pub fn encode(script: &Script) -> String {
    let text = print(script);
    let packed = deflate_with_dictionary(text.as_bytes());
    let mut out = String::from(VERSION);
    URL_SAFE_NO_PAD.encode_string(packed, &mut out);
    out
}

/// Opens a link: a whole URL, a `#s=…` fragment, or the bare payload.
pub fn decode(link: &str) -> Result<Script, LinkError> {
    let payload = link.trim();
    let payload = match payload.rfind("s=") {
        Some(i) if payload.contains('#') || i == 0 => &payload[i + 2..],
        _ => payload,
    };
    let payload = payload.split('&').next().unwrap_or_default();
    let body = payload.strip_prefix(VERSION).ok_or_else(|| {
        let newer = payload
            .split_once('.')
            .and_then(|(v, _)| v.parse::<u32>().ok())
            .filter(|&v| v > 1);
        newer.map_or_else(
            || {
                LinkError::UnknownFormat(String::from(
                    "the payload must start with the version `1.`",
                ))
            },
            LinkError::NewerVersion,
        )
    })?;
    let packed: Vec<u8> = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| LinkError::BadBase64)?;
    let text = inflate_with_dictionary(&packed)?;
    let text = String::from_utf8(text).map_err(|_| LinkError::NotUtf8)?;
    parse(&text).map_err(LinkError::Script)
}

/// Raw deflate as if [`DICTIONARY`] came first (zlib's `deflateSetDictionary`): the
/// compressor reads the dictionary, flushes to a byte boundary, and that output is dropped.
fn deflate_with_dictionary(text: &[u8]) -> Vec<u8> {
    let mut c = CompressorOxide::new(create_comp_flags_from_zip_params(10, -15, 0));
    let mut primed = alloc::vec![0; DICTIONARY.len() * 2 + 64];
    let _ = compress(&mut c, DICTIONARY, &mut primed, TDEFLFlush::Sync);
    let mut out = alloc::vec![0; text.len() / 2 + 64];
    let (mut input, mut written) = (text, 0);
    loop {
        let (status, read, wrote) =
            compress(&mut c, input, &mut out[written..], TDEFLFlush::Finish);
        input = &input[read..];
        written += wrote;
        match status {
            TDEFLStatus::Okay if written == out.len() => out.resize(out.len() * 2, 0),
            TDEFLStatus::Okay => {}
            _ => break,
        }
    }
    out.truncate(written);
    out
}

/// Inflates with [`DICTIONARY`] already in the window; refuses output past the cap.
fn inflate_with_dictionary(packed: &[u8]) -> Result<Vec<u8>, LinkError> {
    let start = DICTIONARY.len();
    let mut out = alloc::vec![0; start + MAX_INFLATED_BYTES];
    out[..start].copy_from_slice(DICTIONARY);
    let mut r = DecompressorOxide::new();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, _, wrote) = decompress(&mut r, packed, &mut out, start, flags);
    match status {
        TINFLStatus::Done => {
            out.truncate(start + wrote);
            Ok(out.split_off(start))
        }
        TINFLStatus::HasMoreOutput => Err(LinkError::TooLarge),
        _ => Err(LinkError::BadDeflate),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use alloc::format;

    #[test]
    fn links_round_trip_from_urls_fragments_and_payloads() {
        let script = parse("seed 7\ntopic create t partitions=3\nproducer p\nproduce p t key=k value=\"a b\"\ntick 5ms\n").unwrap();
        let payload = encode(&script);
        assert!(payload.starts_with("1."));
        assert_eq!(
            inflate_with_dictionary(&deflate_with_dictionary(b"")).unwrap(),
            b""
        );
        assert!(payload[2..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        for link in [
            payload.clone(),
            format!("#s={payload}"),
            format!("https://logplay.example/#s={payload}"),
        ] {
            assert_eq!(decode(&link).unwrap(), script, "{link}");
        }
    }

    #[test]
    fn bad_links_get_clear_errors() {
        assert_eq!(decode("#s=2.abc"), Err(LinkError::NewerVersion(2)));
        assert!(decode("#s=2.abc")
            .unwrap_err()
            .to_string()
            .contains("newer logplay (link format 2)"));
        assert!(matches!(
            decode("#s=0.abc"),
            Err(LinkError::UnknownFormat(_))
        ));
        assert!(matches!(
            decode("#s=x.abc"),
            Err(LinkError::UnknownFormat(_))
        ));
        assert_eq!(decode("#s=1.!!!"), Err(LinkError::BadBase64));
        assert_eq!(decode("#s=1.AAAA"), Err(LinkError::BadDeflate));
        let link = |bytes: &[u8]| {
            format!(
                "1.{}",
                URL_SAFE_NO_PAD.encode(deflate_with_dictionary(bytes))
            )
        };
        assert_eq!(
            decode(&link(&alloc::vec![b'#'; MAX_INFLATED_BYTES + 1])),
            Err(LinkError::TooLarge)
        );
        assert!(
            decode(&link(&alloc::vec![b'#'; MAX_INFLATED_BYTES])).is_ok(),
            "exactly the cap is fine"
        );
        assert_eq!(decode(&link(&[0xff, 0xfe])), Err(LinkError::NotUtf8));
        assert!(matches!(
            decode(&link(b"explode now")),
            Err(LinkError::Script(_))
        ));
    }
}
