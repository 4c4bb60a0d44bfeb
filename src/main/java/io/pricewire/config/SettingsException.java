package io.pricewire.config;

import java.util.List;

/** One or more settings are invalid; the message names each key and the form it expects. */
public class SettingsException extends RuntimeException {

  private final List<String> problems;

  public SettingsException(List<String> problems) {
    super("invalid configuration:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
