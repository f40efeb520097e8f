package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/** An action a destination type offers out of the box: its trigger (FQL) and field mapping. */
public record ActionDefinition(String name, String type, String trigger, JsonNode mapping) {}
