/**
 * How many partition keys each list of a collection is spread over (write sharding: docs/benchmarks.md,
 * "Partitions"): the whole collection (byCollection), by owner (byOwner) and by state (byState). A bulk
 * import writes every record to the same collection, usually under one owner (the importer) and one
 * initial state: unsharded, each of those three lists is one partition key. One DynamoDB partition takes
 * about 1,000 write units a second, so sharded the ceiling is about LIST_SHARDS × 1,000 writes a second.
 * The price: a page of such a list queries every shard (in parallel) and merges them.
 * 16 keeps the busiest key of a 100k-record import under a tenth of its writes (about 6.3% each).
 *
 * Changing it (or deploying it onto a table written before sharding) re-keys those index entries: a
 * deployed table needs `npm run shards:backfill` (docs/operations.md, "Backfill").
 */
export const LIST_SHARDS = 16;
