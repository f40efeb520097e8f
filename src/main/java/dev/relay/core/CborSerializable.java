package dev.relay.core;

/**
 * Marker of every message that crosses nodes or goes to the journal: commands, replies, events and
 * state. It is bound to Pekko's jackson-cbor serializer in application.conf.
 */
public interface CborSerializable {}
