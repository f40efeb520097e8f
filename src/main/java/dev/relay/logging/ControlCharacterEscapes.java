package dev.relay.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import net.logstash.logback.decorate.JsonFactoryDecorator;

/**
 * JSON log lines with the same characters escaped as in text ({@link EscapedMessageConverter}):
 * Jackson escapes only what JSON requires (below U+0020, quote, backslash), which leaves DEL, the
 * C1 controls a terminal acts on, and U+2028/U+2029, which some readers take as line breaks.
 */
public final class ControlCharacterEscapes implements JsonFactoryDecorator {

  private static final CharacterEscapes ESCAPES = new CharacterEscapes() {
    private final int[] asciiEscapes = standardAsciiEscapesForJSON();

    {
      asciiEscapes[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return asciiEscapes;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
      // Asked for characters above ASCII; null writes the character as it is.
      if ((c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
        return new SerializedString(String.format("\\u%04x", c));
      }
      return null;
    }
  };

  @Override
  public JsonFactory decorate(JsonFactory factory) {
    factory.setCharacterEscapes(ESCAPES);
    return factory;
  }
}
