package dev.relay.readside;

import java.time.Instant;
import java.util.List;

/** {@code GET /api/read-side}: each tag's position and lag, the database's disk use. */
record ReadSideReport(String at, boolean rebuilding, List<Tag> tags, Storage storage) {

  record Tag(
      String tag,
      long journalOrdering,
      long projectedOffset,
      long eventsBehind,
      String oldestUnprojectedAt,
      Long secondsBehind,
      long stalledSeconds,
      String state) {}

  record Storage(String database, long fileBytes, long dataBytes, double fileToDataRatio) {}

  static ReadSideReport of(ReadSideMonitor.Health health, boolean rebuilding) {
    Instant at = health.at();
    List<Tag> tags =
        health.tags().stream()
            .map(
                t -> {
                  ReadSideStatus.TagPosition p = t.position();
                  return new Tag(
                      p.tag(),
                      p.journalOrdering(),
                      p.projectedOffset(),
                      p.eventsBehind(),
                      p.oldestUnprojectedAt().map(ms -> Instant.ofEpochMilli(ms).toString()).orElse(null),
                      p.oldestUnprojectedAt().map(ms -> Math.max(0, (at.toEpochMilli() - ms) / 1000)).orElse(null),
                      t.stalledFor().toSeconds(),
                      t.state());
                })
            .toList();
    Storage storage =
        health.storage()
            .map(s -> new Storage(s.database(), s.fileBytes(), s.dataBytes(), s.ratio()))
            .orElse(null);
    return new ReadSideReport(at.toString(), rebuilding, tags, storage);
  }
}
