package io.pricewire.auth;

/** A request that is not allowed: 401 (who are you?) or 403 (not this), with a code for the body. */
public final class AuthException extends Exception {

  private final int status;
  private final String code;

  public AuthException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static AuthException missing(String what) {
    return new AuthException(401, "unauthorized", "this endpoint needs " + what + " as \"Authorization: Bearer ...\"");
  }
}
