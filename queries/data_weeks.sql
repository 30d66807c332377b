-- Weeks that hold any loaded data, newest first. The view `reported` (built from the contracts by
-- store.create_building_blocks) lists every dataset, so a new dataset needs no edit here.
-- Grain: one row per week. Parameters: none.
select distinct week
from reported
order by week desc
