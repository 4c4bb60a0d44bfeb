package io.pricewire.offer;

import io.vertx.core.json.JsonObject;

/**
 * Why one field of one item was refused: the field's name as the client wrote it, a stable
 * machine-readable code, and a sentence for humans.
 */
public record FieldError(String field, String code, String message) {

  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("code", code).put("message", message);
  }
}
