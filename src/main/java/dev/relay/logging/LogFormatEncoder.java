package dev.relay.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The console's encoder, chosen by {@code RELAY_LOG_FORMAT} ({@code <format>} in logback.xml):
 * {@code text} (the default) or {@code json}, one JSON object per line for a log platform. Logback
 * has no conditional configuration without Janino, hence one encoder that delegates to the other
 * two, both configured in logback.xml.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {

  private String format = "text";
  private Encoder<ILoggingEvent> textEncoder;
  private Encoder<ILoggingEvent> jsonEncoder;
  private Encoder<ILoggingEvent> chosen;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setTextEncoder(Encoder<ILoggingEvent> textEncoder) {
    this.textEncoder = textEncoder;
  }

  public void setJsonEncoder(Encoder<ILoggingEvent> jsonEncoder) {
    this.jsonEncoder = jsonEncoder;
  }

  @Override
  public void start() {
    String name = format == null ? "" : format.strip().toLowerCase(Locale.ROOT);
    if (name.equals("json")) {
      chosen = jsonEncoder;
    } else {
      if (!name.equals("text") && !name.isEmpty()) {
        // Logback prints configuration errors on the console at start; the node keeps logging, as text.
        addError("RELAY_LOG_FORMAT is '" + format + "'; it must be text or json. Logging as text.");
      }
      chosen = textEncoder;
    }
    if (chosen == null) {
      addError("no " + name + " encoder is configured in logback.xml");
      return;
    }
    if (!chosen.isStarted()) {
      chosen.start();
    }
    super.start();
  }

  @Override
  public void stop() {
    if (chosen != null) {
      chosen.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return chosen.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return chosen.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return chosen.footerBytes();
  }
}
