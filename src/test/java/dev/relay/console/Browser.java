package dev.relay.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through chromedriver, both Debian's ({@code apt-get install chromium
 * chromium-driver}). When they are missing the browser tests are skipped with a loud message, except
 * under {@code CI=true}, where they fail: CI must never pass by skipping the console.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** Screenshots of each tab, kept as test artifacts. */
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  static final Dimension LAPTOP = new Dimension(1366, 900);
  static final Dimension PHONE = new Dimension(390, 844);
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Chromium's own line for an HTTP error answer: the API's 4xx answers that the console shows. */
  private static final Pattern API_REFUSAL =
      Pattern.compile(".*/api/\\S* - Failed to load resource: the server responded with a status of 4\\d\\d.*");

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  static Browser start() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      unavailable(CHROMIUM + " or " + CHROMEDRIVER + " is missing (apt-get install -y chromium chromium-driver)");
    }
    try {
      Path profile = Files.createTempDirectory("relay-console-chromium");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      // The background-networking flags keep Chromium from calling out of a closed network.
      options.addArguments(
          "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--user-data-dir=" + profile,
          "--window-size=" + LAPTOP.width + "," + LAPTOP.height);
      options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
      ChromeDriverService service =
          new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
      return new Browser(new ChromeDriver(service, options), profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void unavailable(String message) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(message + "; under CI=true the browser tests must run");
    }
    System.err.println();
    System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    System.err.println("!!! SKIPPING the console's browser tests: " + message);
    System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    System.err.println();
    Assumptions.abort(message);
  }

  ChromeDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  void size(Dimension size) {
    driver.manage().window().setSize(size);
  }

  WebElement find(By by) {
    return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  List<WebElement> all(By by) {
    return driver.findElements(by);
  }

  void click(By by) {
    new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  void type(By by, String text) {
    WebElement field = find(by);
    field.clear();
    field.sendKeys(text);
  }

  /** Replaces the text of a field (a textarea's clear() does not fire the input event Preact listens to). */
  void replace(By by, String text) {
    WebElement field = find(by);
    driver.executeScript("arguments[0].select()", field);
    field.sendKeys(org.openqa.selenium.Keys.BACK_SPACE);
    field.sendKeys(text);
  }

  /** Waits until {@code condition} holds, re-reading the page each time. */
  void await(String what, java.util.function.BooleanSupplier condition) {
    new WebDriverWait(driver, WAIT)
        .withMessage(what)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> condition.getAsBoolean());
  }

  void scrollTo(WebElement element) {
    driver.executeScript("arguments[0].scrollIntoView({block: 'start'})", element);
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the page logged as an error since the last call, less the API refusals it shows on purpose. */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(message -> !API_REFUSAL.matcher(message).matches())
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary profile is harmless.
    }
  }
}
