package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import liqp.RenderTransformer;
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
 * piece appended to an output is counted against {@link #MAX_RENDERED_CHARACTERS}, so a template
 * that keeps doubling its text stops early instead of exhausting the node.
 *
 * <p>The template is parsed and checked when the mapping is compiled; what can only fail while
 * rendering (a limit reached) throws {@link MappingException}.
 */
final class LiquidDirective implements Evaluator {
  /** Segment's limit on a template, in UTF-16 code units as JavaScript counts them. */
  static final int MAX_TEMPLATE_LENGTH = 1000;
  /** Segment's renderLimit. */
  static final long MAX_RENDER_MILLIS = 500;
  /**
   * Characters one render may make. Smaller than Segment's memoryLimit (1e8): Relay renders for
   * every event of every destination on a node at once, and from a 32 KB event and a 1000-character
   * template no useful output comes near it.
   */
  static final int MAX_RENDERED_CHARACTERS = 1_000_000;
  /** What an element of an array a filter makes costs beyond its text, for its own weight. */
  private static final int ELEMENT_WEIGHT = 16;

  /** Segment's disabled tags: loops and file access. {@code include} would read the node's disk. */
  private static final Set<String> DISABLED_TAGS = Set.of("case", "for", "include", "layout", "render", "tablerow");
  /** Segment's disabled filters, some of which liqp does not have either. */
  private static final Set<String> DISABLED_FILTERS = Set.of("array_to_sentence_string", "concat", "find",
      "find_exp", "find_index", "find_index_exp", "group_by", "group_by_exp", "has", "has_exp", "map",
      "newline_to_br", "reject", "reject_exp", "reverse", "sort", "sort_natural", "uniq", "where_exp", "type");

  /** The budget of the render running on this thread; liqp renders on the caller's thread. */
  private static final ThreadLocal<RenderBudget> BUDGET = new ThreadLocal<>();
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
      throw new MappingException(where, "is not a Liquid template Relay can render: " + message(e));
    }
    checkTagsAndFilters(template.getParseTree(), where);
    return new LiquidDirective(template.getParseTree(), where, nanoClock);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    RenderBudget outer = BUDGET.get();
    BUDGET.set(new RenderBudget(nanoClock));
    try {
      // Template.render writes its context to a field of the shared Template and reads it back, so
      // concurrent renders of one template mix their events; this is its body, with a local context.
      LNode nodes = new NodeVisitor(PARSER.insertions, PARSER.filters, PARSER.liquidStyleInclude).visit(template);
      return TextNode.valueOf(text(nodes.render(new TemplateContext(PARSER, variables(root)))));
    } catch (RuntimeException e) {
      throw new MappingException(where, "@liquid could not render: " + message(e));
    } finally {
      BUDGET.set(outer);
      BasicTypesSupport.clearReferences(); // liqp's per-thread references to the values rendered
    }
  }

  private static TemplateParser parser() {
    TemplateParser.Builder builder = new TemplateParser.Builder()
        .withFlavor(Flavor.LIQUID)
        .withRenderTransformer(new CountedText())
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
      builder.withFilter(new CountedFilter(filter));
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

  /** How a value prints: liqp's way, but numbers as JavaScript prints them (3, not 3.0). */
  private static String text(Object value) {
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      return JsNumbers.format(((Number) value).doubleValue());
    }
    return String.valueOf(value);
  }

  private static String message(Throwable e) {
    Throwable cause = e;
    while (cause != null) {
      if (cause instanceof LimitReached) {
        return cause.getMessage();
      }
      cause = cause.getCause();
    }
    return e.getMessage();
  }

  /** The time and characters left to the render on this thread. */
  private static final class RenderBudget {
    private final LongSupplier nanoClock;
    private final long deadline;
    private long charactersLeft = MAX_RENDERED_CHARACTERS;

    RenderBudget(LongSupplier nanoClock) {
      this.nanoClock = nanoClock;
      this.deadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(MAX_RENDER_MILLIS);
    }

    static RenderBudget current() {
      return BUDGET.get();
    }

    /** Before making {@code characters}: fails once the render is out of time, or would be out of characters. */
    void require(long characters) {
      if (nanoClock.getAsLong() - deadline > 0) {
        throw new LimitReached("the template took longer than " + MAX_RENDER_MILLIS + " ms to render");
      }
      if (characters > charactersLeft) {
        throw new LimitReached("the template made more than " + MAX_RENDERED_CHARACTERS
            + " characters of text while rendering");
      }
    }

    void spend(long characters) {
      require(characters);
      charactersLeft -= characters;
    }
  }

  private static final class LimitReached extends RuntimeException {
    LimitReached(String message) {
      super(message, null, false, false);
    }
  }

  /** Builds every output and block body, counting each piece before it is appended. */
  private static final class CountedText implements RenderTransformer {
    @Override
    public ObjectAppender.Controller newObjectAppender(TemplateContext context, int estimatedNumberOfAppends) {
      StringBuilder out = new StringBuilder();
      RenderBudget budget = RenderBudget.current();
      return new ObjectAppender.Controller() {
        @Override
        public void append(Object value) {
          String piece = text(value);
          budget.spend(piece.length());
          out.append(piece);
        }

        @Override
        public Object getResult() {
          return out.toString();
        }
      };
    }

    @Override
    public Object transformObject(TemplateContext context, Object value) {
      return text(value);
    }
  }

  /**
   * One of liqp's filters, counted: its result is charged to the render, and a {@code replace}
   * whose result would be past what is left is refused before it is made (it multiplies).
   */
  private static final class CountedFilter extends Filter {
    private final Filter filter;

    CountedFilter(Filter filter) {
      super(filter.name);
      this.filter = filter;
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      RenderBudget budget = RenderBudget.current();
      if (name.equals("replace") && params.length > 0 && params[0] != null) {
        budget.require(replacedLength(asString(value, context), String.valueOf(params[0]),
            params.length > 1 && params[1] != null ? asString(params[1], context) : ""));
      } else {
        budget.require(0);
      }
      Object result = filter.apply(value, context, params);
      budget.spend(weight(result));
      return result;
    }

    /** The length of {@code text.replace(needle, replacement)}, without making it. */
    private static long replacedLength(String text, String needle, String replacement) {
      long count = 0;
      if (needle.isEmpty()) {
        count = text.length() + 1L;
      } else {
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
          count++;
        }
      }
      return text.length() + count * (replacement.length() - needle.length());
    }

    private static long weight(Object result) {
      if (result instanceof CharSequence text) {
        return text.length();
      }
      if (result instanceof Collection<?> items) {
        return weight(items.iterator(), items.size());
      }
      if (result instanceof Object[] items) {
        return weight(Arrays.asList(items).iterator(), items.length);
      }
      return 0;
    }

    private static long weight(Iterator<?> items, int size) {
      long total = (long) size * ELEMENT_WEIGHT;
      while (items.hasNext()) {
        if (items.next() instanceof CharSequence text) {
          total += text.length();
        }
      }
      return total;
    }
  }
}
