package dev.relay.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A bench's {@code --name=value} arguments, each name one of those it knows. */
final class Options {

  private final Map<String, String> values = new HashMap<>();

  Options(String[] args, List<String> known) {
    for (String arg : args) {
      LoadHarness.check(arg.startsWith("--") && arg.contains("="), "options are --name=value: " + arg);
      String name = arg.substring(2, arg.indexOf('='));
      LoadHarness.check(known.contains(name), "unknown option " + arg + "; known: " + known);
      values.put(name, arg.substring(arg.indexOf('=') + 1));
    }
  }

  int integer(String name, int otherwise) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : otherwise;
  }

  double decimal(String name, double otherwise) {
    return values.containsKey(name) ? Double.parseDouble(values.get(name)) : otherwise;
  }
}
