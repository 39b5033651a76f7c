//! Where the worker keeps source offsets (`OffsetBackingStore`): in memory, or in the
//! standalone offsets file in Java's format, so a `connect-standalone.sh` offsets file and
//! kct's are interchangeable. Keys and values are the bytes Connect writes (spec §4).

pub mod kafka;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;

use crate::connect::types::JsonMap;
use crate::internal::{offset_file, offsets};

/// Raw offsets by exact key bytes; `None` is a tombstone.
pub type OffsetEntries = IndexMap<Vec<u8>, Option<Vec<u8>>>;

pub trait OffsetBackingStore: Send {
    fn entries(&self) -> &OffsetEntries;
    /// Applies `batch` and makes it durable before returning.
    fn set(&mut self, batch: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), String>;
    /// Catches up with writes made outside this worker; only a shared store has any.
    fn read_to_end(&mut self) -> Result<(), String> {
        Ok(())
    }
}

#[derive(Default)]
pub struct MemoryOffsetBackingStore {
    entries: OffsetEntries,
}

impl OffsetBackingStore for MemoryOffsetBackingStore {
    fn entries(&self) -> &OffsetEntries {
        &self.entries
    }

    fn set(&mut self, batch: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), String> {
        self.entries.extend(batch);
        Ok(())
    }
}

/// `offset.storage.file.filename`: the whole map rewritten on every flush, as Java does, but
/// through a temporary file and a rename so a crash never leaves half a file.
pub struct FileOffsetBackingStore {
    path: PathBuf,
    entries: OffsetEntries,
}

impl FileOffsetBackingStore {
    pub fn open(path: PathBuf) -> Result<Self, String> {
        let entries = match std::fs::read(&path) {
            Ok(bytes) => offset_file::read(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .into_iter()
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => OffsetEntries::new(),
            Err(e) => {
                return Err(format!(
                    "{}: {}",
                    path.display(),
                    crate::io_error::io_error_text(&e)
                ))
            }
        };
        Ok(FileOffsetBackingStore { path, entries })
    }

    fn save(&self) -> Result<(), String> {
        let all: Vec<(Vec<u8>, Option<Vec<u8>>)> = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let bytes = offset_file::write(&all);
        let tmp = self.path.with_extension("tmp-kct");
        let at = |e: std::io::Error| {
            format!(
                "writing offsets to {}: {}",
                self.path.display(),
                crate::io_error::io_error_text(&e)
            )
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(at)?;
        }
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(at)?;
            f.write_all(&bytes).map_err(at)?;
            f.sync_all().map_err(at)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(at)
    }
}

impl OffsetBackingStore for FileOffsetBackingStore {
    fn entries(&self) -> &OffsetEntries {
        &self.entries
    }

    fn set(&mut self, batch: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), String> {
        self.entries.extend(batch);
        self.save()
    }
}

/// The store shared by the herder and the source tasks, with Connect's view on top: offsets
/// per (connector, source partition).
#[derive(Clone)]
pub struct OffsetStore {
    inner: Arc<Mutex<Box<dyn OffsetBackingStore>>>,
}

impl OffsetStore {
    pub fn new(store: Box<dyn OffsetBackingStore>) -> Self {
        OffsetStore {
            inner: Arc::new(Mutex::new(store)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Box<dyn OffsetBackingStore>> {
        // A task that panicked while holding the lock left whole entries: keep going.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Catches up with the backing store before offsets are handed to a starting task or a
    /// REST caller, as Java's offset reader does.
    pub fn read_to_end(&self) -> Result<(), String> {
        self.lock().read_to_end()
    }

    /// The last committed offset of one source partition of `connector`.
    pub fn offset(&self, connector: &str, partition: &JsonMap) -> Option<JsonMap> {
        let store = self.lock();
        let key = self.key_for(&**store, connector, partition);
        let value = store.entries().get(&key)?.as_deref()?;
        offsets::decode_value(Some(value)).ok().flatten()
    }

    /// Every known source partition of `connector` with its offset (None = reset).
    pub fn connector_offsets(&self, connector: &str) -> Vec<(JsonMap, Option<JsonMap>)> {
        let store = self.lock();
        store
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                let (name, partition) = offsets::decode_key(k).ok().flatten()?;
                if name != connector {
                    return None;
                }
                let offset = offsets::decode_value(v.as_deref()).ok().flatten();
                Some((partition, offset))
            })
            .filter(|(_, o)| o.is_some())
            .collect()
    }

    /// Writes offsets of `connector` (None = tombstone), reusing the exact key bytes already
    /// stored for a partition so the record lands on the same compacted key.
    pub fn write(
        &self,
        connector: &str,
        batch: &[(JsonMap, Option<JsonMap>)],
    ) -> Result<(), String> {
        let mut store = self.lock();
        let raw: Vec<(Vec<u8>, Option<Vec<u8>>)> = batch
            .iter()
            .map(|(p, o)| {
                (
                    self.key_for(&**store, connector, p),
                    offsets::encode_value(o.as_ref()),
                )
            })
            .collect();
        store.set(raw)
    }

    fn key_for(
        &self,
        store: &dyn OffsetBackingStore,
        connector: &str,
        partition: &JsonMap,
    ) -> Vec<u8> {
        let key = offsets::encode_key(connector, partition);
        if store.entries().contains_key(&key) {
            return key;
        }
        // Same partition written by another writer with its keys in another order.
        store
            .entries()
            .keys()
            .find(|k| {
                matches!(offsets::decode_key(k), Ok(Some((ref n, ref p))) if n == connector && same_map(p, partition))
            })
            .cloned()
            .unwrap_or(key)
    }
}

fn same_map(a: &JsonMap, b: &JsonMap) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: serde_json::Value) -> JsonMap {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn file_store_survives_reopen_and_keeps_key_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let store = OffsetStore::new(Box::new(
            FileOffsetBackingStore::open(path.clone()).unwrap(),
        ));
        let p = map(json!({"filename": "test.txt"}));
        store
            .write(
                "local-file-source",
                &[(p.clone(), Some(map(json!({"position": 30}))))],
            )
            .unwrap();
        let again = OffsetStore::new(Box::new(
            FileOffsetBackingStore::open(path.clone()).unwrap(),
        ));
        assert_eq!(
            again.offset("local-file-source", &p),
            Some(map(json!({"position": 30})))
        );
        assert_eq!(again.connector_offsets("other"), vec![]);
        again
            .write("local-file-source", &[(p.clone(), None)])
            .unwrap();
        assert_eq!(again.offset("local-file-source", &p), None);
        assert!(again.connector_offsets("local-file-source").is_empty());

        // A two-key partition written by Java in HashMap order is found and rewritten in place.
        let mem = OffsetStore::new(Box::<MemoryOffsetBackingStore>::default());
        let java_key = br#"["s",{"kafka_partition":0,"kafka_topic":"t"}]"#.to_vec();
        mem.lock()
            .set(vec![(java_key.clone(), Some(b"{\"o\":1}".to_vec()))])
            .unwrap();
        let ours = map(json!({"kafka_topic": "t", "kafka_partition": 0}));
        assert_eq!(mem.offset("s", &ours), Some(map(json!({"o": 1}))));
        mem.write("s", &[(ours, Some(map(json!({"o": 2}))))])
            .unwrap();
        assert_eq!(mem.lock().entries().len(), 1);
        assert_eq!(
            mem.lock().entries()[&java_key].as_deref(),
            Some(&b"{\"o\":2}"[..])
        );
    }

    #[test]
    fn a_file_that_is_not_an_offsets_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.offsets");
        std::fs::write(&path, b"hello world").unwrap();
        let e = FileOffsetBackingStore::open(path).err().unwrap();
        assert!(e.contains("bad.offsets"), "{e}");
    }
}
