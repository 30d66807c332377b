"""Annex 1 (NMG-2022, 新冠肺炎相关健康风险评估标准) on its edge cases, worked out by hand from the text
(/work/shared/policy/000_9a29a54981c2ea0d.txt), and the Python rule against the SQL macro."""
from __future__ import annotations

import itertools

import duckdb
import pytest

from dashboard import rules

# The rule table decides; a person no row describes is scored (age <65: 0, 65-80: 1, >80: 2; disease
# none 0, stable 1, unstable 2; vaccination none 2, partial 1, full 0; green 0-1, yellow 2-3, red 4-6).
# "(table)" = a row of the table applies; "(n)" = scored n points.
HAND = {
    # 64: the young band
    (64, "none", "none"): "green",  # (table) <80, no disease
    (64, "none", "full"): "green",  # (table)
    (64, "stable", "full"): "green",  # (table) <80, stable, fully vaccinated
    (64, "stable", "partial"): "yellow",  # (2) 0 + 1 + 1
    (64, "stable", "none"): "yellow",  # (3) 0 + 1 + 2
    (64, "unstable", "full"): "yellow",  # (table) <65, unstable, fully vaccinated
    (64, "unstable", "partial"): "red",  # (table) <65, unstable, not fully vaccinated
    (64, "unstable", "none"): "red",  # (table)
    # 65: first year of the middle band
    (65, "none", "none"): "green",  # (table) <80, no disease
    (65, "stable", "full"): "green",  # (table) <80, stable, fully vaccinated
    (65, "stable", "partial"): "yellow",  # (table) 65-80, stable, not fully vaccinated
    (65, "stable", "none"): "yellow",  # (table)
    (65, "unstable", "full"): "red",  # (table) 65-80, unstable, whatever the vaccination
    (65, "unstable", "none"): "red",  # (table)
    # 79: still <80 for the green rows
    (79, "none", "partial"): "green",  # (table)
    (79, "stable", "full"): "green",  # (table)
    (79, "stable", "partial"): "yellow",  # (table)
    (79, "unstable", "full"): "red",  # (table)
    # 80: in the 65-80 band but not <80, so the green rows do not apply
    (80, "none", "full"): "green",  # (1) 1 + 0 + 0
    (80, "none", "partial"): "yellow",  # (2) 1 + 0 + 1
    (80, "none", "none"): "yellow",  # (3) 1 + 0 + 2
    (80, "stable", "full"): "yellow",  # (2) 1 + 1 + 0: no row (green needs <80, yellow >80)
    (80, "stable", "partial"): "yellow",  # (table) 65-80, stable, not fully vaccinated
    (80, "stable", "none"): "yellow",  # (table)
    (80, "unstable", "full"): "red",  # (table) 65-80, unstable
    (80, "unstable", "none"): "red",  # (table)
    # 81: the old band
    (81, "none", "full"): "yellow",  # (table) >80, no disease, fully vaccinated
    (81, "none", "partial"): "yellow",  # (3) 2 + 0 + 1: no row
    (81, "none", "none"): "red",  # (4) 2 + 0 + 2: no row
    (81, "stable", "full"): "yellow",  # (table) >80, stable, fully vaccinated
    (81, "stable", "partial"): "red",  # (table) >80, stable, not fully vaccinated
    (81, "stable", "none"): "red",  # (table)
    (81, "unstable", "full"): "red",  # (4) 2 + 2 + 0: no row (red >80 needs not fully vaccinated)
    (81, "unstable", "partial"): "red",  # (table)
    (81, "unstable", "none"): "red",  # (table)
}


@pytest.mark.parametrize("case, label", HAND.items(), ids=[f"{a}-{d}-{v}" for a, d, v in HAND])
def test_annex_1_by_hand(data_dir, case, label):
    assert rules.risk_label(*case) == label


@pytest.mark.parametrize("case", [(80, "none", "full"), (80, "stable", "full"), (81, "none", "none"),
                                  (81, "unstable", "full"), (64, "stable", "none")])
def test_the_rule_table_has_no_row_for_these(data_dir, case):
    assert rules.table_label(*case) is None


def test_scores(data_dir):
    assert rules.risk_score(64, "none", "full") == 0
    assert rules.risk_score(65, "stable", "partial") == 3
    assert rules.risk_score(81, "unstable", "none") == 6


def test_bad_states_are_refused(data_dir):
    with pytest.raises(ValueError):
        rules.risk_label(70, "unknown", "full")
    with pytest.raises(ValueError):
        rules.risk_label(70, "none", "twice")


def test_python_and_sql_agree_on_every_combination(con):
    """One SQL query over the grid of ages 0..120 x 3 disease states x 3 vaccination states."""
    sql = con.execute(
        """select age, disease, vacc,
                  risk_label(age, disease, vacc, $risk_age_young_below, $risk_age_old_above,
                             $risk_score_yellow_from, $risk_score_red_from) as label
           from range(0, 121) a(age), unnest($diseases) d(disease), unnest($vaccs) v(vacc)
           order by all""",
        {**rules.risk_params(), "diseases": list(rules.DISEASE_STATES), "vaccs": list(rules.VACCINATION_STATES)},
    ).fetchall()
    python = sorted((a, d, v, rules.risk_label(a, d, v)) for a, d, v in
                    itertools.product(range(121), rules.DISEASE_STATES, rules.VACCINATION_STATES))
    assert len(sql) == 121 * 9
    assert sql == python
    assert {r[3] for r in sql} == {"green", "yellow", "red"}


def test_sql_label_is_null_when_an_input_is_missing(con):
    params = rules.risk_params()
    assert con.execute("select risk_label(null, 'none', 'full', $risk_age_young_below, $risk_age_old_above, "
                       "$risk_score_yellow_from, $risk_score_red_from)", params).fetchall() == [(None,)]


def test_macro_exists_in_a_fresh_database():
    con = duckdb.connect()
    from dashboard import store

    store.migrate(con)
    assert con.execute("select risk_label(81, 'none', 'none', 65, 80, 2, 4)").fetchall() == [("red",)]
