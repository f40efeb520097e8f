package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.CborSerializable;
import java.util.List;

/** A destination as the admin API shows it: secrets in its settings are masked. */
public record DestinationView(
    String id,
    String name,
    String type,
    boolean enabled,
    ObjectNode settings,
    List<ActionConfig> actions,
    List<String> sources)
    implements CborSerializable {}
