-- A resuming client that follows a category must learn about offers that left it while it was
-- away. The log rows of such moves are few (a change of category is rare beside price and stock
-- changes), so a partial index finds them by category and seq without touching the rest.
CREATE INDEX changes_by_previous_category ON changes (previous_category, seq)
  WHERE previous_category IS NOT NULL;
