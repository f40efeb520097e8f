package dev.relay.console;

import static dev.relay.testing.StandInDestination.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.NodePerClass;
import dev.relay.testing.StandInDestination.Answer;
import dev.relay.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web console in a real browser against a real node: the setup flow through to a delivered
 * event, a settings fix, the API call tester, the overview and a validation error, each tab
 * screenshotted under target/console-screenshots. No test may leave an error in the browser's console.
 */
class ConsoleBrowserTest extends NodePerClass {

  private static final Duration DELIVERED = Duration.ofSeconds(30);
  private Browser browser;

  @Override
  protected Backend backend() {
    return Backend.H2;
  }

  @Override
  protected Config nodeConfig() {
    return ConfigFactory.parseMap(
        Map.of(
            // Retries come quickly, so a settings fix shows within the test.
            "relay.delivery.retry.base-delay", "200ms",
            "relay.console.refresh-interval", "500ms",
            // Small pages, so that a handful of actions spans several.
            "relay.console.journal-page-size", 2));
  }

  @BeforeAll
  void startBrowser() {
    browser = Browser.start();
  }

  @AfterAll
  void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void signIn() {
    browser.size(Browser.LAPTOP);
    browser.open(node.baseUrl() + "/#/connections");
    browser.driver().executeScript("sessionStorage.clear()");
    browser.driver().navigate().refresh();
    // From the keyboard: the token, then Enter.
    browser.type(By.id("admin-token"), TestNode.ADMIN_TOKEN + Keys.ENTER);
    browser.find(By.id("destinations-title"));
  }

  @AfterEach
  void noConsoleErrors(TestInfo test) {
    // What the page showed when the test ended: the first thing to look at when one fails.
    browser.screenshot("end-of-" + test.getTestMethod().orElseThrow().getName());
    assertEquals(List.of(), browser.consoleErrors(), "errors in the browser's console");
    @SuppressWarnings("unchecked")
    List<String> loaded = (List<String>) browser.driver().executeScript(
        "return performance.getEntriesByType('resource').map(e => e.name)");
    assertFalse(loaded.isEmpty());
    loaded.forEach(url -> assertTrue(url.startsWith(node.baseUrl() + "/"), "the page reached another host: " + url));
  }

  @Test
  void setupFlowEndsInADeliveredEventSeenInTheActionsTab() {
    browser.type(By.id("source-name"), "Web shop");
    browser.click(By.cssSelector("form.add-source button[type=submit]"));
    browser.click(By.cssSelector("details[data-source='Web shop'] summary"));
    String writeKey = browser.find(By.cssSelector("details[data-source='Web shop'] [data-write-key]")).getText();
    assertTrue(browser.find(By.cssSelector("details[data-source='Web shop'] pre.snippet")).getText().contains(writeKey));
    browser.click(By.cssSelector("details[data-source='Web shop'] .write-key button"));
    browser.await("the write key is copied", () ->
        browser.find(By.cssSelector("details[data-source='Web shop'] .write-key button")).getText().equals("Copied"));
    browser.screenshot("connections");

    browser.click(By.id("add-destination"));
    browser.click(By.id("choose-webhook"));
    browser.type(By.id("destination-name"), "Shop hook");
    browser.type(By.id("setting-url"), standIn.url("/hook"));
    browser.click(By.cssSelector(".key-values button"));
    browser.type(By.id("setting-headers-name-0"), "Authorization");
    browser.type(By.id("setting-headers-value-0"), "Bearer sk_console_secret");
    assertEquals("password", browser.find(By.id("setting-headers-value-0")).getAttribute("type"));
    browser.screenshot("setup-configure");
    browser.click(By.id("configure-continue"));

    // The default action is selected; its mapping is edited with a live preview.
    assertTrue(browser.find(By.id("action-enabled-0")).isSelected());
    browser.click(By.id("action-edit-0"));
    String trigger = browser.find(By.id("action-trigger")).getAttribute("value");
    browser.replace(By.id("action-trigger"), "type = \"track\" and");
    WebElement triggerError = browser.find(By.id("action-trigger-error"));
    assertTrue(triggerError.getText().contains("at position"), triggerError.getText());
    // The caret stands under the position the node names, on the line below the trigger.
    String position = triggerError.getText().replaceAll("(?s).*at position (\\d+).*", "$1");
    assertEquals("type = \"track\" and\n" + " ".repeat(Integer.parseInt(position)) + "^",
        triggerError.findElement(By.cssSelector("pre.caret")).getText());
    browser.screenshot("action-editor-trigger-error");
    browser.replace(By.id("action-trigger"), trigger);
    browser.replace(By.id("action-mapping"), "{\"order\": {\"@path\": \"$.event\"}, \"user\": {\"@path\": \"$.userId\"}}");
    browser.await("the preview shows the mapped sample", () ->
        browser.all(By.cssSelector(".preview pre.json")).stream().anyMatch(p -> p.getText().contains("\"order\": \"")));
    assertEquals("The trigger matches this event.", browser.find(By.id("trigger-matches")).getText());
    browser.screenshot("action-editor");
    browser.click(By.cssSelector(".action-editor button[type=submit]"));
    browser.click(By.id("actions-continue"));

    browser.click(By.cssSelector("input[data-source='Web shop']"));
    browser.click(By.id("sources-save"));
    browser.click(By.id("enable-destination"));
    browser.find(By.id("journal-title"));

    TestNode.Answer sent =
        node.send(
            "POST",
            "/v1/track",
            Map.of("userId", "u-42", "event", "Order Completed"),
            Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8))));
    assertEquals(200, sent.status(), sent.body());

    // The Actions tab refreshes by itself until the delivered action shows.
    browser.find(By.cssSelector("#journal-table tr[data-status=delivered]"));
    browser.click(By.cssSelector("#journal-table tr[data-status=delivered] a"));
    WebElement detail = browser.find(By.id("journal-item"));
    browser.await("the attempt log", () -> detail.getText().contains("Attempt 1"));
    assertEquals("200", detail.findElement(By.cssSelector(".response-status")).getText());
    assertTrue(detail.getText().contains(standIn.url("/hook")), detail.getText());
    assertFalse(detail.getText().contains("sk_console_secret"), "credentials are redacted in the attempt log");
    browser.screenshot("actions-tab");

    // What the destination got is the edited mapping, with the secret header set up in the form.
    standIn.awaitRequests(1, DELIVERED);
    JsonNode body = json(standIn.received().get(0).body());
    assertEquals("Order Completed", body.path("order").asText());
    assertEquals("u-42", body.path("user").asText());
    assertEquals("Bearer sk_console_secret", standIn.received().get(0).header("Authorization"));

    browser.size(Browser.PHONE);
    browser.driver().navigate().refresh();
    browser.find(By.cssSelector("#journal-table tr[data-status=delivered]"));
    browser.scrollTo(browser.find(By.id("journal-title")));
    browser.screenshot("actions-tab-narrow");
  }

  @Test
  void aValidationErrorOfTheApiStandsBesideItsField() {
    browser.click(By.id("nav-add"));
    browser.click(By.id("choose-webhook"));
    browser.type(By.id("destination-name"), "Broken hook");
    browser.type(By.id("setting-url"), "not a url");
    browser.click(By.id("configure-continue"));

    WebElement error = browser.find(By.cssSelector("[data-field-error=setting-url]"));
    assertTrue(error.getText().contains("does not match the regex pattern"), error.getText());
    // Beside its field: in the same label, and the field is marked invalid and described by it.
    WebElement field = browser.find(By.id("setting-url"));
    assertEquals(field, error.findElement(By.xpath("ancestor::label//input")));
    assertEquals("true", field.getAttribute("aria-invalid"));
    assertEquals(error.getAttribute("id"), field.getAttribute("aria-describedby"));
    assertTrue(browser.all(By.cssSelector("[data-field-error=destination-name]")).isEmpty());
    browser.screenshot("validation-error");
  }

  @Test
  void aSettingsFixTurnsAFailingDestinationsItemsDelivered() {
    // Nothing listens on port 1: every attempt fails and is retried.
    String id = createDestination(Map.of("url", "http://127.0.0.1:1/hook", "headers", Map.of("X-Api-Key", "k-secret")));
    String writeKey = connectNewSource(id);
    for (String user : List.of("ann", "ben")) {
      assertEquals(200, track(writeKey, user, "Checkout Started").status());
    }
    browser.open(node.baseUrl() + "/#/destinations/" + id + "/actions");
    browser.await("both actions retrying", () -> browser.all(By.cssSelector("#journal-table tr[data-status=retrying]")).size() == 2);
    browser.click(By.cssSelector("#journal-table tr[data-status=retrying] a"));
    WebElement retrying = browser.find(By.id("journal-item"));
    browser.await("a retry is planned", () -> !browser.find(By.id("next-attempt")).getText().equals("none"));
    assertTrue(retrying.getText().contains("Connection refused"), retrying.getText());
    browser.screenshot("actions-tab-retrying");

    browser.click(By.id("tab-settings"));
    WebElement secret = browser.find(By.id("setting-headers-value-0"));
    assertEquals("password", secret.getAttribute("type"));
    assertEquals("********", secret.getAttribute("value"), "the secret is masked");
    browser.type(By.id("setting-url"), standIn.url("/fixed"));
    browser.screenshot("settings-tab");
    browser.click(By.id("settings-save"));
    browser.find(By.id("settings-saved"));

    browser.click(By.id("tab-actions"));
    browser.await("both actions delivered after the fix", () ->
        browser.all(By.cssSelector("#journal-table tr[data-status=delivered]")).size() == 2
            && browser.all(By.cssSelector("#journal-table tr[data-status=retrying]")).isEmpty());
    browser.click(By.cssSelector("#journal-table tr[data-status=delivered] a"));
    browser.await("the attempt log: retries, then delivered", () -> {
      List<WebElement> attempts = browser.all(By.cssSelector("#journal-item details.attempt"));
      return attempts.size() >= 2
          && attempts.subList(0, attempts.size() - 1).stream().allMatch(a -> "retry".equals(a.getAttribute("data-outcome")))
          && "delivered".equals(attempts.get(attempts.size() - 1).getAttribute("data-outcome"));
    });
    assertEquals("none", browser.find(By.id("next-attempt")).getText());
    standIn.awaitRequests(2, DELIVERED);
    standIn.received().forEach(r -> {
      assertEquals("/fixed", r.path());
      assertEquals("k-secret", r.header("X-Api-Key"), "the masked secret kept its value");
    });
    browser.screenshot("actions-tab-fixed");
  }

  @Test
  void theSettingsTabDisablesADestinationAndDeletesItOnlyOnceConfirmed() {
    String id = createDestination(Map.of("url", standIn.url("/doomed")));
    browser.open(node.baseUrl() + "/#/destinations/" + id + "/settings");
    browser.click(By.id("destination-enabled"));
    browser.await("disabled", () -> browser.find(By.cssSelector(".destination header .badge")).getText().equals("disabled"));
    assertFalse(node.admin("GET", "/api/destinations/" + id).json().path("enabled").asBoolean());

    browser.click(By.id("delete-destination"));
    browser.find(By.cssSelector("dialog[open]"));
    browser.screenshot("settings-delete-confirmation");
    browser.click(By.cssSelector("dialog[open] button.secondary"));
    assertTrue(browser.all(By.cssSelector("dialog[open]")).isEmpty());
    assertEquals(200, node.admin("GET", "/api/destinations/" + id).status(), "cancel keeps the destination");

    browser.click(By.id("delete-destination"));
    browser.click(By.cssSelector("dialog[open] button.danger"));
    browser.find(By.id("destinations-title"));
    assertEquals(404, node.admin("GET", "/api/destinations/" + id).status());
  }

  @Test
  void theTesterShowsTheMappedRequestAndTheDestinationsResponse() {
    String id = createDestination(Map.of("url", standIn.url("/tester")));
    standIn.thenAnswer(new Answer(202, "{\"accepted\":\"yes\"}", Map.of(), Duration.ZERO));
    browser.open(node.baseUrl() + "/#/destinations/" + id + "/tester");
    browser.find(By.id("tester-type"));
    new org.openqa.selenium.support.ui.Select(browser.find(By.id("tester-type"))).selectByValue("identify");
    browser.await("the identify sample", () -> browser.find(By.id("tester-event")).getAttribute("value").contains("\"identify\""));
    String sample = browser.find(By.id("tester-event")).getAttribute("value");
    browser.replace(By.id("tester-event"), sample.replaceFirst("\"userId\"\\s*:\\s*\"[^\"]*\"", "\"userId\": \"tester-user\""));
    browser.click(By.id("tester-send"));

    WebElement result = browser.find(By.cssSelector(".tester-result"));
    assertTrue(result.findElement(By.cssSelector(".request-line")).getText().equals("POST " + standIn.url("/tester")));
    assertEquals("202", result.findElement(By.cssSelector(".response-status")).getText());
    assertTrue(result.getText().contains("\"accepted\": \"yes\""), result.getText());
    assertTrue(result.getText().contains("tester-user"), result.getText());
    standIn.awaitRequests(1, DELIVERED);
    assertEquals("tester-user", json(standIn.received().get(0).body()).path("userId").asText());
    browser.scrollTo(result);
    browser.screenshot("tester-tab");
  }

  @Test
  void aFailedActionIsRetriedAndTheRestRedrivenFromTheActionsTab() {
    String id = createDestination(Map.of("url", standIn.url("/replay")));
    String writeKey = connectNewSource(id);
    standIn.alwaysAnswer(Answer.status(400));
    for (String user : List.of("amy", "bob", "cat")) {
      assertEquals(200, track(writeKey, user, "Refused Then Fixed").status());
    }
    await(DELIVERED, "3 failed", () -> count(id, "failed") == 3);
    standIn.alwaysAnswer(Answer.status(200));

    browser.open(node.baseUrl() + "/#/destinations/" + id + "/actions");
    browser.click(By.cssSelector("#journal-table tr[data-status=failed] a"));
    String original = browser.find(By.cssSelector("#journal-table tr[aria-selected=true]")).getAttribute("data-item");
    browser.click(By.id("retry-item"));
    await(DELIVERED, "the retried action delivered", () -> count(id, "delivered") == 1);
    browser.await("the replay listed, delivered", () -> !browser.all(By.cssSelector("#journal-table tr[data-status=delivered]")).isEmpty());
    browser.click(By.cssSelector("#journal-table tr[data-status=delivered] a"));
    browser.await("the replay names its original", () ->
        !browser.all(By.id("replay-of")).isEmpty() && browser.find(By.id("replay-of")).getText().equals(original));
    browser.screenshot("actions-tab-replay");

    new org.openqa.selenium.support.ui.Select(browser.find(By.id("filter-status"))).selectByValue("failed");
    browser.click(By.id("filter-apply"));
    browser.click(By.id("redrive"));
    assertEquals("2 action(s) queued again.", browser.find(By.cssSelector(".journal p[role=status]")).getText(),
        "the retried one is not replayed again");
    await(DELIVERED, "all 3 delivered", () -> count(id, "delivered") == 3);
    assertEquals(3, standIn.accepted().stream().filter(r -> r.path().equals("/replay")).count(), "each refused event delivered once");
  }

  @Test
  void theOverviewChartsShowTheCountsTheJournalHolds() {
    String id = createDestination(Map.of("url", standIn.url("/overview")));
    String writeKey = connectNewSource(id);
    standIn.alwaysAnswer(Answer.status(200));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, track(writeKey, "ok-" + i, "Delivered Event").status());
    }
    await(DELIVERED, "3 delivered", () -> count(id, "delivered") == 3);
    standIn.alwaysAnswer(Answer.status(400));
    for (int i = 0; i < 2; i++) {
      assertEquals(200, track(writeKey, "bad-" + i, "Refused Event").status());
    }
    await(DELIVERED, "2 failed", () -> count(id, "failed") == 2);

    browser.open(node.baseUrl() + "/#/destinations/" + id + "/overview");
    browser.await("the charts' sums equal the journal's counts", () ->
        text("[data-sum=delivered]").equals("3") && text("[data-sum=failed]").equals("2") && text("[data-sum=queued]").equals("5"));
    assertEquals("3", text("[data-total=delivered]"));
    assertEquals("2", text("[data-total=failed]"));
    assertEquals("5", text("[data-total=queued]"));
    assertFalse(browser.all(By.cssSelector("#chart-volume canvas")).isEmpty(), "the volume chart is drawn");
    assertFalse(browser.all(By.cssSelector("#chart-outcomes canvas")).isEmpty(), "the outcomes chart is drawn");
    assertFalse(browser.all(By.cssSelector("#chart-latency canvas")).isEmpty(), "the latency chart is drawn");
    browser.screenshot("overview-tab");
    browser.size(Browser.PHONE);
    browser.scrollTo(browser.find(By.id("chart-outcomes")));
    browser.screenshot("overview-tab-narrow");

    // The journal behind those counts, filtered in the Actions tab.
    browser.size(Browser.LAPTOP);
    browser.click(By.id("tab-actions"));
    new org.openqa.selenium.support.ui.Select(browser.find(By.id("filter-status"))).selectByValue("failed");
    browser.click(By.id("filter-apply"));
    browser.await("only the 2 failed actions", () ->
        browser.all(By.cssSelector("#journal-table tbody tr")).size() == 2
            && browser.all(By.cssSelector("#journal-table tr[data-status=failed]")).size() == 2);

    // Unfiltered, the 5 actions come newest first in pages of 2, each page after the last.
    browser.click(By.id("tab-overview"));
    browser.click(By.id("tab-actions"));
    browser.await("the first page of all actions", () -> rowIds().size() == 2);
    List<String> seen = new java.util.ArrayList<>(rowIds());
    while (browser.find(By.id("journal-older")).isEnabled()) {
      List<String> before = rowIds();
      browser.click(By.id("journal-older"));
      browser.await("the next page", () -> !rowIds().equals(before));
      seen.addAll(rowIds());
    }
    assertEquals(journalIds(id), seen, "every action once, newest first");
  }

  private List<String> rowIds() {
    return browser.all(By.cssSelector("#journal-table tbody tr")).stream().map(row -> row.getAttribute("data-item")).toList();
  }

  /** The journal's item ids as the API lists them (newest first). */
  private List<String> journalIds(String destinationId) {
    List<String> ids = new java.util.ArrayList<>();
    node.admin("GET", "/api/destinations/" + destinationId + "/journal?limit=500").json().path("items").forEach(i -> ids.add(i.path("id").asText()));
    return ids;
  }

  private String text(String css) {
    return browser.find(By.cssSelector(css)).getText();
  }

  private String createDestination(Map<String, Object> settings) {
    TestNode.Answer created =
        node.admin("POST", "/api/destinations", Map.of("name", "Hook " + System.nanoTime(), "type", "webhook", "settings", settings));
    assertEquals(201, created.status(), created.body());
    return created.json().path("id").asText();
  }

  private String connectNewSource(String destinationId) {
    TestNode.Answer source = node.admin("POST", "/api/sources", Map.of("name", "Server " + System.nanoTime(), "type", "server"));
    assertEquals(201, source.status(), source.body());
    String sourceId = source.json().path("id").asText();
    TestNode.Answer connected = node.admin("PUT", "/api/destinations/" + destinationId + "/sources/" + sourceId);
    assertEquals(200, connected.status(), connected.body());
    return source.json().path("writeKey").asText();
  }

  private TestNode.Answer track(String writeKey, String userId, String event) {
    return node.send(
        "POST",
        "/v1/track",
        Map.of("userId", userId, "event", event),
        Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8))));
  }

  /** How many actions of the destination the journal holds with {@code status}, test calls left out. */
  private int count(String destinationId, String status) {
    JsonNode items = node.admin("GET", "/api/destinations/" + destinationId + "/journal?limit=500&status=" + status).json().path("items");
    int n = 0;
    for (JsonNode item : items) {
      n += item.path("test").asBoolean() ? 0 : 1;
    }
    return n;
  }

  private static JsonNode json(String text) {
    try {
      return TestNode.json().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
