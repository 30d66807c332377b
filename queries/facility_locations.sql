-- Facilities of the selected area with their coordinates, for maps and location checks.
-- Grain: one row per facility in the current register. Parameters: $league_code, $county_code, $consortium.
select facility_code, facility_name, tier, primary_type, league_code, county_code, county_name, consortium, lon, lat
from facility_current f
where ($league_code::varchar is null or f.league_code = $league_code::varchar)
  and ($county_code::varchar is null or f.county_code = $county_code::varchar)
  and ($consortium::varchar is null or f.consortium = $consortium::varchar)
order by facility_code
