package io.akb.bridge.rest;

import io.akb.bridge.config.BridgeConfig;
import jakarta.inject.Provider;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Guards the admin API ({@code /targets/...}) with {@code akb.admin.token}: when it is set, a
 * request needs {@code Authorization: Bearer <token>}, else it gets 401. Health, metrics and the
 * OpenAPI document stay open.
 */
@jakarta.ws.rs.ext.Provider
public class AdminTokenFilter implements ContainerRequestFilter {
  // Looked up per request: the filter is built during static init, before runtime config exists.
  private final Provider<BridgeConfig> config;

  AdminTokenFilter(Provider<BridgeConfig> config) {
    this.config = config;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String token = config.get().adminToken().filter(value -> !value.isBlank()).orElse(null);
    if (token == null || !request.getUriInfo().getPath().startsWith("/targets")) {
      return;
    }
    String given = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String expected = "Bearer " + token;
    // Constant-time comparison: the answer time must not reveal how much of a guess was right.
    if (given == null
        || !MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      request.abortWith(
          Response.status(Response.Status.UNAUTHORIZED)
              .type(MediaType.APPLICATION_JSON)
              .entity(
                  Map.of(
                      "error",
                      "the admin API needs Authorization: Bearer <token>, the value of"
                          + " akb.admin.token"))
              .build());
    }
  }
}
