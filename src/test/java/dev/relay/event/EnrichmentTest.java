package dev.relay.event;

import static dev.relay.event.ParserFixture.MAPPER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What Relay adds to accepted calls. The fixture receives every request at 12:00:00.500Z. */
class EnrichmentTest {

  private static final String RECEIVED_AT = "2024-05-01T12:00:00.500Z";

  private final ParserFixture fixture = new ParserFixture();

  private ObjectNode track(String extraFields) throws InvalidRequest {
    return fixture.parseOne("track", "{'userId':'u1','event':'E'" + extraFields + "}");
  }

  private static ObjectNode node(String singleQuotedJson) {
    try {
      return (ObjectNode) MAPPER.readTree(ParserFixture.json(singleQuotedJson));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  // ---- messageId and receivedAt

  @Test
  void aGivenMessageIdIsKept() throws InvalidRequest {
    assertEquals("ajs-next-1714564800-abc", EventTypes.messageId(track(",'messageId':'ajs-next-1714564800-abc'")));
  }

  @Test
  void aMissingMessageIdIsFilledWithAnApiPrefixedUuid() throws InvalidRequest {
    String id = EventTypes.messageId(track(""));
    assertTrue(
        id.matches("api-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
  }

  @Test
  void anEmptyOrNullMessageIdIsReplacedSoItCannotCollideWithOthers() throws InvalidRequest {
    assertTrue(EventTypes.messageId(track(",'messageId':''")).startsWith("api-"));
    assertTrue(EventTypes.messageId(track(",'messageId':null")).startsWith("api-"));
  }

  @Test
  void filledMessageIdsDifferFromCallToCall() throws InvalidRequest {
    String body = "{'batch':[" + "{'type':'identify','userId':'u1'},".repeat(99) + "{'type':'identify','userId':'u1'}]}";
    Set<String> ids = new HashSet<>();
    fixture.parse("batch", body).events().forEach(e -> ids.add(EventTypes.messageId(e)));
    assertEquals(100, ids.size());
  }

  @Test
  void receivedAtIsTheArrivalTimeInUtcWithMillisReplacingAnyTheClientSent() throws InvalidRequest {
    assertEquals(RECEIVED_AT, track("").get("receivedAt").textValue());
    assertEquals(RECEIVED_AT, track(",'receivedAt':'1999-01-01T00:00:00Z'").get("receivedAt").textValue());
  }

  // ---- timestamps

  @Test
  void timestampIsCorrectedForClientClockSkewUsingSentAt() throws InvalidRequest {
    // The client's clock is 55 min 0.5 s behind: it sent at 11:05:00 by its clock, we received at
    // 12:00:00.500, so the call it stamped 11:00:00 happened at 11:55:00.500.
    ObjectNode event =
        track(",'timestamp':'2024-05-01T11:00:00.000Z','sentAt':'2024-05-01T11:05:00.000Z'");
    assertEquals("2024-05-01T11:55:00.500Z", event.get("timestamp").textValue());
    assertEquals("2024-05-01T11:00:00.000Z", event.get("originalTimestamp").textValue());
    assertEquals("2024-05-01T11:05:00.000Z", event.get("sentAt").textValue());
  }

  @Test
  void skewCorrectionWorksAcrossUtcOffsetsAndAClockThatIsAhead() throws InvalidRequest {
    // Client clock 2 h ahead, in +02:00: sent 16:00:00.500+02:00 = 14:00:00.500Z, 2 h after we got it.
    ObjectNode event =
        track(",'timestamp':'2024-05-01T15:59:00+02:00','sentAt':'2024-05-01T16:00:00.500+02:00'");
    assertEquals("2024-05-01T11:59:00.000Z", event.get("timestamp").textValue());
    assertEquals("2024-05-01T15:59:00+02:00", event.get("originalTimestamp").textValue());
  }

  @Test
  void withoutSentAtTheGivenTimestampStandsWrittenInUtc() throws InvalidRequest {
    ObjectNode event = track(",'timestamp':'2012-12-02T01:30:08.276+01:00'");
    assertEquals("2012-12-02T00:30:08.276Z", event.get("timestamp").textValue());
    assertEquals("2012-12-02T01:30:08.276+01:00", event.get("originalTimestamp").textValue());
  }

  @Test
  void withoutATimestampTheCallIsStampedWithReceivedAtAndGetsNoOriginalTimestamp()
      throws InvalidRequest {
    ObjectNode event = track(",'sentAt':'2024-05-01T11:05:00.000Z'");
    assertEquals(RECEIVED_AT, event.get("timestamp").textValue());
    assertFalse(event.has("originalTimestamp"));
  }

  @Test
  void aClientsOwnOriginalTimestampIsCorrectedByTheSameFormula() throws InvalidRequest {
    ObjectNode event =
        track(",'originalTimestamp':'2024-05-01T11:00:00.000Z','sentAt':'2024-05-01T11:05:00.000Z'");
    assertEquals("2024-05-01T11:55:00.500Z", event.get("timestamp").textValue());
    assertEquals("2024-05-01T11:00:00.000Z", event.get("originalTimestamp").textValue());
  }

  @Test
  void aBatchsSentAtAppliesToCallsWithoutTheirOwn() throws InvalidRequest {
    List<ObjectNode> events =
        fixture
            .parse(
                "batch",
                "{'sentAt':'2024-05-01T11:05:00.000Z','batch':["
                    + "{'type':'identify','userId':'u1','timestamp':'2024-05-01T11:00:00.000Z'},"
                    + "{'type':'identify','userId':'u1','timestamp':'2024-05-01T11:00:00.000Z',"
                    + "'sentAt':'2024-05-01T12:00:00.500Z'}]}")
            .events();
    assertEquals("2024-05-01T11:05:00.000Z", events.get(0).get("sentAt").textValue());
    assertEquals("2024-05-01T11:55:00.500Z", events.get(0).get("timestamp").textValue());
    assertEquals("2024-05-01T12:00:00.500Z", events.get(1).get("sentAt").textValue());
    assertEquals("2024-05-01T11:00:00.000Z", events.get(1).get("timestamp").textValue());
  }

  // ---- batch context and integrations

  @Test
  void theBatchsContextAndIntegrationsApplyToEveryCall() throws InvalidRequest {
    List<ObjectNode> events =
        fixture
            .parse(
                "batch",
                "{'context':{'library':{'name':'analytics-java','version':'3.5.4'}},"
                    + "'integrations':{'All':false,'Mixpanel':true},'batch':["
                    + "{'type':'identify','userId':'u1'},"
                    + "{'type':'track','userId':'u1','event':'E','context':{'ip':'1.2.3.4'},"
                    + "'integrations':{'Amplitude':true}}]}")
            .events();
    assertEquals(node("{'library':{'name':'analytics-java','version':'3.5.4'}}"), events.get(0).get("context"));
    assertEquals(node("{'All':false,'Mixpanel':true}"), events.get(0).get("integrations"));
    assertEquals(
        node("{'ip':'1.2.3.4','library':{'name':'analytics-java','version':'3.5.4'}}"),
        events.get(1).get("context"));
    assertEquals(node("{'Amplitude':true,'All':false,'Mixpanel':true}"), events.get(1).get("integrations"));
  }

  @Test
  void aCallsOwnContextKeysWinWholeOverTheBatchs() throws InvalidRequest {
    ObjectNode event =
        fixture.parseOne(
            "batch",
            "{'context':{'ip':'9.9.9.9','device':{'type':'phone','name':'iPhone'}},"
                + "'integrations':{'Mixpanel':{'people':true}},'batch':["
                + "{'type':'identify','userId':'u1','context':{'ip':'1.2.3.4','device':{'type':'tablet'}},"
                + "'integrations':{'Mixpanel':false}}]}");
    // Shallow: the call's device replaces the batch's; no "name" leaks in from another device.
    assertEquals(node("{'ip':'1.2.3.4','device':{'type':'tablet'}}"), event.get("context"));
    assertEquals(node("{'Mixpanel':false}"), event.get("integrations"));
  }

  @Test
  void theBatchsContextIsCopiedIntoEachCallNotShared() throws InvalidRequest {
    List<ObjectNode> events =
        fixture
            .parse(
                "batch",
                "{'context':{'library':{'name':'x'}},'batch':["
                    + "{'type':'identify','userId':'u1'},{'type':'identify','userId':'u2'}]}")
            .events();
    ((ObjectNode) events.get(0).at("/context/library")).put("name", "changed");
    assertEquals("x", events.get(1).at("/context/library/name").textValue());
    assertNotEquals(events.get(0).get("context"), events.get(1).get("context"));
  }

  // ---- originals

  @Test
  void everyFieldTheClientSentIsKept() throws InvalidRequest {
    ObjectNode event =
        track(
            ",'properties':{'revenue':14.99,'items':[{'sku':'a'}],'gift':false},"
                + "'context':{'ip':'1.2.3.4'},'custom':{'x':[1,'2',null]}");
    assertEquals(node("{'revenue':14.99,'items':[{'sku':'a'}],'gift':false}"), event.get("properties"));
    assertEquals(node("{'ip':'1.2.3.4'}"), event.get("context"));
    assertEquals(node("{'x':[1,'2',null]}"), event.get("custom"));
  }
}
