//! The standalone worker's offsets file (`offset.storage.file.filename`, spec §4.5): a
//! `java.util.HashMap<byte[], byte[]>` written with Java's `ObjectOutputStream`, keys and
//! values being the same JSON bytes as in `connect-offsets`. Only the fixed subset of the Java
//! serialization format that `FileOffsetBackingStore.save()` produces is written and read.

use super::{CodecError, Store};

const STREAM_MAGIC: [u8; 4] = [0xac, 0xed, 0x00, 0x05];
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_ARRAY: u8 = 0x75;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
/// Handles count up from here, one per class descriptor and per object, in stream order.
const BASE_HANDLE: u32 = 0x7e_0000;

const SC_WRITE_METHOD: u8 = 0x01;
const SC_SERIALIZABLE: u8 = 0x02;

const HASH_MAP_CLASS: &[u8] = b"java.util.HashMap";
const HASH_MAP_SUID: u64 = 0x0507_dac1_c316_60d1;
/// `HashMap`'s serializable fields in the order Java writes them (primitives by name).
const HASH_MAP_FIELDS: [(u8, &[u8]); 2] = [(b'F', b"loadFactor"), (b'I', b"threshold")];
const BYTE_ARRAY_CLASS: &[u8] = b"[B";
const BYTE_ARRAY_SUID: u64 = 0xacf3_17f8_0608_54e0;

const LOAD_FACTOR: f32 = 0.75;
const DEFAULT_CAPACITY: i32 = 16;
const MAXIMUM_CAPACITY: i64 = 1 << 30;

/// One offset: key bytes and value bytes; a `None` value is how the file stores a deleted
/// offset (Java keeps the entry with a null value rather than removing it).
pub type Entry = (Vec<u8>, Option<Vec<u8>>);

/// The file's bytes for these entries, written in the given order. (Java writes its
/// `HashMap`'s iteration order, which depends on identity hash codes; readers must not
/// depend on the order.)
///
/// Java arrays cannot exceed `i32::MAX` bytes, so neither can a key or value Java could read
/// back; longer ones are cut to that length.
pub fn write(entries: &[Entry]) -> Vec<u8> {
    let mut w = Writer::default();
    w.out.extend_from_slice(&STREAM_MAGIC);
    w.out.push(TC_OBJECT);
    w.hash_map_class_desc();
    w.assign_handle(); // the HashMap object itself

    let (threshold, capacity) = table_shape(entries.len());
    w.float(LOAD_FACTOR);
    w.int(threshold);
    // HashMap.writeObject's own data: bucket count and size, as one block.
    w.out.extend_from_slice(&[TC_BLOCKDATA, 8]);
    w.int(capacity);
    w.int(java_int(entries.len()));
    for (key, value) in entries {
        w.byte_array(Some(key));
        w.byte_array(value.as_deref());
    }
    w.out.push(TC_ENDBLOCKDATA);
    w.out
}

/// The `threshold` field and bucket count of the `HashMap` that `save()` builds with
/// `new HashMap<>()` and one `put` per entry. The default constructor allocates no table and
/// leaves `threshold` at 0, so an empty map writes threshold 0 and capacity 16 (`capacity()`
/// falls back to the default). The first `put` allocates 16 buckets with threshold 12
/// (16 × 0.75); each `put` that takes the size past the threshold doubles both, until the
/// 2^30-bucket ceiling, where the threshold becomes `Integer.MAX_VALUE`.
fn table_shape(entries: usize) -> (i32, i32) {
    if entries == 0 {
        return (0, DEFAULT_CAPACITY);
    }
    let entries = i64::try_from(entries).unwrap_or(i64::MAX);
    let (mut threshold, mut capacity) = (12_i64, i64::from(DEFAULT_CAPACITY));
    while entries > threshold && capacity < MAXIMUM_CAPACITY {
        capacity *= 2;
        threshold = if capacity < MAXIMUM_CAPACITY {
            threshold * 2
        } else {
            i64::from(i32::MAX)
        };
    }
    (java_int(threshold), java_int(capacity))
}

fn java_int(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    next_handle: u32,
    byte_array_desc: Option<u32>,
}

impl Writer {
    fn assign_handle(&mut self) -> u32 {
        let handle = BASE_HANDLE + self.next_handle;
        self.next_handle += 1;
        handle
    }

    fn hash_map_class_desc(&mut self) {
        self.out.push(TC_CLASSDESC);
        self.utf(HASH_MAP_CLASS);
        self.out.extend_from_slice(&HASH_MAP_SUID.to_be_bytes());
        self.assign_handle();
        self.out.push(SC_WRITE_METHOD | SC_SERIALIZABLE);
        self.short(HASH_MAP_FIELDS.len() as u16);
        for (type_code, name) in HASH_MAP_FIELDS {
            self.out.push(type_code);
            self.utf(name);
        }
        self.out.extend_from_slice(&[TC_ENDBLOCKDATA, TC_NULL]); // no annotations, no superclass
    }

    /// The first array carries the `[B` class descriptor; later ones refer back to it.
    fn byte_array(&mut self, bytes: Option<&[u8]>) {
        let Some(bytes) = bytes else {
            self.out.push(TC_NULL);
            return;
        };
        self.out.push(TC_ARRAY);
        match self.byte_array_desc {
            Some(handle) => {
                self.out.push(TC_REFERENCE);
                self.out.extend_from_slice(&handle.to_be_bytes());
            }
            None => {
                self.out.push(TC_CLASSDESC);
                self.utf(BYTE_ARRAY_CLASS);
                self.out.extend_from_slice(&BYTE_ARRAY_SUID.to_be_bytes());
                self.byte_array_desc = Some(self.assign_handle());
                self.out.push(SC_SERIALIZABLE);
                self.short(0); // no fields
                self.out.extend_from_slice(&[TC_ENDBLOCKDATA, TC_NULL]); // no annotations, no superclass
            }
        }
        // Every array takes a handle too, although nothing here refers back to one.
        self.assign_handle();
        let len = java_int(bytes.len());
        self.int(len);
        self.out.extend_from_slice(&bytes[..len as usize]);
    }

    fn short(&mut self, n: u16) {
        self.out.extend_from_slice(&n.to_be_bytes());
    }

    fn int(&mut self, n: i32) {
        self.out.extend_from_slice(&n.to_be_bytes());
    }

    fn float(&mut self, f: f32) {
        self.out.extend_from_slice(&f.to_bits().to_be_bytes());
    }

    /// Class and field names, ASCII here, so modified UTF-8 is plain bytes.
    fn utf(&mut self, s: &[u8]) {
        self.short(s.len() as u16);
        self.out.extend_from_slice(s);
    }
}

/// Reads what `save()` writes. Like Java's `load()`, an empty or truncated file reads as no
/// entries (Java treats the `EOFException` as "missing or corrupt, start empty"); anything
/// else that is not this layout is an error. Entries come back in file order; a null key
/// (possible in the format, never written by Connect) is skipped, as it names no connector.
pub fn read(bytes: &[u8]) -> Result<Vec<Entry>, CodecError> {
    let mut reader = Reader {
        bytes,
        pos: 0,
        handles: Vec::new(),
    };
    match reader.hash_map() {
        Ok(entries) => Ok(entries),
        Err(ReadError::Eof) => Ok(Vec::new()),
        Err(ReadError::Format(problem)) => Err(CodecError::unkeyed(Store::OffsetFile, problem)),
    }
}

enum ReadError {
    Eof,
    Format(String),
}

fn format_error<T>(problem: String) -> Result<T, ReadError> {
    Err(ReadError::Format(problem))
}

/// What a handle stands for; back-references may only point at byte arrays or their class.
enum Handle {
    HashMapClass,
    HashMap,
    ByteArrayClass,
    ByteArray(Vec<u8>),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    handles: Vec<Handle>,
}

impl<'a> Reader<'a> {
    fn hash_map(&mut self) -> Result<Vec<Entry>, ReadError> {
        let magic = self.take(4)?;
        if magic != STREAM_MAGIC {
            return format_error(format!(
                "not a Java serialization stream (expected header aced0005, found {})",
                hex::encode(magic)
            ));
        }
        let tc = self.u8()?;
        if tc != TC_OBJECT {
            return format_error(format!(
                "expected a serialized java.util.HashMap (type code 73), found type code {tc:02x}"
            ));
        }
        self.hash_map_class_desc()?;
        self.handles.push(Handle::HashMap);

        let load_factor = f32::from_bits(self.u32()?);
        if load_factor.is_nan() || load_factor <= 0.0 {
            return format_error(format!("illegal HashMap load factor {load_factor}"));
        }
        self.u32()?; // threshold: Java recomputes it
        if self.u8()? != TC_BLOCKDATA || self.u8()? != 8 {
            return format_error(
                "expected the HashMap's 8-byte block with its capacity and size".to_owned(),
            );
        }
        self.u32()?; // capacity: only a sizing hint
        let size = self.u32()? as i32;
        if size < 0 {
            return format_error(format!("illegal HashMap size {size}"));
        }
        let mut entries = Vec::new();
        for _ in 0..size {
            let key = self.byte_array()?;
            let value = self.byte_array()?;
            if let Some(key) = key {
                entries.push((key, value));
            }
        }
        if self.u8()? != TC_ENDBLOCKDATA {
            return format_error(format!(
                "expected the end of the HashMap after {size} entries"
            ));
        }
        Ok(entries)
    }

    fn hash_map_class_desc(&mut self) -> Result<(), ReadError> {
        let tc = self.u8()?;
        let name = self.utf()?;
        if tc != TC_CLASSDESC || name != HASH_MAP_CLASS {
            return format_error(format!(
                "expected a serialized java.util.HashMap, found class {:?}",
                String::from_utf8_lossy(name)
            ));
        }
        self.suid(HASH_MAP_SUID, "java.util.HashMap")?;
        self.handles.push(Handle::HashMapClass);
        let flags = self.u8()?;
        let field_count = self.u16()?;
        let mut fields = Vec::new();
        for _ in 0..field_count {
            let type_code = self.u8()?;
            fields.push((type_code, self.utf()?));
        }
        if flags != SC_WRITE_METHOD | SC_SERIALIZABLE || fields != HASH_MAP_FIELDS {
            return format_error(
                "unexpected java.util.HashMap class layout (expected fields loadFactor and threshold)"
                    .to_owned(),
            );
        }
        self.end_of_class_desc("java.util.HashMap")
    }

    /// A `byte[]` or null: a new array (with a new or back-referenced `[B` class
    /// descriptor), or a back-reference to an array already read.
    fn byte_array(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        match self.u8()? {
            TC_NULL => Ok(None),
            TC_ARRAY => {
                self.byte_array_class()?;
                let len = self.u32()? as i32;
                if len < 0 {
                    return format_error(format!("illegal byte[] length {len}"));
                }
                let bytes = self.take(len as usize)?.to_vec();
                self.handles.push(Handle::ByteArray(bytes.clone()));
                Ok(Some(bytes))
            }
            TC_REFERENCE => match self.handle()? {
                Handle::ByteArray(bytes) => Ok(Some(bytes.clone())),
                _ => format_error("a back-reference in the HashMap is not a byte[]".to_owned()),
            },
            tc => format_error(format!(
                "expected a byte[] or null in the HashMap, found type code {tc:02x}"
            )),
        }
    }

    fn byte_array_class(&mut self) -> Result<(), ReadError> {
        match self.u8()? {
            TC_REFERENCE => match self.handle()? {
                Handle::ByteArrayClass => Ok(()),
                _ => format_error("an array in the HashMap is not a byte[]".to_owned()),
            },
            TC_CLASSDESC => {
                let name = self.utf()?;
                if name != BYTE_ARRAY_CLASS {
                    return format_error(format!(
                        "expected a byte[] in the HashMap, found an array of class {:?}",
                        String::from_utf8_lossy(name)
                    ));
                }
                self.suid(BYTE_ARRAY_SUID, "byte[]")?;
                self.handles.push(Handle::ByteArrayClass);
                if self.u8()? != SC_SERIALIZABLE || self.u16()? != 0 {
                    return format_error("unexpected byte[] class layout".to_owned());
                }
                self.end_of_class_desc("byte[]")
            }
            tc => format_error(format!(
                "expected the byte[] class descriptor, found type code {tc:02x}"
            )),
        }
    }

    fn suid(&mut self, expected: u64, class: &str) -> Result<(), ReadError> {
        let suid = self.u64()?;
        if suid != expected {
            return format_error(format!(
                "{class} has serialVersionUID {suid:016x}, expected {expected:016x}"
            ));
        }
        Ok(())
    }

    /// No class annotations, no serializable superclass.
    fn end_of_class_desc(&mut self, class: &str) -> Result<(), ReadError> {
        if self.u8()? != TC_ENDBLOCKDATA || self.u8()? != TC_NULL {
            return format_error(format!(
                "unexpected annotations or superclass in the {class} class descriptor"
            ));
        }
        Ok(())
    }

    fn handle(&mut self) -> Result<&Handle, ReadError> {
        let handle = self.u32()?;
        let index = handle.checked_sub(BASE_HANDLE).map(|i| i as usize);
        match index.and_then(|i| self.handles.get(i)) {
            Some(h) => Ok(h),
            None => format_error(format!("back-reference to unknown handle {handle:08x}")),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        let end = self.pos.checked_add(n).ok_or(ReadError::Eof)?;
        let bytes: &'a [u8] = self.bytes.get(self.pos..end).ok_or(ReadError::Eof)?;
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, ReadError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, ReadError> {
        self.array().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, ReadError> {
        self.array().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64, ReadError> {
        self.array().map(u64::from_be_bytes)
    }

    fn utf(&mut self) -> Result<&'a [u8], ReadError> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = br#"["local-file-source",{"filename":"test.txt"}]"#;
    const VALUE: &[u8] = br#"{"position":30}"#;

    fn h(hex: &str) -> Vec<u8> {
        hex::decode(hex).unwrap()
    }

    /// The spec's 175-byte example, rebuilt piece by piece from its annotated dump.
    fn spec_example() -> Vec<u8> {
        [
            h("aced0005"),
            h("73720011"),
            b"java.util.HashMap".to_vec(),
            h("0507dac1c31660d1030002"),
            h("46000a"),
            b"loadFactor".to_vec(),
            h("490009"),
            b"threshold".to_vec(),
            h("7870"),
            h("3f4000000000000c"),
            h("77080000001000000001"),
            h("75720002"),
            b"[B".to_vec(),
            h("acf317f8060854e00200007870"),
            h("0000002d"),
            KEY.to_vec(),
            h("7571007e0002"),
            h("0000000f"),
            VALUE.to_vec(),
            h("78"),
        ]
        .concat()
    }

    fn entries(n: usize) -> Vec<Entry> {
        (0..n)
            .map(|i| {
                let key = format!(r#"["c",{{"file":"f{i}"}}]"#).into_bytes();
                let value = (i % 3 != 2).then(|| format!(r#"{{"position":{i}}}"#).into_bytes());
                (key, value)
            })
            .collect()
    }

    /// (threshold, capacity, size) from a written header.
    fn header(bytes: &[u8]) -> (i32, i32, i32) {
        let int = |at: usize| i32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        // 63 bytes of stream header and class descriptor, then loadFactor.
        assert_eq!(&bytes[63..67], h("3f400000"));
        assert_eq!(&bytes[71..73], [TC_BLOCKDATA, 8]);
        (int(67), int(73), int(77))
    }

    #[test]
    fn one_entry_matches_the_spec_byte_for_byte() {
        let expected = spec_example();
        assert_eq!(expected.len(), 175);
        let written = write(&[(KEY.to_vec(), Some(VALUE.to_vec()))]);
        assert_eq!(hex::encode(&written), hex::encode(&expected));
        assert_eq!(
            read(&expected).unwrap(),
            vec![(KEY.to_vec(), Some(VALUE.to_vec()))]
        );
    }

    #[test]
    fn empty_map_has_threshold_zero_and_default_capacity() {
        let written = write(&[]);
        assert_eq!(header(&written), (0, 16, 0));
        assert_eq!(written.len(), 82);
        assert_eq!(written[81], TC_ENDBLOCKDATA);
        assert_eq!(read(&written).unwrap(), Vec::<Entry>::new());
    }

    #[test]
    fn table_grows_like_java_hash_map() {
        assert_eq!(table_shape(1), (12, 16));
        assert_eq!(table_shape(12), (12, 16));
        assert_eq!(table_shape(13), (24, 32));
        assert_eq!(table_shape(25), (48, 64));
        assert_eq!(table_shape(402653184), (402653184, 1 << 29));
        // Reaching 2^30 buckets, Java sets the threshold to Integer.MAX_VALUE, not 0.75 × 2^30.
        assert_eq!(table_shape(402653185), (i32::MAX, 1 << 30));
        assert_eq!(table_shape(usize::MAX), (i32::MAX, 1 << 30));
    }

    #[test]
    fn round_trips_with_growth_and_null_values() {
        for n in [1, 2, 12, 13, 30] {
            let entries = entries(n);
            let written = write(&entries);
            let (threshold, capacity, size) = header(&written);
            assert_eq!((threshold, capacity), table_shape(n));
            assert_eq!(size as usize, n);
            assert_eq!(read(&written).unwrap(), entries, "{n} entries");
        }
        let written = write(&entries(13));
        assert_eq!(header(&written), (24, 32, 13));
    }

    #[test]
    fn later_arrays_refer_back_to_the_byte_array_class() {
        let written = write(&entries(3));
        let back_refs = written
            .windows(6)
            .filter(|w| *w == h("7571007e0002"))
            .count();
        // Six arrays but entry 2 has a null value: one descriptor, four back-references.
        assert_eq!(back_refs, 4);
        assert_eq!(written.windows(2).filter(|w| *w == b"[B").count(), 1);
    }

    #[test]
    fn null_value_is_tc_null() {
        let written = write(&[(b"k".to_vec(), None)]);
        assert_eq!(&written[written.len() - 2..], [TC_NULL, TC_ENDBLOCKDATA]);
        assert_eq!(read(&written).unwrap(), vec![(b"k".to_vec(), None)]);
    }

    #[test]
    fn empty_or_truncated_files_read_as_empty_like_java() {
        let full = spec_example();
        for len in [0, 1, 3, 4, 10, 62, 100, 150, 174] {
            assert_eq!(
                read(&full[..len]).unwrap(),
                Vec::<Entry>::new(),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn back_referenced_values_and_null_keys_are_read() {
        // Java would write a back-reference if two entries shared one array object.
        let mut bytes = spec_example();
        bytes.truncate(bytes.len() - 1);
        bytes[80] = 3; // size
        bytes.extend(h("7571007e00020000000161")); // key "a", handle 7e0005
        bytes.extend(h("71007e0004")); // value: the first entry's value array
        bytes.extend(h("70")); // a null key, skipped
        bytes.extend(h("70"));
        bytes.push(TC_ENDBLOCKDATA);
        assert_eq!(
            read(&bytes).unwrap(),
            vec![
                (KEY.to_vec(), Some(VALUE.to_vec())),
                (b"a".to_vec(), Some(VALUE.to_vec())),
            ]
        );
    }

    #[test]
    fn other_formats_are_clear_errors() {
        let e = read(b"{\"a\":1}").unwrap_err().to_string();
        assert_eq!(
            e,
            "standalone offsets file: not a Java serialization stream (expected header aced0005, found 7b226122)"
        );
        let string_object = [h("aced0005"), h("740002"), b"hi".to_vec()].concat();
        assert!(read(&string_object).unwrap_err().problem.contains(
            "expected a serialized java.util.HashMap (type code 73), found type code 74"
        ));

        let mut tree_map = spec_example();
        tree_map[8..25].copy_from_slice(b"java.util.TreeMap");
        assert!(read(&tree_map)
            .unwrap_err()
            .problem
            .contains(r#"found class "java.util.TreeMap""#));

        let mut wrong_suid = spec_example();
        wrong_suid[25] ^= 1;
        assert!(read(&wrong_suid)
            .unwrap_err()
            .problem
            .contains("serialVersionUID"));

        let mut not_an_array = spec_example();
        not_an_array[81] = 0x74;
        assert!(read(&not_an_array)
            .unwrap_err()
            .problem
            .contains("expected a byte[] or null"));

        let mut bad_reference = spec_example();
        let at = bad_reference.len() - 1 - 15 - 4 - 4;
        bad_reference[at..at + 4].copy_from_slice(&h("007e0000"));
        assert!(read(&bad_reference)
            .unwrap_err()
            .problem
            .contains("not a byte[]"));

        let mut extra = spec_example();
        extra.truncate(extra.len() - 1);
        extra.push(TC_NULL);
        assert!(read(&extra)
            .unwrap_err()
            .problem
            .contains("end of the HashMap"));
    }
}
