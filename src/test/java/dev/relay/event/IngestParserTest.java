package dev.relay.event;

import static dev.relay.event.ParserFixture.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request as a whole: JSON, shape, size and depth limits, and the batch envelope. */
class IngestParserTest {

  private final ParserFixture fixture = new ParserFixture();

  private static String repeat(String text, int times) {
    return text.repeat(times);
  }

  // ---- JSON and shape

  @Test
  void malformedJsonIsRefusedWithAShortMessageAndNoStackTrace() {
    InvalidRequest refused = fixture.rejected("track", "{'userId':'u1','event':tru}");
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertTrue(refused.getMessage().startsWith("invalid JSON: "), refused.getMessage());
    assertTrue(refused.getMessage().contains("line 1, column"), refused.getMessage());
    assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
    assertFalse(refused.getMessage().contains("Source:"), refused.getMessage());
    assertEquals(0, refused.getStackTrace().length);
  }

  @Test
  void aTruncatedBodyIsInvalidJson() {
    InvalidRequest refused = fixture.rejected("batch", "{'batch':[{'type':'track'");
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertTrue(refused.getMessage().startsWith("invalid JSON: "), refused.getMessage());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "  ", "[]", "[{'type':'track'}]", "'track'", "42", "null"})
  void aBodyThatIsNotAJsonObjectIsRefused(String body) {
    InvalidRequest refused = fixture.rejected("track", body);
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("request body must be a JSON object", refused.getMessage());
  }

  @Test
  void contentAfterTheBodysObjectIsRefused() {
    InvalidRequest refused = fixture.rejected("identify", "{'userId':'u1'} {'userId':'u2'}");
    assertEquals("invalid JSON: more content after the body's object", refused.getMessage());
  }

  @Test
  void anUnknownEndpointIsRefused() {
    InvalidRequest refused = fixture.rejected("purchase", "{'userId':'u1'}");
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("unknown endpoint /v1/purchase", refused.getMessage());
  }

  // ---- size limits

  @Test
  void aBodyOverTheRequestLimitIsRefusedWith413BeforeParsing() {
    ParserFixture small = new ParserFixture(new EventLimits(100, 200, 10));
    byte[] notEvenJson = new byte[201];
    InvalidRequest refused = small.rejectedBytes("batch", notEvenJson);
    assertEquals(Problem.Kind.TOO_LARGE, refused.kind());
    assertEquals("request body is 201 bytes, over the 200-byte limit", refused.getMessage());
  }

  @Test
  void anEventOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRefused() throws InvalidRequest {
    ParserFixture small = new ParserFixture(new EventLimits(100, 1000, 10));
    String start = "{'userId':'u1','event':'";
    int padding = 100 - json(start + "'}").length();
    String atLimit = start + repeat("x", padding) + "'}";
    assertEquals(100, json(atLimit).getBytes(UTF_8).length);
    assertEquals(1, small.parse("track", atLimit).events().size());

    InvalidRequest refused = small.rejected("track", start + repeat("x", padding + 1) + "'}");
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("event is 101 bytes, over the 100-byte limit", refused.getMessage());
  }

  @Test
  void eventSizeIsCountedInUtf8BytesNotCharacters() {
    ParserFixture small = new ParserFixture(new EventLimits(100, 1000, 10));
    String start = "{'userId':'u1','event':'";
    int padding = 100 - json(start + "'}").length();
    // Same number of characters as the accepted event above, but é takes two bytes.
    String body = start + "é" + repeat("x", padding - 1) + "'}";
    assertEquals(100, json(body).length());
    InvalidRequest refused = small.rejected("track", body);
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("event is 101 bytes, over the 100-byte limit", refused.getMessage());
  }

  @Test
  void anOversizedCallInABatchIsRefusedWith400NamingIt() {
    ParserFixture small = new ParserFixture(new EventLimits(100, 1000, 10));
    String body =
        "{'batch':[{'type':'identify','userId':'u1'},"
            + "{'type':'track','userId':'u1','event':'" + repeat("x", 100) + "'}]}";
    InvalidRequest refused = small.rejected("batch", body);
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertTrue(refused.getMessage().startsWith("batch[1]: event is "), refused.getMessage());
  }

  @Test
  void theDefaultLimitsAreSegments() {
    EventLimits limits = EventLimits.defaults();
    assertEquals(32 * 1024, limits.maxEventBytes());
    assertEquals(500 * 1024, limits.maxRequestBytes());
    assertEquals(64, limits.maxNestingDepth());
  }

  // ---- nesting depth

  /** A track call whose body nests exactly {@code depth} levels, counting the body itself. */
  private static String trackNested(int depth) {
    int inner = depth - 2; // the body is level 1, properties level 2
    return "{'userId':'u1','event':'E','properties':{'p':" + repeat("[", inner) + repeat("]", inner) + "}}";
  }

  @Test
  void nestingUpToTheLimitIsAccepted() throws InvalidRequest {
    assertEquals(1, fixture.parse("track", trackNested(64)).events().size());
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedWhileParsing() {
    InvalidRequest refused = fixture.rejected("track", trackNested(65));
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("JSON is nested deeper than 64 levels", refused.getMessage());
  }

  @Test
  void depthIsCountedFromTheBodySoABatchItemStartsAtLevelThree() throws InvalidRequest {
    ParserFixture shallow = new ParserFixture(new EventLimits(1000, 1000, 4));
    String level4 = "{'batch':[{'type':'identify','userId':'u1','traits':{}}]}";
    String level5 = "{'batch':[{'type':'identify','userId':'u1','traits':{'a':{}}}]}";
    assertEquals(1, shallow.parse("batch", level4).events().size());
    assertEquals("JSON is nested deeper than 4 levels", shallow.rejected("batch", level5).getMessage());
  }

  @Test
  void anOverlongNumberIsInvalidJsonNotADepthProblem() {
    InvalidRequest refused =
        fixture.rejected("track", "{'userId':'u1','event':'E','properties':{'n':" + repeat("9", 1001) + "}}");
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertTrue(refused.getMessage().startsWith("invalid JSON: "), refused.getMessage());
  }

  // ---- batch envelope

  @Test
  void aBatchKeepsItsCallsInOrderEachWithItsType() throws InvalidRequest {
    IngestRequest request =
        fixture.parse(
            "batch",
            "{'batch':["
                + "{'type':'identify','userId':'u1'},"
                + "{'type':'track','userId':'u1','event':'Signed Up'},"
                + "{'type':'page','anonymousId':'a1'},"
                + "{'type':'screen','anonymousId':'a1'},"
                + "{'type':'group','userId':'u1','groupId':'g1'},"
                + "{'type':'alias','userId':'u1','previousId':'a1'}]}");
    List<String> types = request.events().stream().map(EventTypes::type).toList();
    assertEquals(List.of("identify", "track", "page", "screen", "group", "alias"), types);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{}", "{'batch':[]}", "{'batch':{}}", "{'batch':null}", "{'context':{}}"})
  void aBatchMustBeANonEmptyArray(String body) {
    InvalidRequest refused = fixture.rejected("batch", body);
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("\"batch\" must be a non-empty array of objects", refused.getMessage());
  }

  @Test
  void everyBatchItemMustBeAnObject() {
    InvalidRequest refused = fixture.rejected("batch", "{'batch':[{'type':'identify','userId':'u1'},'x']}");
    assertEquals("batch[1]: must be an object", refused.getMessage());
  }

  @Test
  void everyBatchItemNeedsAKnownType() {
    assertEquals(
        "batch[0]: requires \"type\"",
        fixture.rejected("batch", "{'batch':[{'userId':'u1'}]}").getMessage());
    assertEquals(
        "batch[1]: unknown type \"purchase\"; expected track, identify, page, screen, group or alias",
        fixture
            .rejected("batch", "{'batch':[{'type':'identify','userId':'u1'},{'type':'purchase','userId':'u1'}]}")
            .getMessage());
    assertEquals(
        "batch[0]: unknown type \"batch\"; expected track, identify, page, screen, group or alias",
        fixture.rejected("batch", "{'batch':[{'type':'batch','userId':'u1'}]}").getMessage());
    assertEquals(
        "batch[0]: unknown type (not a string); expected track, identify, page, screen, group or alias",
        fixture.rejected("batch", "{'batch':[{'type':5,'userId':'u1'}]}").getMessage());
    assertEquals(
        "batch[0]: unknown type \"Track\"; expected track, identify, page, screen, group or alias",
        fixture.rejected("batch", "{'batch':[{'type':'Track','userId':'u1','event':'E'}]}").getMessage());
  }

  @Test
  void oneBadCallRefusesTheWholeBatch() {
    String body =
        "{'batch':["
            + "{'type':'identify','userId':'u1'},"
            + "{'type':'track','userId':'u1','event':'Fine'},"
            + "{'type':'group','userId':'u1'},"
            + "{'type':'track','userId':'u2','event':'Also fine'}]}";
    InvalidRequest refused = fixture.rejected("batch", body);
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals("batch[2]: group requires \"groupId\"", refused.getMessage());
  }

  @Test
  void theEnvelopeMayComeBeforeOrAfterTheBatch() throws InvalidRequest {
    ObjectNode before =
        fixture.parseOne("batch", "{'context':{'ip':'1.2.3.4'},'batch':[{'type':'identify','userId':'u1'}]}");
    ObjectNode after =
        fixture.parseOne("batch", "{'batch':[{'type':'identify','userId':'u1'}],'context':{'ip':'1.2.3.4'}}");
    assertEquals("1.2.3.4", before.at("/context/ip").textValue());
    assertEquals("1.2.3.4", after.at("/context/ip").textValue());
  }

  @Test
  void envelopeFieldsHaveTheirSpecTypes() {
    String batch = "'batch':[{'type':'identify','userId':'u1'}]";
    assertEquals("\"context\" must be an object", fixture.rejected("batch", "{" + batch + ",'context':'x'}").getMessage());
    assertEquals("\"integrations\" must be an object", fixture.rejected("batch", "{" + batch + ",'integrations':[]}").getMessage());
    assertEquals("\"writeKey\" must be a string", fixture.rejected("batch", "{" + batch + ",'writeKey':1}").getMessage());
    assertEquals(
        "\"sentAt\" must be an ISO-8601 date-time, like 2024-05-01T12:00:00.000Z",
        fixture.rejected("batch", "{" + batch + ",'sentAt':'now'}").getMessage());
  }

  // ---- write key

  @Test
  void theWriteKeyIsTakenFromASingleCallsBodyAndRemovedFromTheEvent() throws InvalidRequest {
    IngestRequest request = fixture.parse("track", "{'writeKey':'wk_123','userId':'u1','event':'E'}");
    assertEquals("wk_123", request.writeKey().orElseThrow());
    assertFalse(request.events().get(0).has("writeKey"));
  }

  @Test
  void theWriteKeyIsTakenFromABatchBodyAndNoCallKeepsOne() throws InvalidRequest {
    IngestRequest request =
        fixture.parse(
            "batch",
            "{'writeKey':'wk_batch','batch':[{'type':'identify','userId':'u1','writeKey':'wk_item'},"
                + "{'type':'identify','userId':'u2'}]}");
    assertEquals("wk_batch", request.writeKey().orElseThrow());
    assertFalse(request.events().get(0).has("writeKey"));
    assertFalse(request.events().get(1).has("writeKey"));
  }

  @Test
  void aBodyWithoutAWriteKeyOrWithAnEmptyOneHasNone() throws InvalidRequest {
    assertTrue(fixture.parse("identify", "{'userId':'u1'}").writeKey().isEmpty());
    assertTrue(fixture.parse("identify", "{'userId':'u1','writeKey':''}").writeKey().isEmpty());
  }

  @Test
  void aSingleCallsWriteKeyMustBeAString() {
    assertEquals(
        "\"writeKey\" must be a string",
        fixture.rejected("identify", "{'userId':'u1','writeKey':{'k':1}}").getMessage());
  }

  // ---- unicode

  @Test
  void unicodeIsPreservedWhetherSentRawOrEscaped() throws InvalidRequest {
    ObjectNode event =
        fixture.parseOne(
            "track",
            "{'userId':'ユーザー1','event':'Café ☕ ordered','properties':{'emoji':'🎉👩‍💻',"
                + "'escaped':'\\u00e9\\ud83c\\udf89','名前':'Ωμέγα'}}");
    assertEquals("ユーザー1", event.get("userId").textValue());
    assertEquals("Café ☕ ordered", event.get("event").textValue());
    assertEquals("🎉👩‍💻", event.at("/properties/emoji").textValue());
    assertEquals("é🎉", event.at("/properties/escaped").textValue());
    assertEquals("Ωμέγα", event.path("properties").path("名前").textValue());
  }
}
