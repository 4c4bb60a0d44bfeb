-- An offer's tax class for the markets' import tax (general, agri_9, wine, cosmetics_high), kept
-- in the offer's state and in each change's copy of it. Null: the market decides by category.
ALTER TABLE offers ADD COLUMN tax_class text;
ALTER TABLE changes ADD COLUMN tax_class text;
