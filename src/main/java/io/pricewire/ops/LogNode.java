package io.pricewire.ops;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %node} in the log pattern: this node's name and a space, once it is named (in a cluster,
 * or with PRICEWIRE_NODE_NAME), so that lines gathered from several nodes say where they come
 * from; nothing for a node alone.
 */
public final class LogNode extends ClassicConverter {

  private static volatile String prefix = "";

  /** Names the node in every line logged from now on. */
  public static void name(String node) {
    prefix = "[" + node + "] ";
  }

  @Override
  public String convert(ILoggingEvent event) {
    return prefix;
  }
}
