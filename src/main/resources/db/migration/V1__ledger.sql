-- The change log's identity and head, one row. Every commit locks it, which puts commits from
-- all gateway nodes in one order and keeps seqs gapless.
CREATE TABLE ledger (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  epoch       uuid NOT NULL DEFAULT gen_random_uuid(),
  head_seq    bigint NOT NULL DEFAULT 0 CHECK (head_seq >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ledger DEFAULT VALUES;

-- Current state, one row per offer. seq is the log position of the offer's last change, which
-- is what resume reads: "every offer in the interest changed after seq".
CREATE TABLE offers (
  supplier           text NOT NULL,
  sku                text NOT NULL,
  version            bigint NOT NULL,
  seq                bigint NOT NULL,
  currency           char(3) NOT NULL,
  price_micros       bigint NOT NULL CHECK (price_micros >= 0),
  sale_price_micros  bigint CHECK (sale_price_micros >= 0),
  availability       text NOT NULL CHECK (availability IN
                       ('in_stock', 'out_of_stock', 'preorder', 'backorder', 'limited_availability')),
  quantity           bigint CHECK (quantity >= 0),
  titles             jsonb NOT NULL DEFAULT '{}',
  category           text,
  brand              text,
  gtin               text,
  committed_at       timestamptz NOT NULL,
  PRIMARY KEY (supplier, sku)
);
-- Resume asks "which offers of these suppliers / categories changed after seq".
CREATE INDEX offers_by_supplier_seq ON offers (supplier, seq);
CREATE INDEX offers_by_category_seq ON offers (category, seq) WHERE category IS NOT NULL;

-- The change log: every committed state in seq order, with the fields that changed.
CREATE TABLE changes (
  seq                    bigint PRIMARY KEY,
  supplier               text NOT NULL,
  sku                    text NOT NULL,
  version                bigint NOT NULL,
  changed                text[] NOT NULL,
  previous_category      text,
  previous_availability  text,
  currency               char(3) NOT NULL,
  price_micros           bigint NOT NULL,
  sale_price_micros      bigint,
  availability           text NOT NULL,
  quantity               bigint,
  titles                 jsonb NOT NULL DEFAULT '{}',
  category               text,
  brand                  text,
  gtin                   text,
  committed_at           timestamptz NOT NULL
);
