-- Facilities of the selected area with their coordinates, for maps and location checks.
-- Grain: one row per facility in the current register. Parameters: $league_code, $county_code, $consortium.
select facility_code, facility_name, tier, primary_type, league_code, county_code, county_name, consortium, lon, lat
from area_facilities($league_code, $county_code, $consortium) f
order by facility_code
