package dev.relay.catalog;

import java.util.Map;

/**
 * An HTTP request to a destination, as a destination type builds it and as the audit trail records
 * it (after redaction). Headers keep their order.
 */
public record OutgoingRequest(String method, String url, Map<String, String> headers, String body) {}
