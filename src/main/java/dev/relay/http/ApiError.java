package dev.relay.http;

/**
 * A request Relay refuses, with the HTTP status to answer and a message for a person. Thrown (or used
 * to fail a future) anywhere below a route; {@link ErrorHandling} turns it into {@code {"error": ...}}.
 */
public final class ApiError extends RuntimeException {

  private final int status;

  public ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  public static ApiError conflict(String message) {
    return new ApiError(409, message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, message);
  }

  public int status() {
    return status;
  }
}
