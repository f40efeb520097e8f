package dev.relay.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsNumbersTest {
  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({
      "15.0, 15", "129.5, 129.5", "-0.0, 0", "0.1, 0.1", "100, 100", "1e21, 1e+21", "1.5e21, 1.5e+21",
      "1e20, 100000000000000000000", "123456789012345680000, 123456789012345680000",
      "0.000001, 0.000001", "1e-7, 1e-7", "1.25e-7, 1.25e-7", "0.30000000000000004, 0.30000000000000004",
      "9007199254740993, 9007199254740992", "2e-3, 0.002", "5e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e+308"})
  void numbersPrintAsJavaScriptPrintsThem(double value, String expected) {
    assertEquals(expected, JsNumbers.format(value));
  }

  @ParameterizedTest(name = "Number(\"{0}\") is {1}")
  @CsvSource(delimiter = '|', value = {
      " 12 |12", "|0", "0x1A|26", "1e3|1000", ".5|0.5", "5.|5", "+7|7", "-Infinity|-Infinity",
      "12px|NaN", "1_000|NaN", "0x|NaN", "1d|NaN"})
  void textConvertsToNumbersAsJavaScriptConvertsIt(String text, String expected) {
    assertEquals(expected, JsNumbers.format(JsValues.stringToNumber(text == null ? "" : text)));
  }
}
