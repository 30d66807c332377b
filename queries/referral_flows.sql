-- Referral flows between places (the page's flow map, its table and the origin-destination matrix):
-- referrals per origin-destination pair at $level 'facility' (facilities) or 'county' (banners and
-- counties, placed at the mean position of the area's facilities in them), counted over agg_transfer
-- for the weeks, the area and the page's filters. Each pair carries its count, its counts per
-- direction, its refusals and its main direction (the most frequent; on a tie the first in sort order,
-- a blank first). Referrals within one place (no arc) and ends outside the area's places are left out.
-- Only the largest pairs are returned, so the page reads a few hundred rows however many pairs there
-- are: the first max($top, $matrix_flows) by volume, and every pair between the ends of the first
-- $matrix_flows (the cells of the matrix); `pairs` says how many pairs there are in all.
-- Grain: one row per pair kept; largest first (then by from, to).
-- Parameters: $level, $top, $matrix_flows, $week_from, $week_to, $league_code, $county_code, $consortium,
--   $from_tier, $to_tier, $severities, $statuses (null tiers and empty lists: every one).
with selected as (
    select *
    from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
                           $from_tier, $to_tier, $severities, $statuses) s
),
ends as (
    select case $level when 'facility' then from_code else from_county end as from_place,
           case $level when 'facility' then to_code else to_county end as to_place,
           direction, status, referrals
    from selected
),
kept as (
    select * from ends
    where from_place is not null and to_place is not null and from_place <> to_place
),
by_direction as (
    select from_place, to_place, direction, sum(referrals) as n
    from kept
    group by all
),
main_direction as (
    select from_place, to_place, direction
    from by_direction
    qualify row_number() over (partition by from_place, to_place order by n desc, direction nulls first) = 1
),
pairs as (
    select from_place, to_place,
           sum(referrals)::bigint as referrals,
           coalesce(sum(referrals) filter (where direction = 'up'), 0)::bigint as up,
           coalesce(sum(referrals) filter (where direction = 'down'), 0)::bigint as down,
           coalesce(sum(referrals) filter (where direction = 'lateral'), 0)::bigint as lateral,
           coalesce(sum(referrals) filter (where status = 'refused'), 0)::bigint as refused
    from kept
    group by from_place, to_place
),
places as (
    -- where flows start and end: the area's facilities, or its counties at the mean of their facilities
    select case $level when 'facility' then facility_code else county_code end as code,
           any_value(case $level when 'facility' then facility_name else county_name end) as name,
           avg(lat) as lat, avg(lon) as lon
    from area_facilities($league_code, $county_code, $consortium) f
    group by 1
),
placed as (
    select p.from_place as "from", p.to_place as "to", p.referrals, p.up, p.down, p.lateral, p.refused, m.direction,
           o.name as from_name, o.lat as from_lat, o.lon as from_lon,
           d.name as to_name, d.lat as to_lat, d.lon as to_lon,
           count(*) over () as pairs,
           row_number() over (order by p.referrals desc, p.from_place, p.to_place) as rank
    from pairs p
    join main_direction m on m.from_place = p.from_place and m.to_place = p.to_place
    join places o on o.code = p.from_place
    join places d on d.code = p.to_place
),
matrix_ends as (
    select "from", "to" from placed where rank <= $matrix_flows
)
select * exclude (rank)
from placed
where rank <= greatest($top, $matrix_flows)
   or ("from" in (select "from" from matrix_ends) and "to" in (select "to" from matrix_ends))
order by rank
