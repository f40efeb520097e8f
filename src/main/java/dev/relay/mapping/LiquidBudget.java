package dev.relay.mapping;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import liqp.RenderTransformer;
import liqp.TemplateContext;
import liqp.filters.Filter;

/**
 * The time and the characters one {@code @liquid} render may still spend, kept for the render
 * running on this thread (liqp renders on the caller's thread). Every filter and every piece
 * appended to an output checks it, so it bounds a render without a watchdog thread: liqp's own
 * time limit starts a thread per render and leaves a runaway render running.
 */
final class LiquidBudget {
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

  private static final ThreadLocal<LiquidBudget> CURRENT = new ThreadLocal<>();

  private final LongSupplier nanoClock;
  private final long deadline;
  private long charactersLeft = MAX_RENDERED_CHARACTERS;

  private LiquidBudget(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.deadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(MAX_RENDER_MILLIS);
  }

  /** Runs one render with a full budget, timed by {@code nanoClock}. */
  static <T> T within(LongSupplier nanoClock, Supplier<T> render) {
    LiquidBudget outer = CURRENT.get();
    CURRENT.set(new LiquidBudget(nanoClock));
    try {
      return render.get();
    } finally {
      CURRENT.set(outer);
    }
  }

  /** The limit a failed render reached, or else what liqp said (it wraps what filters throw). */
  static String explain(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof LimitReached) {
        return cause.getMessage();
      }
    }
    return failure.getMessage();
  }

  /** How a value prints: liqp's way, but numbers as JavaScript prints them (3, not 3.0). */
  static String text(Object value) {
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      return JsNumbers.format(((Number) value).doubleValue());
    }
    return String.valueOf(value);
  }

  /** Builds every output and block body, charging each piece before it is appended. */
  static RenderTransformer countedText() {
    return new RenderTransformer() {
      @Override
      public ObjectAppender.Controller newObjectAppender(TemplateContext context, int estimatedNumberOfAppends) {
        StringBuilder out = new StringBuilder();
        LiquidBudget budget = CURRENT.get();
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
    };
  }

  /** {@code filter}, with its result charged to the render. */
  static Filter counted(Filter filter) {
    return new CountedFilter(filter);
  }

  /** Before making {@code characters}: fails once the render is out of time, or would be out of characters. */
  private void require(long characters) {
    if (nanoClock.getAsLong() - deadline > 0) {
      throw new LimitReached("the template took longer than " + MAX_RENDER_MILLIS + " ms to render");
    }
    if (characters > charactersLeft) {
      throw new LimitReached("the template made more than " + MAX_RENDERED_CHARACTERS
          + " characters of text while rendering");
    }
  }

  private void spend(long characters) {
    require(characters);
    charactersLeft -= characters;
  }

  private static final class LimitReached extends RuntimeException {
    LimitReached(String message) {
      super(message, null, false, false);
    }
  }

  /** A {@code replace} whose result would be past what is left is refused before it is made: it multiplies. */
  private static final class CountedFilter extends Filter {
    private final Filter filter;

    CountedFilter(Filter filter) {
      super(filter.name);
      this.filter = filter;
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      LiquidBudget budget = CURRENT.get();
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
