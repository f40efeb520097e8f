package dev.relay.testing;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Log lines as a node writes them: events captured from this JVM's logging, encoded with the
 * encoder that src/main/resources/logback.xml configures (not the tests' own logback-test.xml).
 */
public final class ProductionLog {

  private ProductionLog() {}

  /** The events logged anywhere in this JVM while {@code action} runs. */
  public static List<ILoggingEvent> capture(Runnable action) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    root.addAppender(events);
    try {
      action.run();
    } finally {
      root.detachAppender(events);
    }
    synchronized (events.list) {
      return List.copyOf(events.list);
    }
  }

  /** What the production configuration's console appender writes for {@code event}. */
  public static String encode(ILoggingEvent event) {
    return encode(event, "text");
  }

  /** The same, with RELAY_LOG_FORMAT set to {@code format}. */
  public static String encode(ILoggingEvent event, String format) {
    LoggerContext context = new LoggerContext();
    context.putProperty("RELAY_LOG_FORMAT", format); // logback looks in the context before the environment
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(ProductionLog.class.getResource("/logback.xml"));
      AsyncAppender async = (AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
      @SuppressWarnings("unchecked")
      OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) async.getAppender("STDOUT");
      return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
    } catch (JoranException e) {
      throw new IllegalStateException("src/main/resources/logback.xml does not load", e);
    } finally {
      context.stop();
    }
  }
}
