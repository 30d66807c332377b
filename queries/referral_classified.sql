-- Every referral of the weeks chosen, classified against NMG-2022 §二(五)(六) and MC-PLAN §3.2:
-- direction from the tiers (primary < sub-designated < designated < lead < partner; the recorded
-- direction is kept and compared), the tier policy expects for an upward referral from its severity
-- and main problem, whether it went there, and reception times. A referral is in the area when
-- either end is. Grain: one row per referral.
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium,
--   $referral_upward_reception_hours, $referral_pending_too_long_hours.
-- The destination rule (one place; choices stated):
--   dialysis, any severity                      -> designated (case 3)
--   severe/critical, COVID the main problem      -> designated (case 3)
--   severe/critical, underlying disease main     -> the consortium's lead hospital, or the partner
--                                                   tertiary hospital when the lead is not tertiary (case 4)
--   asymptomatic, mild, ordinary (COVID or underlying disease) -> sub-designated (case 2; the log has no
--     disease detail, so a primary facility's referral of a mild case is taken as case 2's elderly
--     patient with severe but stable disease, not as a case-1 patient who should stay at home)
-- Only upward referrals sent by primary care are assessed; the others are 'not_assessed'.
with area as (
    select facility_code
    from area_facilities($league_code, $county_code, $consortium) f
),
tier_rank(tier, tier_rank) as (
    values ('primary', 1), ('sub_designated', 2), ('designated', 3), ('lead', 4), ('partner', 5)
),
lead_grade as (
    select consortium, bool_or(grade = 'tertiary') as lead_is_tertiary
    from facility_current where tier = 'lead' group by consortium
),
picked as (
    select t.*
    from transfer t
    where t.week between $week_from and $week_to
      and (t.from_code in (select facility_code from area) or t.to_code in (select facility_code from area))
),
joined as (
    select p.*, s.facility_name as from_name, s.tier as from_tier, s.consortium as from_consortium,
           s.county_code as from_county, s.county_name as from_county_name, s.league_code as from_league,
           s.lat as from_lat, s.lon as from_lon,
           r.facility_name as to_name, r.tier as to_tier, r.consortium as to_consortium,
           r.county_code as to_county, r.county_name as to_county_name, r.lat as to_lat, r.lon as to_lon,
           sr.tier_rank as from_rank, rr.tier_rank as to_rank, coalesce(g.lead_is_tertiary, false) as lead_is_tertiary
    from picked p
    left join facility_current s on s.facility_code = p.from_code
    left join facility_current r on r.facility_code = p.to_code
    left join tier_rank sr on sr.tier = s.tier
    left join tier_rank rr on rr.tier = r.tier
    left join lead_grade g on g.consortium = s.consortium
),
directed as (
    select *,
           case when to_rank > from_rank then 'up' when to_rank < from_rank then 'down'
                when to_rank = from_rank then 'lateral' end as direction_derived
    from joined
),
expected as (
    select *,
           coalesce(direction_recorded, direction_derived) as direction,
           direction_recorded is not null and direction_derived is not null
               and direction_recorded <> direction_derived as direction_disagrees,
           case when from_tier <> 'primary' or direction_derived <> 'up' then null
                when main_problem = 'dialysis' then 'designated'
                when severity in ('severe', 'critical') and main_problem = 'covid' then 'designated'
                when severity in ('severe', 'critical') and main_problem = 'underlying'
                    then case when lead_is_tertiary then 'lead' else 'partner' end
                when severity in ('asymptomatic', 'mild', 'ordinary') then 'sub_designated'
           end as expected_tier
    from directed
)
select e.*,
       case when e.expected_tier is null then 'not_assessed'
            when e.to_tier = e.expected_tier then 'as_expected'
            when e.to_rank > x.tier_rank then 'above'
            else 'below' end as compliance,
       date_diff('minute', e.requested_at, e.received_at) / 60.0 as hours_to_receive,
       case when e.direction = 'up' and e.status = 'accepted'
            then date_diff('minute', e.requested_at, e.received_at) <= $referral_upward_reception_hours * 60 end as received_in_time,
       case when e.status = 'pending'
            then date_diff('minute', e.requested_at, (e.week + interval 7 day)::timestamp) / 60.0 end as pending_hours,
       e.status = 'pending'
           and date_diff('minute', e.requested_at, (e.week + interval 7 day)::timestamp) > $referral_pending_too_long_hours * 60 as pending_too_long
from expected e
left join tier_rank x on x.tier = e.expected_tier
order by e.requested_at, e.referral_id
