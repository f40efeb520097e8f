package dev.relay.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutcomeTest {

  @ParameterizedTest
  @ValueSource(ints = {200, 201, 202, 204, 299})
  void successIsDelivered(int status) {
    assertEquals(Outcome.DELIVERED, Outcome.ofStatus(status));
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504, 599})
  void timeoutsRateLimitsAndServerErrorsAreRetried(int status) {
    assertEquals(Outcome.RETRY, Outcome.ofStatus(status));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 405, 409, 410, 413, 422, 451, 499})
  void otherClientErrorsFailAtOnce(int status) {
    assertEquals(Outcome.FAILED, Outcome.ofStatus(status));
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 301, 302, 304, 307})
  void unrecognisedAnswersAreRetried(int status) {
    assertEquals(Outcome.RETRY, Outcome.ofStatus(status));
  }
}
