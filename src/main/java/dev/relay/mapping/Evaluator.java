package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One compiled piece of a mapping. Evaluators are immutable and built once by
 * {@link MappingCompiler}; evaluating never parses anything.
 */
sealed interface Evaluator
    permits Constant, ObjectShape, ArrayShape, PathLookup, DynamicPath, Template, DynamicTemplate,
        IfDirective, CaseDirective, ReplaceDirective, ArrayPathDirective, JsonDirective,
        FlattenDirective, MergeDirective, TransformDirective, ExcludeWhenNull, LiquidDirective {

  /**
   * Evaluates against {@code root} (the event, or an item for {@code @arrayPath}).
   *
   * @return the value, or {@code null} for JavaScript's undefined (dropped from objects)
   */
  JsonNode evaluate(JsonNode root);
}
