-- Names of census areas (Chinese and, for leagues, English) for labels and drill-down.
-- Grain: one row per census area. Parameters: none.
select adcode, level, league_code, name_zh, name_en
from census
order by adcode
