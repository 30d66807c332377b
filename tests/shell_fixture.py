"""A tiny two-county network loaded through the real pipeline, for the shell's queries and pages.

Week W = 2022-12-19 (2022-W51). Hand-worked answers are in the tests that use it.
"""
from __future__ import annotations

import datetime as dt

from dashboard.ingest import loading

WEEK = dt.date(2022, 12, 19)
PREV = dt.date(2022, 12, 12)

FACILITY = """机构编码,机构名称,层级,基层机构类型,医院等级,盟市代码,旗县代码,医联体名称,纬度,经度,服务人口,设发热门诊（诊室）,入网120救护车数
P1,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8600,111.6800,10000,是,1
P3,东街社区卫生服务中心,基层,社区卫生服务中心,,150100,150102,新城区城市医疗集团,40.8700,111.6900,5000,是,1
P2,察素齐镇卫生院,基层,乡镇卫生院,,150100,150121,土默特左旗县域医共体,40.7200,111.1500,20000,是,0
V1,某村卫生室,基层,村卫生室,,150100,150121,土默特左旗县域医共体,40.7000,111.1000,,否,0
H1,新城区医院,牵头医院,,二级,150100,150102,新城区城市医疗集团,40.8500,111.6700,,是,2
H2,土默特左旗医院,牵头医院,,二级,150100,150121,土默特左旗县域医共体,40.7203,111.1503,,是,2
D1,呼和浩特市定点医院,定点医院,,三级,150100,150102,新城区城市医疗集团,40.8400,111.6600,,是,3
"""

REGISTER = """身份证号,姓名,联系电话,档案编号,管理机构编码,年龄,基础疾病状态,疫苗接种,风险标识,家庭医生签约,本周联系次数,养老机构居住
150102195201010011,甲,13800000001,R1,P1,70,无基础疾病,全程接种,绿色,是,1,否
150102193701010011,乙,13800000002,R2,P1,85,基础疾病稳定,全程接种,黄色,是,2,否
150102195201020011,丙,13800000003,R3,P1,70,基础疾病不稳定,未接种,,否,3,是
150102196001010011,丁,13800000004,R4,P1,62,基础疾病稳定,未全程接种,黄色,是,0,否
"""

TRANSFER = """转诊单号,申请时间,转出机构编码,转入机构编码,病情分型,主要问题,接收状态,接收时间
T1,2022-12-19 08:00,P1,H1,普通型,新冠,已接收,2022-12-19 10:00
T2,2022-12-20 09:00,P1,D1,重型,新冠,拒收,
T3,2022-12-21 09:00,P2,H2,重型,基础疾病,待接收,
"""

ICU = """机构编码,ICU床位数,可转换ICU床位数,ICU在床人数,ICU医师数,ICU护士数,后备医师数,后备护士数
H1,10,5,8,8,25,2,6
"""

STOCK = """机构编码,抗原检测试剂库存（人份）,抗原检测试剂本周用量（人份）,退热药库存（人份）,退热药本周用量（人份）,止咳药库存（人份）,止咳药本周用量（人份）,中药库存（人份）,中药本周用量（人份）,指夹式脉搏血氧仪（个）
P1,1400,700,2000,0,1600,200,1800,300,25
"""


def with_valid_checksums(csv_text: str) -> str:
    """Fix the 18th character of every ID number in the first column so none warns."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    lines = csv_text.strip().split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        first, rest = line.split(",", 1)
        body = first[:17]
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
        out.append(f"{body}{check},{rest}")
    return "\n".join(out) + "\n"


def load_shell_fixture(con) -> None:
    files = [("facility", FACILITY), ("register", with_valid_checksums(REGISTER)), ("transfer", TRANSFER),
             ("icu", ICU), ("stock", STOCK)]
    for dataset, text in files:
        result = loading.load_bytes(text.encode("utf-8"), f"{dataset}.csv", dataset=dataset, week=WEEK, con=con)
        assert result.outcome == "accepted", (dataset, [f.message_en for f in result.errors])
