//! Reading structure out of fuzz bytes: a few leading choice bytes, then
//! fields separated by a byte. Running out of input gives zeros and empty
//! fields, never a refusal, so every input reaches the parser.

/// The separator of fields in inputs that carry several texts.
pub const SEP: u8 = b'\n';

#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next byte, or 0 at the end.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// Two bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// The bytes up to the next `sep` (not included) or the end.
    pub fn field(&mut self, sep: u8) -> &'a [u8] {
        match self.data.iter().position(|b| *b == sep) {
            Some(i) => {
                let (head, tail) = self.data.split_at(i);
                self.data = &tail[1..];
                head
            }
            None => std::mem::take(&mut self.data),
        }
    }

    /// The field as text (invalid UTF-8 replaced: the parsers under test take `&str`).
    pub fn text_field(&mut self, sep: u8) -> String {
        String::from_utf8_lossy(self.field(sep)).into_owned()
    }

    /// Whatever is left.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_bytes_run_out_gracefully() {
        let mut i = Input::new(b"\x05ab\ncd");
        assert_eq!(i.byte(), 5);
        assert_eq!(i.field(SEP), b"ab");
        assert_eq!(i.field(SEP), b"cd");
        assert_eq!(i.field(SEP), b"");
        assert_eq!((i.byte(), i.u16()), (0, 0));
    }
}
