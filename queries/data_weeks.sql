-- Weeks that hold any loaded data, newest first.
-- Grain: one row per week. Parameters: none.
with loaded as (
    select week from facility
    union select week from register
    union select week from transfer
    union select week from icu
    union select week from stock
)
select week
from loaded
order by week desc
