package io.akb.runtime.config;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Reads what a user points AKB at by one string: a file path or an http(s) URL. */
public final class FileOrUrl {
  private FileOrUrl() {}

  /** Whether {@code location} is an http(s) URL. */
  public static boolean isUrl(String location) {
    return location.startsWith("http://") || location.startsWith("https://");
  }

  /**
   * The text at {@code location}: fetched when it is an http(s) URL (redirects followed, 60 s
   * limit, status 200 required), else read from the file.
   *
   * @throws IOException naming the status or the file problem
   */
  public static String read(String location) throws IOException {
    if (!isUrl(location)) {
      return Files.readString(Path.of(location));
    }
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(20))
              .followRedirects(HttpClient.Redirect.NORMAL)
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(location))
                      .timeout(Duration.ofSeconds(60))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode() + " from " + location);
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + location, e);
    }
  }
}
