-- A latency histogram plus a sparse delta: counts[i] added to bucket idx[i] (0-based), the
-- histogram widened to 140 buckets. The ingest path sends a rollup row's histogram as the few
-- buckets it touches: turning a 140-element JSON array into int[] was a large part of each write.
CREATE OR REPLACE FUNCTION aether_hist_add_sparse(h int[], idx int[], counts int[]) RETURNS int[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int := coalesce(array_length(h, 1), 0);
  i int;
BEGIN
  IF n < 140 THEN
    h := coalesce(h, '{}') || array_fill(0, ARRAY[140 - n]);
  END IF;
  IF idx IS NOT NULL THEN
    FOR i IN 1..coalesce(array_length(idx, 1), 0) LOOP
      h[idx[i] + 1] := coalesce(h[idx[i] + 1], 0) + counts[i];
    END LOOP;
  END IF;
  RETURN h;
END
$$;
