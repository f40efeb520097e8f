package dev.relay.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests (the Prometheus Java
 * client has writers, no parser): {@code # HELP} and {@code # TYPE} lines, and samples {@code
 * name{label="value",...} value [timestamp]} with escaped label values. A sample whose family has
 * no {@code # TYPE} line before it, a suffix its type does not have, a malformed label or value, or
 * a family declared twice is an error, as it is to Prometheus.
 */
record PrometheusText(Map<String, String> types, List<Sample> samples) {

  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Map<String, Set<String>> SUFFIXES =
      Map.of(
          "counter", Set.of("", "_total"),
          "gauge", Set.of(""),
          "untyped", Set.of(""),
          "histogram", Set.of("_bucket", "_count", "_sum"),
          "summary", Set.of("", "_count", "_sum"));

  static PrometheusText parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    String family = null;
    int number = 0;
    for (String line : text.split("\n", -1)) {
      number++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        check(parts.length == 2 && SUFFIXES.containsKey(parts[1]), number, line, "bad TYPE line");
        check(types.put(parts[0], parts[1]) == null, number, line, "family declared twice");
        family = parts[0];
      } else if (line.startsWith("#")) {
        continue; // HELP and comments
      } else {
        Sample sample = sample(line, number);
        check(family != null && sample.name().startsWith(family), number, line, "sample outside its family");
        String suffix = sample.name().substring(family.length());
        check(SUFFIXES.get(types.get(family)).contains(suffix), number, line, "suffix not of a " + types.get(family));
        samples.add(sample);
      }
    }
    return new PrometheusText(types, samples);
  }

  private static Sample sample(String line, int number) {
    int i = 0;
    while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
      i++;
    }
    String name = line.substring(0, i);
    check(!name.isEmpty() && !Character.isDigit(name.charAt(0)), number, line, "bad metric name");
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        check(eq > i, number, line, "bad label");
        String label = line.substring(i, eq);
        check(label.matches("[a-zA-Z_][a-zA-Z0-9_]*"), number, line, "bad label name " + label);
        check(line.charAt(eq + 1) == '"', number, line, "label value not quoted");
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char escaped = line.charAt(++j);
            check(escaped == '\\' || escaped == '"' || escaped == 'n', number, line, "bad escape");
            value.append(escaped == 'n' ? '\n' : escaped);
          } else {
            value.append(c);
          }
        }
        check(labels.put(label, value.toString()) == null, number, line, "label twice");
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    check(i < line.length() && line.charAt(i) == ' ', number, line, "no value");
    String[] rest = line.substring(i + 1).split(" ");
    check(rest.length == 1 || rest.length == 2, number, line, "bad value");
    return new Sample(name, labels, value(rest[0], number, line));
  }

  private static double value(String text, int number, String line) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new AssertionError("line " + number + ": bad value: " + line);
        }
    }
  }

  private static void check(boolean ok, int number, String line, String what) {
    if (!ok) {
      throw new AssertionError("line " + number + ": " + what + ": " + line);
    }
  }

  /** The samples named {@code name} whose labels include {@code labels} (name, value, ...). */
  List<Sample> find(String name, String... labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> {
          for (int k = 0; k < labels.length; k += 2) {
            if (!labels[k + 1].equals(s.labels().get(labels[k]))) {
              return false;
            }
          }
          return true;
        })
        .toList();
  }

  /** The one sample's value; empty when there is none, an error when several match. */
  Optional<Double> value(String name, String... labels) {
    List<Sample> found = find(name, labels);
    if (found.size() > 1) {
      throw new AssertionError(found.size() + " samples of " + name + " " + List.of(labels) + ": " + found);
    }
    return found.stream().findFirst().map(Sample::value);
  }
}
