//! Data generator source connectors for demos and benchmarks: kct's `DataGenConnector`,
//! and Confluent's `DatagenConnector` class name for configs written for it. Records have the
//! Confluent quickstart shapes (`users`, `pageviews`, `orders`) or are text `lines` of a set
//! size. Each task paces its records `max.interval` ms apart by sleeping (never spinning, never
//! longer than a short poll), and a record is a function of (seed, task, iteration) alone, so a
//! `random.seed` makes the output reproducible, across restarts too.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::{Factory, OffsetReader, PluginDesc, SourceConnector, SourceTask};
use crate::connect::types::{ConfigMap, JsonMap};
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, SchemaRef, SourceOffset, Struct, Value};

pub const DATAGEN: PluginDesc = PluginDesc {
    class: "io.kct.connect.datagen.DataGenConnector",
    task_class: "io.kct.connect.datagen.DataGenTask",
    config_def: def,
    factory: Factory::Source {
        connector: || Box::<DataGenConnector>::default(),
        task: || Box::<DataGenTask>::default(),
    },
};

/// Confluent's class name, so `kafka-connect-datagen` configs run unchanged (for the
/// quickstarts kct knows).
pub const CONFLUENT: PluginDesc = PluginDesc {
    class: "io.confluent.kafka.connect.datagen.DatagenConnector",
    task_class: "io.confluent.kafka.connect.datagen.DatagenTask",
    config_def: def,
    factory: Factory::Source {
        connector: || Box::<DataGenConnector>::default(),
        task: || Box::<DataGenTask>::default(),
    },
};

/// How long a poll waits at most, so the task loop notices pause and stop.
const IDLE_WAIT: Duration = Duration::from_millis(200);

/// The most records one poll returns.
const MAX_BATCH: usize = 1000;

/// A task this late (after a pause, say) restarts its cadence instead of bursting to catch up.
const MAX_LAG: Duration = Duration::from_secs(1);

fn def() -> ConfigDef {
    let keys = [
        (Key::new("kafka.topic", ConfigType::String, Default::Null, Importance::High,
            "Topic to write to (required, or `topic`)."), Validator::Any),
        (Key::new("topic", ConfigType::String, Default::Null, Importance::Low,
            "Alias of kafka.topic."), Validator::Any),
        (Key::new("quickstart", ConfigType::String, Default::Value("orders"), Importance::High,
            "Record shape: users, pageviews and orders as Confluent's quickstarts (struct values, string keys), or lines (string values of message.size bytes, no key)."),
            Validator::OneOf(&["users", "pageviews", "orders", "lines"])),
        (Key::new("max.interval", ConfigType::Long, Default::Value("500"), Importance::High,
            "Milliseconds between two records of a task (Confluent's datagen waits a random time up to this); 0 = as fast as possible."),
            Validator::AtLeast(0)),
        (Key::new("iterations", ConfigType::Long, Default::Value("-1"), Importance::High,
            "Records to produce in all, shared by the tasks; less than 1 = forever. A task that is done stays idle."),
            Validator::Any),
        (Key::new("random.seed", ConfigType::Long, Default::Null, Importance::Low,
            "Makes the output reproducible: record N of task T is the same on every run."),
            Validator::Any),
        (Key::new("message.size", ConfigType::Int, Default::Value("100"), Importance::Medium,
            "Bytes per record for quickstart=lines."), Validator::AtLeast(0)),
        (Key::new("task.id", ConfigType::Int, Default::Value("0"), Importance::Low,
            "Internal setting: this task's number. The connector sets it."), Validator::AtLeast(0)),
        (Key::new("task.count", ConfigType::Int, Default::Value("1"), Importance::Low,
            "Internal setting: how many tasks share the iterations. The connector sets it."),
            Validator::AtLeast(1)),
    ];
    keys.into_iter()
        .fold(ConfigDef::new(), |d, (key, validator)| {
            d.plain(key, validator)
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quickstart {
    Users,
    Pageviews,
    Orders,
    Lines,
}

struct Settings {
    topic: String,
    quickstart: Quickstart,
    interval: Duration,
    /// This task's share of `iterations`; `None` = forever.
    share: Option<u64>,
    seed: u64,
    task: u64,
    task_count: u64,
    message_size: usize,
}

impl Settings {
    fn parse(config: &ConfigMap) -> Result<Settings, String> {
        def().check(config)?;
        if let Some(k) = ["schema.filename", "schema.string", "schema.keyfield"]
            .into_iter()
            .find(|k| config.get(*k).is_some_and(|v| !v.trim().is_empty()))
        {
            return Err(format!("{k} is not supported: kct's data generator knows the quickstarts users, pageviews, orders and lines"));
        }
        let text = |k: &str| config.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let number = |k: &str, default: i64| -> Result<i64, String> {
            text(k).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| format!("Invalid value {v} for configuration {k}"))
            })
        };
        let topic = text("kafka.topic")
            .or_else(|| text("topic"))
            .ok_or("Missing required configuration \"kafka.topic\" which has no default value.")?;
        let quickstart = match text("quickstart")
            .unwrap_or("orders")
            .to_ascii_lowercase()
            .as_str()
        {
            "users" => Quickstart::Users,
            "pageviews" => Quickstart::Pageviews,
            "lines" => Quickstart::Lines,
            _ => Quickstart::Orders,
        };
        let task = number("task.id", 0)? as u64;
        let task_count = number("task.count", 1)?.max(1) as u64;
        let iterations = number("iterations", -1)?;
        let seed = match text("random.seed") {
            Some(_) => number("random.seed", 0)? as u64,
            None => unseeded(task),
        };
        Ok(Settings {
            topic: topic.to_string(),
            quickstart,
            interval: Duration::from_millis(number("max.interval", 500)?.max(0) as u64),
            share: u64::try_from(iterations)
                .ok()
                .filter(|n| *n > 0)
                .map(|n| n / task_count + u64::from(task < n % task_count)),
            seed,
            task,
            task_count,
            message_size: number("message.size", 100)?.max(0) as usize,
        })
    }
}

/// A seed that differs between runs and tasks, for when none is configured.
fn unseeded(task: u64) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    mix(nanos ^ u64::from(std::process::id()).rotate_left(32) ^ task)
}

#[derive(Default)]
struct DataGenConnector {
    config: ConfigMap,
}

impl SourceConnector for DataGenConnector {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String> {
        Settings::parse(config)?;
        self.config = config.clone();
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Vec<ConfigMap> {
        super::numbered_task_configs(&self.config, max_tasks, "task.id")
    }

    fn alter_offsets(
        &self,
        _config: &ConfigMap,
        offsets: &[(JsonMap, Option<JsonMap>)],
    ) -> Result<bool, String> {
        for (partition, offset) in offsets {
            if partition.get("task").and_then(|t| t.as_u64()).is_none() {
                return Err("Partitions must contain the key 'task' with the task number".into());
            }
            if let Some(o) = offset {
                if o.get("iteration").and_then(|i| i.as_u64()).is_none() {
                    return Err("Offsets must be null or contain the key 'iteration' with a non-negative integer".into());
                }
            }
        }
        Ok(true)
    }
}

#[derive(Default)]
struct DataGenTask {
    run: Option<Run>,
}

struct Run {
    s: Settings,
    /// Records this task has produced so far, which is the next record's iteration.
    iteration: u64,
    next_due: Instant,
    partition: Arc<JsonMap>,
    key_schema: Option<SchemaRef>,
    value_schema: SchemaRef,
    address_schema: SchemaRef,
}

impl SourceTask for DataGenTask {
    fn start(&mut self, config: &ConfigMap, offsets: &dyn OffsetReader) -> Result<(), String> {
        let s = Settings::parse(config)?;
        let mut partition = JsonMap::new();
        partition.insert("task".into(), json!(s.task));
        let iteration = match offsets
            .offset(&partition)
            .and_then(|o| o.get("iteration").cloned())
        {
            None => 0,
            Some(v) => v.as_u64().ok_or_else(|| {
                format!(
                    "The stored offset of task {} is not a non-negative iteration: {v}",
                    s.task
                )
            })?,
        };
        let address_schema = Arc::new(
            Schema::struct_builder()
                .field("city", Schema::string())
                .field("state", Schema::string())
                .field("zipcode", Schema::int64())
                .build()
                .name("ksql.address"),
        );
        self.run = Some(Run {
            key_schema: (s.quickstart != Quickstart::Lines).then(Schema::string),
            value_schema: value_schema(s.quickstart, &address_schema),
            address_schema,
            s,
            iteration,
            next_due: Instant::now(),
            partition: Arc::new(partition),
        });
        Ok(())
    }

    fn poll(&mut self) -> Result<Vec<ConnectRecord>, String> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| "the data generator task was not started".to_string())?;
        Ok(run.poll())
    }

    fn stop(&mut self) {
        self.run = None;
    }
}

/// The quickstart's value schema: Confluent's Avro records as Connect sees them
/// (`ksql.<name>`, required fields), or a plain string for lines.
fn value_schema(q: Quickstart, address: &SchemaRef) -> SchemaRef {
    let b = Schema::struct_builder();
    let schema = match q {
        Quickstart::Users => b
            .field("registertime", Schema::int64())
            .field("userid", Schema::string())
            .field("regionid", Schema::string())
            .field("gender", Schema::string())
            .build()
            .name("ksql.users"),
        Quickstart::Pageviews => b
            .field("viewtime", Schema::int64())
            .field("userid", Schema::string())
            .field("pageid", Schema::string())
            .build()
            .name("ksql.pageviews"),
        Quickstart::Orders => b
            .field("ordertime", Schema::int64())
            .field("orderid", Schema::int32())
            .field("itemid", Schema::string())
            .field("orderunits", Schema::float64())
            .field("address", address.clone())
            .build()
            .name("ksql.orders"),
        Quickstart::Lines => return Schema::string(),
    };
    Arc::new(schema)
}

/// Confluent's quickstarts draw times from this range (February 2017 to February 2018).
const TIME_RANGE: (i64, i64) = (1_487_715_775_521, 1_519_273_364_600);

impl Run {
    fn done(&self) -> bool {
        self.s.share.is_some_and(|n| self.iteration >= n)
    }

    fn poll(&mut self) -> Vec<ConnectRecord> {
        if self.done() {
            std::thread::sleep(IDLE_WAIT);
            return Vec::new();
        }
        if self.s.interval.is_zero() {
            return self.batch(|_| true);
        }
        let now = Instant::now();
        if now < self.next_due {
            std::thread::sleep((self.next_due - now).min(IDLE_WAIT));
        }
        let now = Instant::now();
        if now.saturating_duration_since(self.next_due) > MAX_LAG {
            self.next_due = now;
        }
        let interval = self.s.interval;
        self.batch(|run| {
            let due = run.next_due <= now;
            if due {
                run.next_due += interval;
            }
            due
        })
    }

    /// Records while `due` allows, up to the batch limit and the task's share.
    fn batch(&mut self, mut due: impl FnMut(&mut Run) -> bool) -> Vec<ConnectRecord> {
        let mut out = Vec::new();
        while out.len() < MAX_BATCH && !self.done() && due(self) {
            out.push(self.record());
        }
        out
    }

    fn record(&mut self) -> ConnectRecord {
        let (key, value) = self.generate(self.iteration);
        self.iteration += 1;
        let offset = SourceOffset::new("iteration", self.iteration as i64);
        ConnectRecord::new(self.s.topic.clone(), Some(self.value_schema.clone()), value)
            .with_key(self.key_schema.clone(), key)
            .with_source(self.partition.clone(), offset)
    }

    /// Record `iteration` of this task: its key and value, from its own random stream.
    fn generate(&self, iteration: u64) -> (Value, Value) {
        let mut rng = Rng::for_record(self.s.seed, self.s.task, iteration);
        // A sequence number unique across the tasks, for ids and counters.
        let seq = iteration
            .wrapping_mul(self.s.task_count)
            .wrapping_add(self.s.task);
        let fields = |values: Vec<Value>| {
            Value::Struct(Struct {
                schema: self.value_schema.clone(),
                values,
            })
        };
        match self.s.quickstart {
            Quickstart::Users => {
                let userid = format!("User_{}", rng.between(1, 9));
                let value = fields(vec![
                    Value::Int64(rng.between(TIME_RANGE.0, TIME_RANGE.1)),
                    Value::String(userid.clone()),
                    Value::String(format!("Region_{}", rng.between(1, 9))),
                    Value::from(["MALE", "FEMALE", "OTHER"][rng.below(3) as usize]),
                ]);
                (Value::String(userid), value)
            }
            Quickstart::Pageviews => {
                let viewtime = (seq as i64).wrapping_mul(10).wrapping_add(1);
                let value = fields(vec![
                    Value::Int64(viewtime),
                    Value::String(format!("User_{}", rng.between(1, 9))),
                    Value::String(format!("Page_{}{}", rng.between(1, 9), rng.between(0, 9))),
                ]);
                (Value::String(viewtime.to_string()), value)
            }
            Quickstart::Orders => {
                // The regexes of Confluent's schema: Item_[1-9][0-9]{0,2}, City_[1-9]{0,2}, …
                let orderid = seq as i32;
                let ordertime = rng.between(TIME_RANGE.0, TIME_RANGE.1);
                let itemid = format!("Item_{}{}", rng.digits(1, 1..=9), rng.some_digits(0..=9));
                let orderunits = 0.1 + rng.unit() * 9.9;
                let address = Value::Struct(Struct {
                    schema: self.address_schema.clone(),
                    values: vec![
                        Value::String(format!("City_{}", rng.some_digits(1..=9))),
                        Value::String(format!("State_{}", rng.some_digits(1..=9))),
                        Value::Int64(rng.between(10_000, 99_999)),
                    ],
                });
                let value = fields(vec![
                    Value::Int64(ordertime),
                    Value::Int32(orderid),
                    Value::String(itemid),
                    Value::Float64(orderunits),
                    address,
                ]);
                (Value::String(orderid.to_string()), value)
            }
            Quickstart::Lines => (Value::Null, Value::String(self.line(seq, &mut rng))),
        }
    }

    /// `message.size` bytes: the sequence number, a space, then random letters.
    fn line(&self, seq: u64, rng: &mut Rng) -> String {
        let size = self.s.message_size;
        let mut text = format!("{seq} ");
        text.truncate(size);
        while text.len() < size {
            text.push(char::from(b'a' + rng.below(26) as u8));
        }
        text
    }
}

/// splitmix64's output function: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// splitmix64: small, fast, and good enough for demo data.
struct Rng(u64);

impl Rng {
    const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

    /// A stream of its own for each (seed, task, iteration).
    fn for_record(seed: u64, task: u64, iteration: u64) -> Rng {
        Rng(mix(mix(seed ^ task.wrapping_mul(Self::GOLDEN)) ^ iteration))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(Self::GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below what demo data can show).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below(hi.abs_diff(lo) + 1) as i64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Zero to two digits drawn from `range` (a regex's `{0,2}`).
    fn some_digits(&mut self, range: std::ops::RangeInclusive<i64>) -> String {
        let n = self.between(0, 2) as usize;
        self.digits(n, range)
    }

    /// `n` digits drawn from `range`.
    fn digits(&mut self, n: usize, range: std::ops::RangeInclusive<i64>) -> String {
        (0..n)
            .map(|_| {
                let d = self.between(*range.start(), *range.end());
                char::from(b'0' + d as u8)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Type;

    struct Offsets(Option<u64>);

    impl OffsetReader for Offsets {
        fn offset(&self, p: &JsonMap) -> Option<JsonMap> {
            assert!(p.contains_key("task"));
            let mut o = JsonMap::new();
            o.insert("iteration".into(), json!(self.0?));
            Some(o)
        }
    }

    fn config(extra: &[(&str, &str)]) -> ConfigMap {
        let mut c = ConfigMap::new();
        for (k, v) in [("kafka.topic", "t"), ("max.interval", "0")]
            .iter()
            .chain(extra)
        {
            c.insert(k.to_string(), v.to_string());
        }
        c
    }

    fn task(c: &ConfigMap, from: Option<u64>) -> DataGenTask {
        let mut t = DataGenTask::default();
        t.start(c, &Offsets(from)).unwrap();
        t
    }

    fn take(t: &mut DataGenTask, n: usize) -> Vec<ConnectRecord> {
        let mut out = Vec::new();
        while out.len() < n {
            let batch = t.poll().unwrap();
            assert!(!batch.is_empty(), "ran dry after {}", out.len());
            out.extend(batch);
        }
        out.truncate(n);
        out
    }

    fn get<'r>(r: &'r ConnectRecord, field: &str) -> &'r Value {
        let Value::Struct(s) = &r.value else {
            panic!("{:?}", r.value)
        };
        s.get(field).unwrap()
    }

    fn text(v: &Value) -> &str {
        v.as_str().unwrap()
    }

    #[test]
    fn quickstart_schemas_and_keys() {
        let shape = |q: &str| {
            let r = take(&mut task(&config(&[("quickstart", q)]), None), 1).remove(0);
            let s = r.value_schema.clone().unwrap();
            let fields: Vec<(String, Type)> = s
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.schema.kind))
                .collect();
            (s.name.clone(), fields, r)
        };
        let (name, fields, r) = shape("users");
        assert_eq!(name.as_deref(), Some("ksql.users"));
        let expect = [
            ("registertime", Type::Int64),
            ("userid", Type::String),
            ("regionid", Type::String),
            ("gender", Type::String),
        ];
        assert_eq!(fields, expect.map(|(n, t)| (n.to_string(), t)));
        assert_eq!(r.key, *get(&r, "userid"));
        assert_eq!(r.key_schema, Some(Schema::string()));

        let (name, fields, r) = shape("pageviews");
        assert_eq!(name.as_deref(), Some("ksql.pageviews"));
        assert_eq!(fields.len(), 3);
        assert_eq!(r.key, Value::from("1"));
        assert_eq!(get(&r, "viewtime"), &Value::Int64(1));

        let (name, fields, r) = shape("ORDERS");
        assert_eq!(name.as_deref(), Some("ksql.orders"));
        let kinds: Vec<Type> = fields.iter().map(|f| f.1).collect();
        assert_eq!(
            kinds,
            [
                Type::Int64,
                Type::Int32,
                Type::String,
                Type::Float64,
                Type::Struct
            ]
        );
        let address = r.value_schema.as_ref().unwrap().fields[4].schema.clone();
        assert_eq!(address.name.as_deref(), Some("ksql.address"));
        assert_eq!(r.key, Value::from("0"));
        // Values fit their schemas: the converter would refuse them otherwise.
        let Value::Struct(s) = &r.value else { panic!() };
        s.validate().unwrap();

        let r = take(
            &mut task(
                &config(&[("quickstart", "lines"), ("message.size", "64")]),
                None,
            ),
            1,
        )
        .remove(0);
        assert_eq!(r.value_schema, Some(Schema::string()));
        assert_eq!(text(&r.value).len(), 64);
        assert!(r.key.is_null() && r.key_schema.is_none());
    }

    #[test]
    fn values_stay_in_the_quickstart_ranges() {
        let users = take(&mut task(&config(&[("quickstart", "users")]), None), 300);
        let userid = regex::Regex::new("^User_[1-9]$").unwrap();
        let region = regex::Regex::new("^Region_[1-9]$").unwrap();
        for r in &users {
            assert!(userid.is_match(text(get(r, "userid"))));
            assert!(region.is_match(text(get(r, "regionid"))));
            assert!(["MALE", "FEMALE", "OTHER"].contains(&text(get(r, "gender"))));
            let Value::Int64(t) = get(r, "registertime") else {
                panic!()
            };
            assert!((TIME_RANGE.0..=TIME_RANGE.1).contains(t));
        }
        let genders: std::collections::HashSet<&str> =
            users.iter().map(|r| text(get(r, "gender"))).collect();
        assert_eq!(genders.len(), 3, "all options show up");

        let c = config(&[
            ("quickstart", "orders"),
            ("task.id", "1"),
            ("task.count", "2"),
        ]);
        let orders = take(&mut task(&c, None), 300);
        let item = regex::Regex::new("^Item_[1-9][0-9]{0,2}$").unwrap();
        let city = regex::Regex::new("^City_[1-9]{0,2}$").unwrap();
        for r in &orders {
            assert!(
                item.is_match(text(get(r, "itemid"))),
                "{:?}",
                get(r, "itemid")
            );
            let Value::Float64(units) = get(r, "orderunits") else {
                panic!()
            };
            assert!((0.1..10.0).contains(units));
            let Value::Struct(a) = get(r, "address") else {
                panic!()
            };
            assert!(city.is_match(text(a.get("city").unwrap())));
            let Value::Int64(zip) = a.get("zipcode").unwrap() else {
                panic!()
            };
            assert!((10_000..=99_999).contains(zip));
        }
        // Order ids are unique across tasks: task 1 of 2 takes the odd ones.
        let ids: Vec<&Value> = orders.iter().take(3).map(|r| get(r, "orderid")).collect();
        assert_eq!(ids, [&Value::Int32(1), &Value::Int32(3), &Value::Int32(5)]);
    }

    #[test]
    fn iterations_are_shared_by_the_tasks_and_counted_in_offsets() {
        let mut connector = DataGenConnector::default();
        connector.start(&config(&[("iterations", "10")])).unwrap();
        let configs = connector.task_configs(3);
        let counts: Vec<usize> = configs
            .iter()
            .map(|c| {
                let mut t = task(c, None);
                let mut records = Vec::new();
                loop {
                    let batch = t.poll().unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    records.extend(batch);
                }
                let last = records.last().unwrap();
                assert_eq!(
                    last.source_offset.unwrap(),
                    SourceOffset::new("iteration", records.len() as i64)
                );
                assert_eq!(
                    last.source_partition.as_ref().unwrap()["task"],
                    json!(c["task.id"].parse::<u64>().unwrap())
                );
                records.len()
            })
            .collect();
        assert_eq!(counts, [4, 3, 3]);
        // A restart continues the count: 4 of task 0's 4 are done.
        let mut again = task(&configs[0], Some(4));
        let start = Instant::now();
        assert!(again.poll().unwrap().is_empty());
        assert!(start.elapsed() < Duration::from_millis(400));
    }

    #[test]
    fn a_seed_makes_every_record_reproducible_across_restarts() {
        let values = |c: &ConfigMap, from: Option<u64>, n: usize| -> Vec<Value> {
            take(&mut task(c, from), n)
                .into_iter()
                .map(|r| r.value)
                .collect()
        };
        let seeded = config(&[("quickstart", "users"), ("random.seed", "42")]);
        let full = values(&seeded, None, 10);
        assert_eq!(values(&seeded, None, 10), full);
        assert_eq!(values(&seeded, Some(5), 5), full[5..]);
        let other = config(&[("quickstart", "users"), ("random.seed", "43")]);
        assert_ne!(values(&other, None, 10), full);
        let task1 = config(&[
            ("quickstart", "users"),
            ("random.seed", "42"),
            ("task.id", "1"),
            ("task.count", "2"),
        ]);
        assert_ne!(values(&task1, None, 10), full);
        let lines = config(&[("quickstart", "lines"), ("random.seed", "7")]);
        assert_eq!(values(&lines, None, 3), values(&lines, None, 3));
    }

    #[test]
    fn records_are_paced_by_max_interval_and_polls_stay_short() {
        let mut t = task(
            &config(&[("max.interval", "60"), ("iterations", "4")]),
            None,
        );
        let start = Instant::now();
        let mut got = 0;
        let mut longest = Duration::ZERO;
        while got < 4 {
            let before = Instant::now();
            got += t.poll().unwrap().len();
            longest = longest.max(before.elapsed());
        }
        // Three gaps of 60 ms between four records.
        assert!(
            start.elapsed() >= Duration::from_millis(180),
            "{:?}",
            start.elapsed()
        );
        assert!(longest <= Duration::from_millis(150), "{longest:?}");

        let mut slow = task(&config(&[("max.interval", "60000")]), None);
        assert_eq!(slow.poll().unwrap().len(), 1);
        let before = Instant::now();
        assert!(slow.poll().unwrap().is_empty());
        let waited = before.elapsed();
        assert!(
            waited >= Duration::from_millis(150) && waited <= Duration::from_millis(400),
            "{waited:?}"
        );
    }

    #[test]
    fn configs_are_checked() {
        let err = |c: &ConfigMap| DataGenConnector::default().start(c).unwrap_err();
        let mut c = config(&[]);
        c.shift_remove("kafka.topic");
        assert!(err(&c).contains("kafka.topic"));
        c.insert("topic".into(), "alias".into());
        assert_eq!(Settings::parse(&c).unwrap().topic, "alias");
        assert!(err(&config(&[("quickstart", "clickstream")])).contains("quickstart"));
        assert!(err(&config(&[("schema.filename", "/x.avsc")])).contains("schema.filename"));
        assert!(err(&config(&[("max.interval", "-1")])).contains("max.interval"));
        let c = DataGenConnector::default();
        let p = json!({"task": 0}).as_object().unwrap().clone();
        let o = json!({"iteration": 9}).as_object().unwrap().clone();
        assert_eq!(
            c.alter_offsets(&ConfigMap::new(), &[(p.clone(), Some(o))]),
            Ok(true)
        );
        let bad = json!({"iteration": "9"}).as_object().unwrap().clone();
        assert!(c
            .alter_offsets(&ConfigMap::new(), &[(p, Some(bad))])
            .is_err());
    }

    #[test]
    fn found_by_kct_and_confluent_names() {
        for name in [
            "io.kct.connect.datagen.DataGenConnector",
            "DataGen",
            "io.confluent.kafka.connect.datagen.DatagenConnector",
            "DatagenConnector",
            "Datagen",
        ] {
            assert!(super::super::find(name).is_some(), "{name}");
        }
    }
}
