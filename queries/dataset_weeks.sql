-- The weeks each dataset holds any loaded rows for (from the view `reported`, built from the
-- contracts). A dataset-week absent here was never uploaded: its figures are "not reported", never 0.
-- Grain: one row per (dataset, week). Parameters: $dataset (one dataset's name).
select distinct dataset, week
from reported
where dataset = $dataset
order by week
