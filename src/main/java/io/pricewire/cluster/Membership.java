package io.pricewire.cluster;

/** What this node knows of its cluster: for readiness, metrics, admin answers and logs. */
public interface Membership {

  /** This node's name (PRICEWIRE_NODE_NAME, else host:port in a cluster, else the host name). */
  String node();

  /** Members this node sees, itself included; 1 when alone. */
  int members();

  /** True while this node is a member of its cluster; always true alone. */
  boolean joined();

  /** True when the node runs in a cluster. */
  boolean clustered();

  /** A node that runs alone. */
  static Membership standalone(String node) {
    return new Membership() {
      @Override
      public String node() {
        return node;
      }

      @Override
      public int members() {
        return 1;
      }

      @Override
      public boolean joined() {
        return true;
      }

      @Override
      public boolean clustered() {
        return false;
      }
    };
  }
}
