package io.pricewire.store;

/** The store cannot be reached or did not answer in time; the caller may retry later. */
public class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
