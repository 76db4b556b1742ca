// Kafka's murmur2 and the Java client's default partition for a key, written from the
// algorithm's description so that the e2e test checks the Rust core independently.

/** murmur2 of the UTF-8 bytes of `text`, as a signed 32-bit integer (seed 0x9747b28c). */
export function murmur2(text) {
  const data = new TextEncoder().encode(text);
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ data.length) | 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = data.length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) {
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** `Utils.toPositive(Utils.murmur2(key)) % numPartitions`. */
export function javaPartition(key, partitions) {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
