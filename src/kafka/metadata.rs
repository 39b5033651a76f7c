//! Cluster metadata (`-L`) and offsets for timestamps (`-Q`): owned data and kcat's renderings.

use std::fmt::Write as _;

use rdkafka::error::RDKafkaErrorCode;

use crate::kafka::events::ErrText;
use crate::record::json::write_json_string;

#[derive(Debug, Clone)]
pub struct BrokerInfo {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

#[derive(Debug, Clone)]
pub struct PartitionInfo {
    pub id: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isrs: Vec<i32>,
    pub error: Option<RDKafkaErrorCode>,
}

#[derive(Debug, Clone)]
pub struct TopicInfo {
    pub name: String,
    pub partitions: Vec<PartitionInfo>,
    pub error: Option<RDKafkaErrorCode>,
}

#[derive(Debug, Clone)]
pub struct ClusterMetadata {
    pub orig_broker_id: i32,
    pub orig_broker_name: String,
    pub controller_id: i32,
    pub brokers: Vec<BrokerInfo>,
    pub topics: Vec<TopicInfo>,
}

/// Low/high watermarks for `-L --offsets`, indexed like `ClusterMetadata::topics`.
pub type Watermarks = Vec<Vec<Option<(i64, i64)>>>;

/// `-L` as text, byte for byte kcat's `metadata_print`.
pub fn render_text(
    md: &ClusterMetadata,
    query: Option<&str>,
    marks: Option<&Watermarks>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Metadata for {} (from broker {}: {}):",
        query.unwrap_or("all topics"),
        md.orig_broker_id,
        md.orig_broker_name
    );
    let _ = writeln!(s, " {} brokers:", md.brokers.len());
    for b in &md.brokers {
        let controller = if b.id == md.controller_id {
            " (controller)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  broker {} at {}:{}{}",
            b.id, b.host, b.port, controller
        );
    }
    let _ = writeln!(s, " {} topics:", md.topics.len());
    for (ti, t) in md.topics.iter().enumerate() {
        let _ = write!(
            s,
            "  topic \"{}\" with {} partitions:",
            t.name,
            t.partitions.len()
        );
        if let Some(e) = t.error {
            let _ = write!(s, " {}", ErrText(e));
            if e == RDKafkaErrorCode::LeaderNotAvailable {
                s.push_str(" (try again)");
            }
        }
        s.push('\n');
        for (pi, p) in t.partitions.iter().enumerate() {
            let _ = write!(
                s,
                "    partition {}, leader {}, replicas: {}, isrs: {}",
                p.id,
                p.leader,
                join(&p.replicas),
                join(&p.isrs)
            );
            if let Some(e) = p.error {
                let _ = write!(s, ", {}", ErrText(e));
            }
            if let Some(Some((low, high))) = marks.and_then(|m| m.get(ti)).and_then(|t| t.get(pi)) {
                let _ = write!(s, ", low {low}, high {high}");
            }
            s.push('\n');
        }
    }
    s
}

fn join(ids: &[i32]) -> String {
    let mut s = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{id}");
    }
    s
}

/// `-L -J`: one compact object, no trailing newline (as kcat).
pub fn render_json(
    md: &ClusterMetadata,
    query: Option<&str>,
    marks: Option<&Watermarks>,
) -> Vec<u8> {
    let mut o = Vec::new();
    o.extend_from_slice(b"{\"originating_broker\":{\"id\":");
    push_int(&mut o, md.orig_broker_id as i64);
    o.extend_from_slice(b",\"name\":");
    write_json_string(md.orig_broker_name.as_bytes(), &mut o);
    o.extend_from_slice(b"},\"query\":{\"topic\":");
    write_json_string(query.unwrap_or("*").as_bytes(), &mut o);
    o.extend_from_slice(b"},\"controllerid\":");
    push_int(&mut o, md.controller_id as i64);
    o.extend_from_slice(b",\"brokers\":[");
    for (i, b) in md.brokers.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        o.extend_from_slice(b"{\"id\":");
        push_int(&mut o, b.id as i64);
        o.extend_from_slice(b",\"name\":");
        write_json_string(format!("{}:{}", b.host, b.port).as_bytes(), &mut o);
        o.push(b'}');
    }
    o.extend_from_slice(b"],\"topics\":[");
    for (ti, t) in md.topics.iter().enumerate() {
        if ti > 0 {
            o.push(b',');
        }
        o.extend_from_slice(b"{\"topic\":");
        write_json_string(t.name.as_bytes(), &mut o);
        if let Some(e) = t.error {
            o.extend_from_slice(b",\"error\":");
            write_json_string(ErrText(e).to_string().as_bytes(), &mut o);
        }
        o.extend_from_slice(b",\"partitions\":[");
        for (pi, p) in t.partitions.iter().enumerate() {
            if pi > 0 {
                o.push(b',');
            }
            o.extend_from_slice(b"{\"partition\":");
            push_int(&mut o, p.id as i64);
            if let Some(e) = p.error {
                o.extend_from_slice(b",\"error\":");
                write_json_string(ErrText(e).to_string().as_bytes(), &mut o);
            }
            o.extend_from_slice(b",\"leader\":");
            push_int(&mut o, p.leader as i64);
            push_id_array(&mut o, b",\"replicas\":[", &p.replicas);
            push_id_array(&mut o, b",\"isrs\":[", &p.isrs);
            if let Some(Some((low, high))) = marks.and_then(|m| m.get(ti)).and_then(|t| t.get(pi)) {
                o.extend_from_slice(b",\"low\":");
                push_int(&mut o, *low);
                o.extend_from_slice(b",\"high\":");
                push_int(&mut o, *high);
            }
            o.push(b'}');
        }
        o.extend_from_slice(b"]}");
    }
    o.extend_from_slice(b"]}");
    o
}

fn push_id_array(o: &mut Vec<u8>, head: &[u8], ids: &[i32]) {
    o.extend_from_slice(head);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        o.extend_from_slice(b"{\"id\":");
        push_int(o, *id as i64);
        o.push(b'}');
    }
    o.push(b']');
}

fn push_int(o: &mut Vec<u8>, v: i64) {
    let _ = std::io::Write::write_fmt(o, format_args!("{v}"));
}

/// One answer of `-Q`.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub error: Option<RDKafkaErrorCode>,
}

/// `-Q` as text, sorted by topic and partition.
pub fn render_query_text(results: &[QueryResult]) -> String {
    let mut s = String::new();
    for r in sorted(results) {
        let _ = write!(s, "{} [{}] offset {}", r.topic, r.partition, r.offset);
        if let Some(e) = r.error {
            let _ = write!(s, ": {}", ErrText(e));
        }
        s.push('\n');
    }
    s
}

/// `-Q -J`: `{"t":{"topic":"t","3":{"partition":3,"offset":1234}}}`, no trailing newline.
pub fn render_query_json(results: &[QueryResult]) -> Vec<u8> {
    let mut o = vec![b'{'];
    let results = sorted(results);
    let mut current: Option<&str> = None;
    for r in results {
        if current != Some(r.topic.as_str()) {
            if current.is_some() {
                o.extend_from_slice(b"},");
            }
            write_json_string(r.topic.as_bytes(), &mut o);
            o.extend_from_slice(b":{\"topic\":");
            write_json_string(r.topic.as_bytes(), &mut o);
            current = Some(r.topic.as_str());
        }
        o.extend_from_slice(b",\"");
        push_int(&mut o, r.partition as i64);
        o.extend_from_slice(b"\":{\"partition\":");
        push_int(&mut o, r.partition as i64);
        o.extend_from_slice(b",\"offset\":");
        push_int(&mut o, r.offset);
        if let Some(e) = r.error {
            o.extend_from_slice(b",\"error\":");
            write_json_string(ErrText(e).to_string().as_bytes(), &mut o);
        }
        o.push(b'}');
    }
    if current.is_some() {
        o.push(b'}');
    }
    o.push(b'}');
    o
}

fn sorted(results: &[QueryResult]) -> Vec<&QueryResult> {
    let mut v: Vec<&QueryResult> = results.iter().collect();
    v.sort_by(|a, b| a.topic.cmp(&b.topic).then(a.partition.cmp(&b.partition)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ClusterMetadata {
        ClusterMetadata {
            orig_broker_id: 1,
            orig_broker_name: "h:9092/1".into(),
            controller_id: 1,
            brokers: vec![BrokerInfo {
                id: 1,
                host: "h".into(),
                port: 9092,
            }],
            topics: vec![TopicInfo {
                name: "t".into(),
                error: None,
                partitions: vec![PartitionInfo {
                    id: 0,
                    leader: 1,
                    replicas: vec![1, 2],
                    isrs: vec![1],
                    error: None,
                }],
            }],
        }
    }

    #[test]
    fn text_matches_kcat_shape() {
        assert_eq!(
            render_text(&sample(), None, None),
            "Metadata for all topics (from broker 1: h:9092/1):\n 1 brokers:\n  broker 1 at h:9092 (controller)\n 1 topics:\n  topic \"t\" with 1 partitions:\n    partition 0, leader 1, replicas: 1,2, isrs: 1\n"
        );
    }

    #[test]
    fn json_matches_kcat_shape() {
        let j = String::from_utf8(render_json(&sample(), Some("t"), None)).unwrap();
        assert_eq!(
            j,
            r#"{"originating_broker":{"id":1,"name":"h:9092/1"},"query":{"topic":"t"},"controllerid":1,"brokers":[{"id":1,"name":"h:9092"}],"topics":[{"topic":"t","partitions":[{"partition":0,"leader":1,"replicas":[{"id":1},{"id":2}],"isrs":[{"id":1}]}]}]}"#
        );
    }

    #[test]
    fn query_renderings() {
        let r = vec![
            QueryResult {
                topic: "b".into(),
                partition: 1,
                offset: 5,
                error: None,
            },
            QueryResult {
                topic: "a".into(),
                partition: 0,
                offset: -1,
                error: None,
            },
            QueryResult {
                topic: "b".into(),
                partition: 0,
                offset: 3,
                error: None,
            },
        ];
        assert_eq!(
            render_query_text(&r),
            "a [0] offset -1\nb [0] offset 3\nb [1] offset 5\n"
        );
        assert_eq!(
            String::from_utf8(render_query_json(&r)).unwrap(),
            r#"{"a":{"topic":"a","0":{"partition":0,"offset":-1}},"b":{"topic":"b","0":{"partition":0,"offset":3},"1":{"partition":1,"offset":5}}}"#
        );
    }
}
