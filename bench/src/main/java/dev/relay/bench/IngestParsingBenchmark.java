package dev.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.event.EventLimits;
import dev.relay.event.IngestParser;
import dev.relay.event.IngestRequest;
import dev.relay.event.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The node's reading of a {@code /v1/batch} body: the load benches' request of 100 track calls
 * (each with a {@code timestamp}, the batch with a {@code sentAt}), parsed, checked against the
 * spec's rules and enriched as ingest does before journaling. Per request of 100 events.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IngestParsingBenchmark {

  private IngestParser parser;
  private byte[] body;
  private Instant receivedAt;

  @Setup
  public void setUp() {
    parser = new IngestParser(new ObjectMapper(), EventLimits.defaults());
    body = LoadHarness.batch("bench", 0, 100).getBytes(StandardCharsets.UTF_8);
    receivedAt = Instant.parse("2026-11-29T10:00:00.300Z");
  }

  @Benchmark
  public IngestRequest batchOfOneHundredTrackCalls() throws InvalidRequest {
    return parser.parse("batch", body, receivedAt);
  }
}
