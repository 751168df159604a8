//! The character encodings `textencodebase64` and `textdecodebase64` know, by their IANA names
//! and aliases (matched without regard to case, as Go's `ianaindex` matches them).
//!
//! Terraform accepts every encoding Go's `golang.org/x/text` implements; ecsform implements
//! the Unicode ones and the two single-byte ones that are their subsets (US-ASCII and
//! ISO-8859-1), which cover the documented use (UTF-16LE for Windows and PowerShell). The
//! others are refused with a message that lists these. Private to `functions`.

/// One supported encoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Charset {
    Utf8,
    /// Writes a big-endian byte order mark; reads one if present (big-endian otherwise).
    Utf16,
    Utf16Le,
    Utf16Be,
    UsAscii,
    Iso8859_1,
}

/// Names and aliases from the IANA character set registry.
const NAMES: &[(Charset, &[&str])] = &[
    (Charset::Utf8, &["UTF-8", "csUTF8"]),
    (Charset::Utf16, &["UTF-16", "csUTF16"]),
    (Charset::Utf16Le, &["UTF-16LE", "csUTF16LE"]),
    (Charset::Utf16Be, &["UTF-16BE", "csUTF16BE"]),
    (
        Charset::UsAscii,
        &[
            "US-ASCII",
            "ANSI_X3.4-1968",
            "iso-ir-6",
            "ANSI_X3.4-1986",
            "ISO_646.irv:1991",
            "ISO646-US",
            "us",
            "IBM367",
            "cp367",
            "csASCII",
        ],
    ),
    (
        Charset::Iso8859_1,
        &[
            "ISO-8859-1",
            "ISO_8859-1:1987",
            "iso-ir-100",
            "ISO_8859-1",
            "latin1",
            "l1",
            "IBM819",
            "CP819",
            "csISOLatin1",
        ],
    ),
];

/// The supported names, for error messages.
pub(super) const SUPPORTED: &str = "UTF-8, UTF-16, UTF-16LE, UTF-16BE, US-ASCII and ISO-8859-1";

impl Charset {
    pub(super) fn lookup(name: &str) -> Option<Charset> {
        NAMES
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
            .map(|(c, _)| *c)
    }

    /// The canonical name, as Terraform's messages show it.
    pub(super) fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, names)| names[0])
    }

    /// The bytes of `text` in this encoding, or None if a character has no representation.
    pub(super) fn encode(self, text: &str) -> Option<Vec<u8>> {
        let units = || text.encode_utf16();
        match self {
            Charset::Utf8 => Some(text.as_bytes().to_vec()),
            Charset::Utf16 => Some(
                [0xfe, 0xff]
                    .into_iter()
                    .chain(units().flat_map(u16::to_be_bytes))
                    .collect(),
            ),
            Charset::Utf16Be => Some(units().flat_map(u16::to_be_bytes).collect()),
            Charset::Utf16Le => Some(units().flat_map(u16::to_le_bytes).collect()),
            Charset::UsAscii => text.is_ascii().then(|| text.as_bytes().to_vec()),
            Charset::Iso8859_1 => text.chars().map(|c| u8::try_from(c).ok()).collect(),
        }
    }

    /// The text `bytes` encode, or None if some bytes are not a character in this encoding
    /// (Go's decoders substitute U+FFFD, which Terraform then refuses, so a U+FFFD in the
    /// input is refused too).
    pub(super) fn decode(self, bytes: &[u8]) -> Option<String> {
        let text = match self {
            Charset::Utf8 => String::from_utf8(bytes.to_vec()).ok()?,
            Charset::Utf16 => match bytes {
                [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes)?,
                [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes)?,
                _ => utf16(bytes, u16::from_be_bytes)?,
            },
            Charset::Utf16Be => utf16(bytes, u16::from_be_bytes)?,
            Charset::Utf16Le => utf16(bytes, u16::from_le_bytes)?,
            Charset::UsAscii => bytes
                .is_ascii()
                .then(|| String::from_utf8(bytes.to_vec()).ok())??,
            Charset::Iso8859_1 => bytes.iter().map(|&b| char::from(b)).collect(),
        };
        (!text.contains('\u{fffd}')).then_some(text)
    }
}

/// UTF-16 code units from pairs of bytes; None for an odd length or an unpaired surrogate.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::Charset;

    #[test]
    fn names_match_without_case() {
        assert_eq!(Charset::lookup("utf-16le"), Some(Charset::Utf16Le));
        assert_eq!(Charset::lookup("LATIN1"), Some(Charset::Iso8859_1));
        assert_eq!(Charset::lookup("ascii"), None);
        assert_eq!(Charset::lookup("UTF-32"), None);
        assert_eq!(Charset::Iso8859_1.name(), "ISO-8859-1");
    }

    #[test]
    fn round_trips_and_refusals() {
        let all = [
            Charset::Utf8,
            Charset::Utf16,
            Charset::Utf16Le,
            Charset::Utf16Be,
        ];
        for c in all {
            let bytes = c.encode("héllo 😀").unwrap();
            assert_eq!(c.decode(&bytes).unwrap(), "héllo 😀", "{c:?}");
        }
        assert_eq!(Charset::Utf16Le.encode("Hi").unwrap(), b"H\0i\0");
        assert_eq!(Charset::Utf16.encode("").unwrap(), [0xfe, 0xff]);
        assert_eq!(Charset::Utf16.decode(&[0xff, 0xfe, b'H', 0]).unwrap(), "H");
        assert_eq!(Charset::Utf16.decode(&[0, b'H']).unwrap(), "H");
        // Without a byte order mark policy the mark is a character.
        assert_eq!(
            Charset::Utf16Le.decode(&[0xff, 0xfe, b'H', 0]).unwrap(),
            "\u{feff}H"
        );
        assert_eq!(Charset::Utf16Le.decode(b"H"), None);
        assert_eq!(Charset::Utf16Le.decode(&[0x00, 0xd8]), None);
        assert_eq!(Charset::Iso8859_1.encode("é").unwrap(), [0xe9]);
        assert_eq!(Charset::Iso8859_1.decode(&[0xe9]).unwrap(), "é");
        assert_eq!(Charset::Iso8859_1.encode("€"), None);
        assert_eq!(Charset::UsAscii.encode("é"), None);
        assert_eq!(Charset::UsAscii.decode(&[0x80]), None);
        assert_eq!(Charset::Utf8.decode(&[0xff]), None);
        assert_eq!(Charset::Utf8.decode("\u{fffd}".as_bytes()), None);
    }
}
