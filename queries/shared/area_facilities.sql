-- Building block: the facilities of the area chosen in the sidebar, from the current facility
-- register. Every query that takes the area calls this table macro instead of copying the filter:
--   from area_facilities($league_code, $county_code, $consortium) f
-- Grain: one row per facility. A null argument means "every league / county / consortium".
create or replace macro area_facilities(p_league_code, p_county_code, p_consortium) as table
select *
from facility_current f
where (p_league_code::varchar is null or f.league_code = p_league_code::varchar)
  and (p_county_code::varchar is null or f.county_code = p_county_code::varchar)
  and (p_consortium::varchar is null or f.consortium = p_consortium::varchar);
