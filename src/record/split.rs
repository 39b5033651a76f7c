//! The producer's input splitting: records separated by a (possibly
//! multi-byte) `-D` delimiter, read from stdin or a `-l` file, and the `-K`
//! split of a record into key and value.

use std::io::{self, Read};

use memchr::memmem::Finder;

/// Initial buffer size; reads ask for whatever fits in the free space.
const INITIAL_CAPACITY: usize = 256 * 1024;

/// Yields the records of a stream one at a time, borrowed from an internal
/// buffer that is reused (no allocation per record).
///
/// Unlike kcat 1.7, which blocks in `fread` until 1 KiB or EOF arrives, a
/// record is returned as soon as its delimiter has been read, and `read` is
/// only called when no complete record is buffered, so typed lines are sent
/// at once.
pub struct RecordReader<R: Read> {
    inner: R,
    finder: Finder<'static>,
    delim_len: usize,
    max_size: usize,
    /// Read bytes live in `buf[start..end]`; `buf.len()` is the capacity.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Where to resume looking for the delimiter: bytes before it were
    /// already searched.
    scan: usize,
    eof: bool,
}

impl<R: Read> RecordReader<R> {
    /// `delim` is the `-D` delimiter and must not be empty (kcat refuses an
    /// empty one before reading). Records longer than `max_size` bytes are an
    /// error.
    pub fn new(inner: R, delim: Vec<u8>, max_size: usize) -> RecordReader<R> {
        assert!(!delim.is_empty(), "the record delimiter must not be empty");
        RecordReader {
            inner,
            delim_len: delim.len(),
            finder: Finder::new(&delim).into_owned(),
            max_size,
            buf: vec![0; INITIAL_CAPACITY],
            start: 0,
            end: 0,
            scan: 0,
            eof: false,
        }
    }

    /// The next record, without its delimiter. Empty records are returned
    /// too (kcat skips them when producing, but `-T` callers decide). At EOF
    /// the data after the last delimiter is the last record, unless it is
    /// empty. `Ok(None)` means the input is exhausted.
    ///
    /// A record longer than `max_size` fails with `InvalidData` and kcat's
    /// text `Input is too large, maximum size is N`, where N is, as in kcat,
    /// the maximum plus the delimiter's length.
    pub fn next_record(&mut self) -> io::Result<Option<&[u8]>> {
        loop {
            if let Some(found) = self.finder.find(&self.buf[self.scan..self.end]) {
                let record_start = self.start;
                let record_end = self.scan + found;
                self.check_size(record_end - record_start)?;
                self.start = record_end + self.delim_len;
                self.scan = self.start;
                return Ok(Some(&self.buf[record_start..record_end]));
            }
            // The last delim_len-1 bytes may be the start of a delimiter
            // whose end has not arrived yet: search them again next time.
            self.scan = self.end.saturating_sub(self.delim_len - 1).max(self.start);
            // Everything before `scan` is certainly part of the record.
            self.check_size(self.scan - self.start)?;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let record_start = self.start;
                self.check_size(self.end - record_start)?;
                self.start = self.end;
                self.scan = self.end;
                return Ok(Some(&self.buf[record_start..self.end]));
            }
            self.fill()?;
        }
    }

    fn check_size(&self, len: usize) -> io::Result<()> {
        if len <= self.max_size {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "Input is too large, maximum size is {}",
                self.max_size.saturating_add(self.delim_len)
            ),
        ))
    }

    /// One `read` into the free space, making room first if little is left.
    fn fill(&mut self) -> io::Result<()> {
        let capacity = self.buf.len();
        if capacity - self.end < capacity / 4 {
            // Move the unfinished record to the front: it is usually short,
            // so this is cheaper than growing.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scan -= self.start;
            self.start = 0;
            if capacity - self.end < capacity / 4 {
                // A long record: its size is bounded by check_size.
                self.buf.resize(capacity * 2, 0);
            }
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }
}

/// `-K` for the producer: splits a record at the *first* occurrence of the key
/// delimiter into key and value. The delimiter's searcher is built once, not
/// per record.
pub struct KeySplitter {
    /// `None` for an empty delimiter, which never occurs (kcat's search
    /// returns nothing for it).
    finder: Option<Finder<'static>>,
}

impl KeySplitter {
    pub fn new(key_delim: &[u8]) -> KeySplitter {
        KeySplitter {
            finder: (!key_delim.is_empty()).then(|| Finder::new(key_delim).into_owned()),
        }
    }

    /// Key and value of `record`; `None` if the delimiter does not occur.
    pub fn split<'a>(&self, record: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        let finder = self.finder.as_ref()?;
        let at = finder.find(record)?;
        Some((&record[..at], &record[at + finder.needle().len()..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        reads: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn records(input: &[u8], delim: &[u8], step: usize) -> Vec<Vec<u8>> {
        let mut reader = RecordReader::new(
            Trickle {
                data: input,
                step,
                reads: 0,
            },
            delim.to_vec(),
            1_000_000,
        );
        let mut out = Vec::new();
        while let Some(record) = reader.next_record().unwrap() {
            out.push(record.to_vec());
        }
        // EOF is sticky.
        assert!(reader.next_record().unwrap().is_none());
        out
    }

    fn strs(records: &[Vec<u8>]) -> Vec<&str> {
        records
            .iter()
            .map(|r| std::str::from_utf8(r).unwrap())
            .collect()
    }

    #[test]
    fn lines_including_empty_ones() {
        for step in [1, 2, 3, 1 << 20] {
            assert_eq!(strs(&records(b"l1\n\nl2\n", b"\n", step)), ["l1", "", "l2"]);
            assert_eq!(strs(&records(b"a\nb", b"\n", step)), ["a", "b"]);
            assert_eq!(strs(&records(b"\n", b"\n", step)), [""]);
            assert_eq!(strs(&records(b"\n\n", b"\n", step)), ["", ""]);
            assert!(records(b"", b"\n", step).is_empty());
        }
    }

    #[test]
    fn kcat_multibyte_delimiter_test() {
        // tests/0002-delim.sh: -K ';KeyDel;' -D ':MyDilemma:' -Z.
        let input = b"Key1;KeyDel;Value1:MyDilemma::MyDilemma:;KeyDel;Value2:MyDilemma:Key3;KeyDel;:MyDilemma:Value4";
        let key_splitter = KeySplitter::new(b";KeyDel;");
        for step in [1, 2, 5, 7, 1 << 20] {
            let recs = records(input, b":MyDilemma:", step);
            assert_eq!(
                strs(&recs),
                [
                    "Key1;KeyDel;Value1",
                    "",
                    ";KeyDel;Value2",
                    "Key3;KeyDel;",
                    "Value4"
                ]
            );
            // The producer drops the empty record and applies -K, then -Z
            // turns empty parts into NULL.
            let messages: Vec<_> = recs
                .iter()
                .filter(|r| !r.is_empty())
                .map(|r| match key_splitter.split(r) {
                    Some((k, v)) => ((!k.is_empty()).then_some(k), (!v.is_empty()).then_some(v)),
                    None => (None, Some(&r[..])),
                })
                .collect();
            assert_eq!(
                messages,
                [
                    (Some(&b"Key1"[..]), Some(&b"Value1"[..])),
                    (None, Some(&b"Value2"[..])),
                    (Some(&b"Key3"[..]), None),
                    (None, Some(&b"Value4"[..])),
                ]
            );
        }
    }

    #[test]
    fn partial_and_overlapping_delimiters() {
        for step in [1, 2, 3, 1 << 20] {
            // A delimiter prefix that turns out not to be one.
            assert_eq!(strs(&records(b"a::b:::c", b":::", step)), ["a::b", "c"]);
            // Overlaps: the earliest match wins, as in kcat.
            assert_eq!(strs(&records(b"xaaay", b"aa", step)), ["x", "ay"]);
            // A trailing delimiter prefix is part of the last record.
            assert_eq!(strs(&records(b"a::b::", b":::", step)), ["a::b::"]);
            assert_eq!(strs(&records(b"a\r\nb\r\n", b"\r\n", step)), ["a", "b"]);
        }
    }

    #[test]
    fn does_not_read_while_a_record_is_buffered() {
        let mut reader = RecordReader::new(
            Trickle {
                data: b"one\ntwo\nthree",
                step: 1 << 20,
                reads: 0,
            },
            b"\n".to_vec(),
            100,
        );
        assert_eq!(reader.next_record().unwrap(), Some(&b"one"[..]));
        assert_eq!(reader.inner.reads, 1);
        assert_eq!(reader.next_record().unwrap(), Some(&b"two"[..]));
        assert_eq!(reader.inner.reads, 1);
        assert_eq!(reader.next_record().unwrap(), Some(&b"three"[..]));
        assert_eq!(reader.next_record().unwrap(), None);
    }

    #[test]
    fn records_larger_than_the_buffer() {
        let big = vec![b'x'; INITIAL_CAPACITY * 3 + 17];
        let mut input = b"a\n".to_vec();
        input.extend_from_slice(&big);
        input.extend_from_slice(b"\nb\n");
        input.extend_from_slice(&big);
        for step in [4096, 1 << 20] {
            let recs = records(&input, b"\n", step);
            assert_eq!(recs.len(), 4);
            assert_eq!(recs[0], b"a");
            assert_eq!(recs[1], big);
            assert_eq!(recs[2], b"b");
            assert_eq!(recs[3], big);
        }
    }

    #[test]
    fn many_small_records_wrap_the_buffer() {
        let mut input = Vec::new();
        for i in 0..100_000 {
            input.extend_from_slice(format!("record-{i}\n").as_bytes());
        }
        let recs = records(&input, b"\n", 65_537);
        assert_eq!(recs.len(), 100_000);
        assert_eq!(recs[99_999], b"record-99999");
    }

    fn too_large(input: &[u8], delim: &[u8], max: usize) -> io::Error {
        let mut reader = RecordReader::new(input, delim.to_vec(), max);
        loop {
            match reader.next_record() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error"),
                Err(e) => return e,
            }
        }
    }

    #[test]
    fn size_limit() {
        let e = too_large(b"12345\n123456\n", b"\n", 5);
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(e.to_string(), "Input is too large, maximum size is 6");
        // Without a delimiter, at EOF.
        assert_eq!(
            too_large(b"123456", b"--", 5).to_string(),
            "Input is too large, maximum size is 7"
        );
        // Long before any delimiter shows up.
        let endless = io::repeat(b'x');
        let mut reader = RecordReader::new(endless, b"\n".to_vec(), 1000);
        assert!(reader.next_record().is_err());
        // Exactly the limit is fine.
        assert_eq!(strs(&records(b"12345", b"\n", 5)), ["12345"]);
        let mut reader = RecordReader::new(&b"12345::"[..], b"::".to_vec(), 5);
        assert_eq!(reader.next_record().unwrap(), Some(&b"12345"[..]));
    }

    #[test]
    fn read_errors_pass_through_and_interrupts_retry() {
        struct Flaky(u8);
        impl Read for Flaky {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                self.0 += 1;
                match self.0 {
                    1 => Err(io::ErrorKind::Interrupted.into()),
                    2 => {
                        out[..2].copy_from_slice(b"a\n");
                        Ok(2)
                    }
                    _ => Err(io::Error::other("boom")),
                }
            }
        }
        let mut reader = RecordReader::new(Flaky(0), b"\n".to_vec(), 10);
        assert_eq!(reader.next_record().unwrap(), Some(&b"a"[..]));
        assert_eq!(reader.next_record().unwrap_err().to_string(), "boom");
    }

    #[test]
    fn key_split() {
        let split = |record: &'static [u8], delim: &[u8]| KeySplitter::new(delim).split(record);
        assert_eq!(split(b"k:v", b":"), Some((&b"k"[..], &b"v"[..])));
        assert_eq!(split(b"k:v:w", b":"), Some((&b"k"[..], &b"v:w"[..])));
        assert_eq!(split(b":v", b":"), Some((&b""[..], &b"v"[..])));
        assert_eq!(split(b"k:", b":"), Some((&b"k"[..], &b""[..])));
        assert_eq!(split(b"kv", b":"), None);
        assert_eq!(split(b"k::v", b"::"), Some((&b"k"[..], &b"v"[..])));
        assert_eq!(split(b"k:v", b""), None);
    }
}
