-- Every referral of the weeks chosen, classified against NMG-2022 §二(五)(六) and MC-PLAN §3.2:
-- direction from the tiers (primary < sub-designated < designated < lead < partner; the recorded
-- direction is kept and compared), the case of §二(五) and the hospital it sends the patient to,
-- whether the referral went there, and reception times. A referral is in the area when either end is.
-- Grain: one row per referral.
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium,
--   $referral_upward_reception_hours, $referral_pending_too_long_hours, $referral_advanced_age_from.
-- The destination rule, read word by word (one place; only upward referrals sent by primary care are
-- assessed, the others are 'not_assessed'). The cases are tried in this order:
--   case 3  needs haemodialysis (any severity)                 -> the consortium's designated hospital
--   case 3  severe/critical, COVID the main problem            -> the consortium's designated hospital
--   case 4  severe/critical, the underlying disease the main problem, or an underlying disease beyond
--           primary and sub-designated capacity (any severity) -> the consortium's lead hospital; the
--           partner tertiary hospital when the lead is not tertiary or cannot cope
--   case 2  ordinary; or asymptomatic/mild, elderly (高龄, >= $referral_advanced_age_from) with a
--           serious but stable underlying disease             -> the consortium's sub-designated hospital
--   case 1  asymptomatic/mild without a serious underlying disease -> cared for at home (the immobile
--           elderly at home or in the care home): not to be referred out at all ('should_stay_home')
--   the text names no destination for an asymptomatic/mild case with a serious disease that is
--   unstable but within capacity, or stable in a patient who is not elderly: 'cannot_judge' (text_silent).
-- "医联体对应的…医院": the hospital must serve the sender's own consortium (its `consortium`, or one of
-- its `serves_consortia`); the right tier in another consortium is 'other_consortium', not compliant.
-- A blank needed by the case is never read as no: the referral is 'cannot_judge' and unjudged_reason
-- names the blank (haemodialysis: taken from main_problem when the log names one; a lead of blank
-- grade is unknown, not "not tertiary").
with area as (
    select facility_code
    from area_facilities($league_code, $county_code, $consortium) f
),
tier_rank(tier, tier_rank) as (
    values ('primary', 1), ('sub_designated', 2), ('designated', 3), ('lead', 4), ('partner', 5)
),
-- every (consortium, hospital) pair: a hospital's own consortium and the others it serves
consortium_member as (
    select consortium, facility_code from facility_current
    union
    select trim(c.name), f.facility_code
    from facility_current f, unnest(regexp_split_to_array(f.serves_consortia, '[；;、]')) as c(name)
    where f.serves_consortia is not null and trim(c.name) <> ''
),
lead_grade as (
    -- true / false when every lead hospital of the consortium has a grade, null when one is blank
    select consortium,
           case when bool_or(grade = 'tertiary') then true
                when count(*) filter (grade is null) > 0 then null
                else false end as lead_is_tertiary
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
           sr.tier_rank as from_rank, rr.tier_rank as to_rank, g.lead_is_tertiary,
           exists (select 1 from consortium_member m
                   where m.consortium = s.consortium and m.facility_code = p.to_code) as serves_sender,
           -- haemodialysis: the column, else what the main problem says (dialysis, or another problem)
           coalesce(p.haemodialysis, p.main_problem = 'dialysis') as needs_dialysis
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
cased as (
    -- the case of §二(五), or the first blank on the way to it ('?column')
    select *,
           case when from_tier <> 'primary' or direction_derived is distinct from 'up' then null
                when needs_dialysis then '3'
                when needs_dialysis is null then '?haemodialysis'
                when severity in ('severe', 'critical') and main_problem = 'covid' then '3'
                when severity in ('severe', 'critical') and main_problem = 'underlying' then '4'
                when severity in ('severe', 'critical') then '?main_problem'
                when beyond_capacity then '4'
                when beyond_capacity is null then '?beyond_capacity'
                when severity = 'ordinary' then '2'
                when underlying_disease is null then '?underlying_disease'
                when underlying_disease = 'none' then '1'
                when underlying_disease = 'serious_stable' and patient_age >= $referral_advanced_age_from then '2'
                when underlying_disease = 'serious_stable' and patient_age is null then '?patient_age'
                else '?text_silent'
           end as policy_case
    from directed
),
expected as (
    select *,
           coalesce(direction_recorded, direction_derived) as direction,
           direction_recorded is not null and direction_derived is not null
               and direction_recorded <> direction_derived as direction_disagrees,
           case policy_case
                when '1' then 'home'
                when '2' then 'sub_designated'
                when '3' then 'designated'
                -- case 4: the lead, or the partner when the lead is not tertiary or cannot cope
                when '4' then case when lead_is_tertiary is null then null
                                   when not lead_is_tertiary or lead_insufficient then 'partner'
                                   when lead_insufficient is null and to_tier = 'partner' then null
                                   else 'lead' end
           end as expected_tier,
           case when policy_case like '?%' then substr(policy_case, 2)
                when policy_case = '4' and lead_is_tertiary is null then 'lead_grade'
                when policy_case = '4' and lead_is_tertiary and lead_insufficient is null
                     and to_tier = 'partner' then 'lead_insufficient'
           end as unjudged_reason
    from cased
)
select e.* replace (case when e.policy_case not like '?%' then e.policy_case end as policy_case),
       case when e.policy_case is null then 'not_assessed'
            when e.unjudged_reason is not null then 'cannot_judge'
            when e.expected_tier = 'home' then 'should_stay_home'
            when e.to_tier = e.expected_tier and e.serves_sender then 'as_expected'
            when e.to_tier = e.expected_tier then 'other_consortium'
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
