//! Share links: a script's canonical text, raw-deflated (miniz_oxide) and base64url-encoded,
//! in the URL fragment as `#s=1.<payload>`. The `1.` is the format version, so old links
//! keep working when the format changes.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::script::{parse, print, ParseError, Script};

/// The most bytes a link may inflate to.
pub const MAX_INFLATED_BYTES: usize = 1 << 20;
const VERSION: &str = "1.";

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// There is no `s=` payload, or its version is unknown.
    UnknownFormat(String),
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
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 10);
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
        LinkError::UnknownFormat(String::from("the payload must start with the version `1.`"))
    })?;
    let packed: Vec<u8> = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| LinkError::BadBase64)?;
    let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED_BYTES)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                LinkError::TooLarge
            } else {
                LinkError::BadDeflate
            }
        })?;
    let text = String::from_utf8(text).map_err(|_| LinkError::NotUtf8)?;
    parse(&text).map_err(LinkError::Script)
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
        assert!(matches!(
            decode("#s=2.abc"),
            Err(LinkError::UnknownFormat(_))
        ));
        assert_eq!(decode("#s=1.!!!"), Err(LinkError::BadBase64));
        assert_eq!(decode("#s=1.AAAA"), Err(LinkError::BadDeflate));
        let bomb =
            miniz_oxide::deflate::compress_to_vec(&alloc::vec![b'#'; MAX_INFLATED_BYTES + 1], 10);
        assert_eq!(
            decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(bomb))),
            Err(LinkError::TooLarge)
        );
        let latin1 = miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 10);
        assert_eq!(
            decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(latin1))),
            Err(LinkError::NotUtf8)
        );
        let bad = miniz_oxide::deflate::compress_to_vec(b"explode now", 10);
        assert!(matches!(
            decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(bad))),
            Err(LinkError::Script(_))
        ));
    }
}
