-- A commit decided ahead of the log lock states the head it expects. Sent in the same pipeline as
-- its writes and COMMIT, this check fails the transaction (and so turns its COMMIT into a
-- rollback) when the log is not where the commit expected it, before anything becomes visible.
CREATE FUNCTION pricewire_expect_head(expected_seq bigint, expected_writer text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger WHERE head_seq = expected_seq AND writer IS NOT DISTINCT FROM expected_writer) THEN
    RAISE EXCEPTION 'the change log is not at seq % written by %', expected_seq, expected_writer
      USING ERRCODE = 'PW409';
  END IF;
END
$$;
