package dev.relay.mapping;

import dev.relay.core.SettingRules;

/**
 * How large and how deep a trigger or a mapping may be. Compiling (and later evaluating) both
 * recurses once per level of nesting, so without a bound one saved action could overflow the stack
 * of whichever node hosts its destination. Refusals name the configuration key of the limit.
 *
 * @param maxTriggerLength longest trigger, in characters
 * @param maxNestingDepth deepest nesting of parentheses in a trigger, and of objects and arrays in
 *     a mapping (the mapping itself is level 1)
 * @param maxMappingSize largest mapping, in characters of its compact JSON
 */
public record MappingLimits(int maxTriggerLength, int maxNestingDepth, int maxMappingSize) {

  /** The configuration keys of the limits (relay.mapping in application.conf). */
  public static final String MAX_TRIGGER_LENGTH = "relay.mapping.max-trigger-length";
  public static final String MAX_NESTING_DEPTH = "relay.mapping.max-nesting-depth";
  public static final String MAX_MAPPING_SIZE = "relay.mapping.max-mapping-size";

  public MappingLimits {
    SettingRules.atLeast(MAX_TRIGGER_LENGTH, maxTriggerLength, 1);
    SettingRules.atLeast(MAX_NESTING_DEPTH, maxNestingDepth, 1);
    SettingRules.atLeast(MAX_MAPPING_SIZE, maxMappingSize, 1);
  }
}
