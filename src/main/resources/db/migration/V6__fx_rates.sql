-- Exchange rates with their history: every accepted rate, exact (numerator / denominator: the
-- inverse of a Bank of Canada value has no finite decimal form), with when it was received.
CREATE TABLE fx_rates (
  id bigserial PRIMARY KEY,
  base text NOT NULL,
  quote text NOT NULL,
  rate_num numeric NOT NULL CHECK (rate_num > 0),
  rate_den numeric NOT NULL CHECK (rate_den > 0),
  shown text NOT NULL,
  as_of date NOT NULL,
  source text NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX fx_rates_pair ON fx_rates (base, quote, as_of DESC, id DESC);
