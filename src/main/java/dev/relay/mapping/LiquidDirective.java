package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import liqp.Template;
import liqp.TemplateContext;
import liqp.TemplateParser;
import liqp.filters.Filter;
import liqp.filters.Filters;
import liqp.nodes.LNode;
import liqp.org.antlr.v4.runtime.tree.ParseTree;
import liqp.parser.Flavor;
import liqp.parser.v4.NodeVisitor;
import liqp.spi.BasicTypesSupport;
import liqp.tags.Tag;
import liquid.parser.v4.LiquidParser;

/**
 * {@code @liquid}: a Liquid template rendered over the event (liqp standing in for the liquidjs
 * Segment uses), always giving text, within Segment's limits: a template of at most 1000
 * characters, without the tags and filters Segment disables, rendered within 500 ms. Segment also
 * caps what a render may allocate (liquidjs's memoryLimit); here every text a filter makes and every
 * piece appended to an output is counted (see {@link LiquidBudget}), so a template that keeps
 * doubling its text stops early instead of exhausting the node.
 *
 * <p>The template is parsed and checked when the mapping is compiled; what can only fail while
 * rendering (a limit reached) throws {@link MappingException}.
 */
final class LiquidDirective implements Evaluator {
  /** Segment's limit on a template, in UTF-16 code units as JavaScript counts them. */
  static final int MAX_TEMPLATE_LENGTH = 1000;

  /** Segment's disabled tags: loops and file access. {@code include} would read the node's disk. */
  private static final Set<String> DISABLED_TAGS = Set.of("case", "for", "include", "layout", "render", "tablerow");
  /** Segment's disabled filters, some of which liqp does not have either. */
  private static final Set<String> DISABLED_FILTERS = Set.of("array_to_sentence_string", "concat", "find",
      "find_exp", "find_index", "find_index_exp", "group_by", "group_by_exp", "has", "has_exp", "map",
      "newline_to_br", "reject", "reject_exp", "reverse", "sort", "sort_natural", "uniq", "where_exp", "type");

  private static final TemplateParser PARSER = parser();

  /** Only the parse tree is shared: liqp's Template and the nodes it renders keep per-render state. */
  private final ParseTree template;
  private final String where;
  private final LongSupplier nanoClock;

  private LiquidDirective(ParseTree template, String where, LongSupplier nanoClock) {
    this.template = template;
    this.where = where;
    this.nanoClock = nanoClock;
  }

  static Evaluator compile(JsonNode args, String where) {
    return compile(args, where, System::nanoTime);
  }

  /** {@code nanoClock} measures the render time ({@link System#nanoTime()} but in tests). */
  static Evaluator compile(JsonNode args, String where, LongSupplier nanoClock) {
    if (!args.isTextual()) {
      throw new MappingException(where, "should be a string but it is " + MappingCompiler.describe(args));
    }
    String text = args.textValue();
    if (text.length() > MAX_TEMPLATE_LENGTH) {
      throw new MappingException(where, "liquid template values are limited to " + MAX_TEMPLATE_LENGTH
          + " characters, but this one has " + text.length());
    }
    Template template;
    try {
      template = PARSER.parse(text);
    } catch (RuntimeException e) {
      throw new MappingException(where, "is not a Liquid template Relay can render: " + e.getMessage());
    }
    checkTagsAndFilters(template.getParseTree(), where);
    return new LiquidDirective(template.getParseTree(), where, nanoClock);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    try {
      return TextNode.valueOf(LiquidBudget.within(nanoClock, () -> {
        // Template.render writes its context to a field of the shared Template and reads it back,
        // so concurrent renders of one template would mix events; this is its body, context local.
        LNode nodes = new NodeVisitor(PARSER.insertions, PARSER.filters, PARSER.liquidStyleInclude).visit(template);
        return LiquidBudget.text(nodes.render(new TemplateContext(PARSER, variables(root))));
      }));
    } catch (RuntimeException e) {
      throw new MappingException(where, "@liquid could not render: " + LiquidBudget.explain(e));
    } finally {
      BasicTypesSupport.clearReferences(); // liqp's per-thread references to the values rendered
    }
  }

  private static TemplateParser parser() {
    TemplateParser.Builder builder = new TemplateParser.Builder()
        .withFlavor(Flavor.LIQUID)
        .withRenderTransformer(LiquidBudget.countedText())
        // liquidjs dates follow the process's zone; Segment's run in UTC.
        .withDefaultTimeZone(ZoneOffset.UTC)
        .withLocale(Locale.ENGLISH);
    // Known to the parser only so that checkTagsAndFilters can name them; they never render.
    for (String tag : List.of("layout", "render")) {
      builder.withTag(new Tag(tag) {
        @Override
        public Object render(TemplateContext context, LNode... nodes) {
          throw new IllegalStateException("tag \"" + tag + "\" is disabled");
        }
      });
    }
    for (Filter filter : Filters.DEFAULT_FILTERS.values()) {
      builder.withFilter(LiquidBudget.counted(filter));
    }
    return builder.build();
  }

  /** Refuses Segment's disabled tags and filters, and filters liqp does not know, when saved. */
  private static void checkTagsAndFilters(ParseTree node, String where) {
    String tag = null;
    if (node instanceof LiquidParser.Case_tagContext) {
      tag = "case";
    } else if (node instanceof LiquidParser.For_tagContext) {
      tag = "for";
    } else if (node instanceof LiquidParser.Table_tagContext) {
      tag = "tablerow";
    } else if (node instanceof LiquidParser.Include_tagContext) {
      tag = "include";
    } else if (node instanceof LiquidParser.Simple_tagContext simple) {
      tag = simple.SimpleTagId().getText();
    } else if (node instanceof LiquidParser.Other_tagContext block && block.BlockId() != null) {
      tag = block.BlockId().getText();
    } else if (node instanceof LiquidParser.FilterContext filter) {
      String name = filter.Id().getText();
      if (DISABLED_FILTERS.contains(name)) {
        throw new MappingException(where, "filter \"" + name + "\" is disabled");
      }
      if (PARSER.filters.get(name) == null) {
        throw new MappingException(where, "unknown filter \"" + name + "\"");
      }
    }
    if (tag != null && DISABLED_TAGS.contains(tag)) {
      throw new MappingException(where, "tag \"" + tag + "\" is disabled");
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      checkTagsAndFilters(node.getChild(i), where);
    }
  }

  /** The event as Liquid sees it; numbers as JavaScript holds them, so 15.0 prints as 15. */
  private static Map<String, Object> variables(JsonNode root) {
    Map<String, Object> variables = new LinkedHashMap<>();
    if (root != null && root.isObject()) {
      root.fields().forEachRemaining(field -> variables.put(field.getKey(), toLiquid(field.getValue())));
    }
    return variables;
  }

  private static Object toLiquid(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> map.put(field.getKey(), toLiquid(field.getValue())));
        return map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>(node.size());
        node.forEach(item -> list.add(toLiquid(item)));
        return list;
      }
      case STRING -> {
        return node.textValue();
      }
      case NUMBER -> {
        JsonNode number = JsNumbers.normalize(node);
        return number.isIntegralNumber() && number.canConvertToLong() ? (Object) number.longValue() : number.doubleValue();
      }
      case BOOLEAN -> {
        return node.booleanValue();
      }
      default -> {
        return null;
      }
    }
  }
}
