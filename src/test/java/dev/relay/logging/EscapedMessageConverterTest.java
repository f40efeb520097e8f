package dev.relay.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.relay.testing.ProductionLog;
import org.junit.jupiter.api.Test;

class EscapedMessageConverterTest {

  @Test
  void controlCharactersAreEscapedAndOtherTextIsKept() {
    assertEquals("a\\nb\\rc\\td\\u0007e\\u007ff\\u0085g\\u2028h \u00fc\u65e5\ud83d\ude80 \\ \"q\"",
        EscapedMessageConverter.escape("a\nb\rc\td\u0007e\u007ff\u0085g\u2028h \u00fc\u65e5\ud83d\ude80 \\ \"q\""));
    String plain = "400 batch[0]: unknown type \"purchase\"";
    assertSame(plain, EscapedMessageConverter.escape(plain));
  }

  @Test
  void theNodesLogConfigurationWritesAMessageWithANewlineAsOneLineAndAStackTraceAsItIs() {
    LoggingEvent event = new LoggingEvent(
        "dev.relay.http.ErrorHandling", new LoggerContext().getLogger("dev.relay.http.ErrorHandling"), Level.INFO,
        "{} {}", null, new Object[] {400, "batch[0]: unknown type \"tr\nZZZ FAKE ERROR\""});
    String line = ProductionLog.encode(event);
    assertTrue(line.endsWith(" INFO  d.r.h.ErrorHandling - 400 batch[0]: unknown type \"tr\\nZZZ FAKE ERROR\"\n"), line);
    assertEquals(1, line.split("\n", -1).length - 1, line);

    LoggingEvent failure = new LoggingEvent(
        "dev.relay.http.ErrorHandling", new LoggerContext().getLogger("dev.relay.http.ErrorHandling"), Level.ERROR,
        "Request failed", new IllegalStateException("boom"), null);
    String lines = ProductionLog.encode(failure);
    assertTrue(lines.contains("Request failed\njava.lang.IllegalStateException: boom\n\tat "), lines);
  }
}
