-- The census 65+ population of the selected area and how many people aged 65+ the registers hold.
-- A consortium is taken as its banner/county (one consortium per grid, Annex 2), so its denominator
-- is the county's. Grain: one row. Parameters: $week, $league_code, $county_code, $consortium.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
counties as (
    select distinct county_code from area
),
denominator as (
    select sum(c.pop65) as pop65, sum(c.population) as population
    from census c join counties k on k.county_code = c.adcode
),
found as (
    select sum(persons) filter (aged_65_plus) as register_65_plus
    from agg_register g join area a using (facility_code)
    where g.week = $week
)
select d.pop65, d.population, f.register_65_plus
from denominator d, found f
