package io.akb.bridge.rest;

import io.akb.runtime.AkbException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers an {@link AkbException} with its what, why and hint as JSON, never a stack trace. */
@Provider
public class AkbExceptionMapper implements ExceptionMapper<AkbException> {
  @Override
  public Response toResponse(AkbException e) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", e.summary());
    body.put("what", e.what());
    body.put("why", e.why());
    if (e.hint() != null) {
      body.put("hint", e.hint());
    }
    Response.Status status =
        e.why().startsWith("no target") || e.why().contains("has no such stream")
            ? Response.Status.NOT_FOUND
            : Response.Status.CONFLICT;
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
  }
}
