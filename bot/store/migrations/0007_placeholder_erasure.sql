-- Placeholder on the `signup` branch for the erasure branch's migration 0007
-- (the numbering must have no gaps). The lead drops this file when merging.
SELECT 1;
