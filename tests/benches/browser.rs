//! The core benchmarks in headless Chromium: the same workloads as `benches/core.rs`.
//! Run: `scripts/bench` (it sets wasm-bindgen-test-runner as the wasm32 runner).
#![cfg_attr(target_arch = "wasm32", no_main)]

#[cfg(target_arch = "wasm32")]
mod browser {
    use logplay_core::script::{link, parse};
    use logplay_tests::workloads::{
        append_and_read, copy_payloads, encode_decode, orders_documents, produce_keyed, replay,
        serialize_documents, vec_log, FIFTY_COMMANDS, MILLION_RECORDS,
    };
    use wasm_bindgen_test::{wasm_bindgen_bench, Criterion};

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_bench]
    fn log(c: &mut Criterion) {
        c.bench_function("log/append+read 1e6 x 100B, one partition (wasm)", |b| {
            b.iter(|| append_and_read(1_000_000).1)
        });
        c.bench_function("log/baseline: memcpy 1e6 x 100B (wasm)", |b| {
            b.iter(|| copy_payloads(1_000_000))
        });
        c.bench_function("log/baseline: Vec<u8> log 1e6 x 100B (wasm)", |b| {
            b.iter(|| vec_log(1_000_000))
        });
    }

    #[wasm_bindgen_bench]
    fn split(c: &mut Criterion) {
        let (log, _) = append_and_read(1_000_000);
        c.bench_function("split/read only (wasm)", |b| {
            b.iter(|| {
                log.read_from(0, i64::MAX)
                    .map(|r| r.value.map_or(0, <[u8]>::len))
                    .sum::<usize>()
            })
        });
        c.bench_function("split/append+read (wasm)", |b| {
            b.iter(|| append_and_read(1_000_000).1)
        });
    }

    #[wasm_bindgen_bench]
    fn scripts(c: &mut Criterion) {
        let fifty = parse(FIFTY_COMMANDS).expect("parses");
        let million = link::encode(&parse(MILLION_RECORDS).expect("parses"));
        c.bench_function("scripts/encode+decode a 50-command link (wasm)", |b| {
            b.iter(|| encode_decode(&fifty))
        });
        c.bench_function(
            "scripts/replay a link generating 1e6 x 100B records (wasm)",
            |b| b.iter(|| replay(&million)),
        );
    }

    #[wasm_bindgen_bench]
    fn producer(c: &mut Criterion) {
        c.bench_function(
            "producer/produce 1e6 keyed x 100B, 12 partitions (wasm)",
            |b| b.iter(|| produce_keyed(1_000_000)),
        );
    }

    #[wasm_bindgen_bench]
    fn ecosystem(c: &mut Criterion) {
        let (registry, docs) = orders_documents(100_000);
        c.bench_function(
            "ecosystem/serialize + deserialize 1e5 orders (JSON Schema, validated) (wasm)",
            |b| b.iter(|| serialize_documents(&registry, &docs)),
        );
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
