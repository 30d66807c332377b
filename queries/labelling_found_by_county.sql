-- "Everyone found" (全覆盖): people aged 65+ in the registers of each banner/county's facilities
-- against its 2020-census 65+ population. A consortium is taken as its banner/county (one consortium
-- per grid, Annex 2). Counties whose facilities sent no register this week have found = null.
-- Grain: one row per (week, county); all weeks with registers when $week is null.
-- Parameters: $week, $league_code, $county_code, $consortium.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
counties as (
    select distinct league_code, county_code from area
),
report_week as (
    select distinct week from agg_register where $week::date is null or week = $week::date
    union
    select $week::date where $week::date is not null
),
found as (
    select g.week, a.county_code, sum(g.persons) filter (g.aged_65_plus) as found_65
    from agg_register g join area a using (facility_code)
    group by g.week, a.county_code
)
select w.week, k.league_code, c.league_name_zh as league_name, k.county_code, c.name_zh as county_name,
       c.name_en as county_name_en,
       c.pop65, coalesce(f.found_65, case when f.county_code is not null then 0 end)::bigint as found_65,
       coalesce(f.found_65, case when f.county_code is not null then 0 end) / nullif(c.pop65, 0) as found_share
from report_week w
cross join counties k
left join census c on c.adcode = k.county_code
left join found f on f.week = w.week and f.county_code = k.county_code
order by w.week, k.league_code, k.county_code
