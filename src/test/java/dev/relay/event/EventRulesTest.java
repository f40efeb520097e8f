package dev.relay.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.Settings;
import dev.relay.core.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Segment spec's per-call rules, through the parser's single-call endpoints and batches. */
class EventRulesTest {

  private final ParserFixture fixture = new ParserFixture();

  private void assertRejected(String endpoint, String body, String message) {
    InvalidRequest refused = fixture.rejected(endpoint, body);
    assertEquals(Problem.Kind.INVALID, refused.kind());
    assertEquals(message, refused.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "track    | {'userId':'u1','event':'Signed Up'}",
    "identify | {'userId':'u1','traits':{'plan':'pro'}}",
    "page     | {'anonymousId':'a1','name':'Home'}",
    "screen   | {'anonymousId':'a1','name':'Settings'}",
    "group    | {'userId':'u1','groupId':'g1'}",
    "alias    | {'userId':'u1','previousId':'a1'}",
  })
  void eachEndpointAcceptsAMinimalValidCallAndSetsItsType(String type, String body)
      throws InvalidRequest {
    ObjectNode event = fixture.parseOne(type, body);
    assertEquals(type, EventTypes.type(event));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "track    | {'event':'Signed Up'}",
    "identify | {'traits':{'plan':'pro'}}",
    "page     | {'name':'Home'}",
    "screen   | {'name':'Settings'}",
    "group    | {'groupId':'g1'}",
  })
  void everyTypeButAliasRequiresUserIdOrAnonymousId(String type, String body) {
    assertRejected(type, body, type + " requires \"userId\" or \"anonymousId\"");
  }

  @Test
  void anEmptyUserIdDoesNotCountAsAnIdentity() {
    assertRejected("track", "{'userId':'','event':'E'}", "track requires \"userId\" or \"anonymousId\"");
  }

  @Test
  void anonymousIdAloneIsEnough() throws InvalidRequest {
    ObjectNode event = fixture.parseOne("identify", "{'anonymousId':'a1'}");
    assertEquals("a1", EventTypes.anonymousId(event));
    assertEquals(null, EventTypes.userId(event));
  }

  @Test
  void aNullUserIdBesideAnAnonymousIdIsAcceptedAsAnalyticsJsSendsIt() throws InvalidRequest {
    ObjectNode event = fixture.parseOne("page", "{'userId':null,'anonymousId':'a1'}");
    assertEquals("a1", EventTypes.anonymousId(event));
  }

  @Test
  void numericIdentitiesAreTurnedIntoStrings() throws InvalidRequest {
    ObjectNode group = fixture.parseOne("group", "{'userId':42,'anonymousId':1.5,'groupId':7}");
    assertEquals("42", group.get("userId").textValue());
    assertEquals("1.5", group.get("anonymousId").textValue());
    assertEquals("7", group.get("groupId").textValue());

    ObjectNode alias = fixture.parseOne("alias", "{'userId':12345678901234,'previousId':2.0}");
    assertEquals("12345678901234", alias.get("userId").textValue());
    assertEquals("2", alias.get("previousId").textValue());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"true", "{'id':1}", "['u1']"})
  void aUserIdThatIsNeitherStringNorNumberIsRefused(String value) {
    assertRejected("track", "{'userId':" + value + ",'event':'E'}", "\"userId\" must be a string");
  }

  @Test
  void trackRequiresAnEventName() {
    assertRejected("track", "{'userId':'u1'}", "track requires \"event\"");
    assertRejected("track", "{'userId':'u1','event':''}", "track requires \"event\"");
    assertRejected("track", "{'userId':'u1','event':null}", "track requires \"event\"");
  }

  @Test
  void groupRequiresAGroupId() {
    assertRejected("group", "{'userId':'u1'}", "group requires \"groupId\"");
    assertRejected("group", "{'userId':'u1','groupId':''}", "group requires \"groupId\"");
  }

  @Test
  void aliasRequiresPreviousIdAndUserId() {
    assertRejected("alias", "{'userId':'u1'}", "alias requires \"previousId\"");
    assertRejected("alias", "{'previousId':'a1'}", "alias requires \"userId\"");
    assertRejected("alias", "{'anonymousId':'a1','previousId':'a0'}", "alias requires \"userId\"");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "properties   | 'cheap'",
    "properties   | [1,2]",
    "traits       | 5",
    "context      | 'web'",
    "integrations | true",
  })
  void objectFieldsMustBeObjects(String field, String value) {
    assertRejected(
        "track",
        "{'userId':'u1','event':'E','" + field + "':" + value + "}",
        "\"" + field + "\" must be an object");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "event     | 5",
    "name      | {'a':1}",
    "messageId | 123",
  })
  void stringFieldsMustBeStrings(String field, String value) {
    String body = "{'userId':'u1','event':'E','" + field + "':" + value + "}";
    assertRejected("track", body, "\"" + field + "\" must be a string");
  }

  @Test
  void nullOptionalFieldsCountAsAbsent() throws InvalidRequest {
    ObjectNode event =
        fixture.parseOne(
            "track",
            "{'userId':'u1','event':'E','properties':null,'context':null,'name':null,"
                + "'timestamp':null}");
    assertEquals("E", event.get("event").textValue());
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "timestamp         | 'yesterday'",
    "timestamp         | 1714564800000",
    "sentAt            | '2024-13-01T00:00:00Z'",
    "originalTimestamp | '2024-05-01'",
  })
  void dateFieldsMustBeIso8601DateTimes(String field, String value) {
    assertRejected(
        "identify",
        "{'userId':'u1','" + field + "':" + value + "}",
        "\"" + field + "\" must be an ISO-8601 date-time, like 2024-05-01T12:00:00.000Z");
  }

  @Test
  void aTypeInTheBodyMustMatchTheEndpoint() throws InvalidRequest {
    assertEquals("track", EventTypes.type(fixture.parseOne("track", "{'type':'track','userId':'u','event':'E'}")));
    assertRejected("track", "{'type':'identify','userId':'u1','event':'E'}", "\"type\" must be \"track\" on /v1/track");
    assertRejected("track", "{'type':5,'userId':'u1','event':'E'}", "\"type\" must be \"track\" on /v1/track");
  }

  @Test
  void messagesInABatchNameTheCallByIndex() {
    String body =
        "{'batch':[{'type':'identify','userId':'u1'},{'type':'identify','userId':'u2'},"
            + "{'type':'page','userId':'u3'},{'type':'track','userId':'u4'}]}";
    assertRejected("batch", body, "batch[3]: track requires \"event\"");
  }
}
