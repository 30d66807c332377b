-- The people one facility should correct: no recorded label, or a recorded label that differs from
-- the Annex 1 rule. The one query that reads person rows: record number and masked ID only, so the
-- facility can find the record in its own system (no name, no phone, no full ID). A person the rule
-- cannot label (age, disease state or vaccination blank) is listed as 'rule_unknown': complete the record.
-- Grain: one row per person. Parameters: $week, $facility_code.
select record_no, id_masked, age, disease_state, vaccination, recorded_label, rule_label,
       case when rule_label is null then 'rule_unknown'
            when recorded_label is null then 'unlabelled'
            when (case recorded_label when 'green' then 1 when 'yellow' then 2 when 'red' then 3 end)
                 < (case rule_label when 'green' then 1 when 'yellow' then 2 when 'red' then 3 end) then 'under'
            else 'over' end as problem
from register
where week = $week and facility_code = $facility_code
  and (rule_label is null or recorded_label is null or recorded_label <> rule_label)
order by problem desc, record_no
