-- Market events: entries of the change log that re-price offers in markets (a new FX rate in
-- force, a tax rule starting or ending, a rate turning stale). Each takes the next seq, like a
-- change; `rates` holds the rates in force from that seq on, exact (numerator and denominator as
-- text), so that every node and a restarted one project with the same inputs.
CREATE TABLE market_events (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  rates jsonb NOT NULL,
  markets text[] NOT NULL,
  reason text NOT NULL,
  logged_at timestamptz NOT NULL DEFAULT now()
);

-- Each market's last event, kept in the same transaction: what a resuming client is checked against.
CREATE TABLE market_heads (
  market text PRIMARY KEY,
  seq bigint NOT NULL
);
