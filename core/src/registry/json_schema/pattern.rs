//! `pattern` and `patternProperties`: a regular expression, kept with its source text.
//!
//! Patterns are matched with `regex-lite` (Perl-like syntax, searched anywhere in the
//! string, as JSON Schema's ECMA 262 patterns are). Without the `std` feature logplay has no
//! regex engine, and a schema with a pattern is refused.

use alloc::string::String;

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    source: String,
    #[cfg(feature = "std")]
    regex: regex_lite::Regex,
}

/// The longest pattern a schema may hold (a simulation limit).
pub const MAX_PATTERN_LEN: usize = 1024;

impl Pattern {
    /// Compiles `source`; the error says why it is not a pattern.
    pub fn new(source: &str) -> Result<Self, String> {
        if source.len() > MAX_PATTERN_LEN {
            return Err(alloc::format!(
                "a pattern is at most {MAX_PATTERN_LEN} bytes in logplay"
            ));
        }
        #[cfg(feature = "std")]
        {
            let regex = regex_lite::RegexBuilder::new(source)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| alloc::format!("{source:?} is not a valid pattern ({e})"))?;
            Ok(Self {
                source: source.into(),
                regex,
            })
        }
        #[cfg(not(feature = "std"))]
        {
            Err(alloc::format!(
                "the pattern {source:?} needs logplay's std feature (its regex engine)"
            ))
        }
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether it matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        #[cfg(feature = "std")]
        {
            self.regex.is_match(text)
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = text;
            false
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}
