"""The demo city's departments and the basic items (基本目录) they implement.

Each item line: department | name | type | audience | levels | legal limit | promised limit |
variants | highest reachable depth | relative demand | cross-department.
- type: L licence 行政许可, C confirmation 行政确认, B benefit 行政给付, J adjudication 行政裁决,
  A award 行政奖励, O other 其他行政权力, P public service 公共服务
- audience: c citizen, e enterprise, b both; levels: C city, Y county/district, T township
- legal limit '-' = none set by law; promised 0 = instant item (即办件)
- variants (子项): n 新办, c 变更, r 延续, x 注销, b 补办; '-' = no sub-items
- highest depth 1 = unsuitable for online handling (不适宜网办)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_en: str


DEPARTMENTS: tuple[Department, ...] = (
    Department("NDRC", "发展和改革委员会", "Development and Reform Commission"),
    Department("EDU", "教育局", "Education Bureau"),
    Department("SCI", "科学技术局", "Science and Technology Bureau"),
    Department("IIT", "工业和信息化局", "Industry and Information Technology Bureau"),
    Department("PSB", "公安局", "Public Security Bureau"),
    Department("CIV", "民政局", "Civil Affairs Bureau"),
    Department("JUS", "司法局", "Justice Bureau"),
    Department("FIN", "财政局", "Finance Bureau"),
    Department("HRSS", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    Department("NRP", "自然资源和规划局", "Natural Resources and Planning Bureau"),
    Department("REG", "不动产登记中心", "Real Estate Registration Centre"),
    Department("ENV", "生态环境局", "Ecology and Environment Bureau"),
    Department("HUD", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    Department("URB", "城市管理局", "Urban Management Bureau"),
    Department("TRA", "交通运输局", "Transport Bureau"),
    Department("WAT", "水利局", "Water Resources Bureau"),
    Department("AGR", "农业农村局", "Agriculture and Rural Affairs Bureau"),
    Department("COM", "商务局", "Commerce Bureau"),
    Department("CUL", "文化广电和旅游局", "Culture, Radio, Television and Tourism Bureau"),
    Department("HEA", "卫生健康委员会", "Health Commission"),
    Department("VET", "退役军人事务局", "Veterans Affairs Bureau"),
    Department("EMG", "应急管理局", "Emergency Management Bureau"),
    Department("AMR", "市场监督管理局", "Administration for Market Regulation"),
    Department("STA", "统计局", "Statistics Bureau"),
    Department("HSA", "医疗保障局", "Healthcare Security Administration"),
    Department("FOR", "林业局", "Forestry Bureau"),
    Department("CAD", "人民防空办公室", "Civil Air Defence Office"),
    Department("ARC", "档案局", "Archives Bureau"),
    Department("REL", "民族宗教事务局", "Ethnic and Religious Affairs Bureau"),
    Department("MET", "气象局", "Meteorological Bureau"),
    Department("TOB", "烟草专卖局", "Tobacco Monopoly Bureau"),
    Department("TAX", "税务局", "Taxation Bureau"),
    Department("HPF", "住房公积金管理中心", "Housing Provident Fund Management Centre"),
    Department("DPF", "残疾人联合会", "Disabled Persons' Federation"),
    Department("SPT", "体育局", "Sports Bureau"),
    Department("FIR", "消防救援支队", "Fire and Rescue Detachment"),
    Department("GRA", "粮食和物资储备局", "Grain and Material Reserves Bureau"),
    Department("POS", "邮政管理局", "Postal Administration"),
    Department("ADM", "行政审批服务局", "Administrative Approval Services Bureau"),
    Department("MED", "市场监督管理局药品分局", "Drug Administration Branch"),
)

ITEM_LINES = """
NDRC|企业投资项目核准|L|e|C|20|10|nc|4|3|1
NDRC|企业投资项目备案|O|e|CY|-|1|nc|4|8|0
NDRC|固定资产投资项目节能审查|L|e|CY|20|10|-|4|2|0
NDRC|政府投资项目建议书审批|L|e|CY|20|10|-|3|1|1
NDRC|政府投资项目可行性研究报告审批|L|e|CY|20|10|-|3|1|1
NDRC|价格认定|O|b|CY|-|15|-|3|1|0
EDU|民办学校设立审批|L|e|CY|90|30|ncrx|3|1|0
EDU|教师资格认定|L|c|CY|60|30|b|3|6|0
EDU|校车使用许可|L|e|CY|20|10|nr|3|1|1
EDU|适龄儿童入学登记|P|c|YT|-|5|-|4|20|0
EDU|学生资助申请|B|c|CY|-|15|-|4|5|0
EDU|中等职业学校学历证明|P|c|C|-|5|-|4|2|0
SCI|高新技术企业认定|C|e|C|60|30|-|4|2|0
SCI|科技型中小企业评价|C|e|C|-|15|-|4|3|0
SCI|技术合同认定登记|C|e|C|-|5|-|4|3|0
SCI|科学技术奖励|A|b|C|-|60|-|3|1|0
IIT|无线电台（站）设置审批|L|e|C|20|10|ncr|3|1|0
IIT|监控化学品生产特别许可|L|e|C|20|10|-|2|1|1
IIT|新型墙体材料认定|C|e|C|-|15|-|3|1|0
PSB|居民身份证换领|C|c|CY|60|15|b|3|120|0
PSB|临时居民身份证核发|C|c|CY|3|1|-|3|15|0
PSB|户口迁移审批|L|c|CY|20|5|-|3|25|0
PSB|出生登记|C|c|YT|10|1|-|3|25|0
PSB|户口注销|C|c|YT|10|0|-|3|12|0
PSB|居住证签发|P|c|CYT|15|10|b|3|20|0
PSB|普通护照签发|L|c|C|15|7|b|3|35|0
PSB|往来港澳通行证签发|L|c|C|15|7|b|3|30|0
PSB|往来台湾通行证签发|L|c|C|15|7|-|3|5|0
PSB|机动车登记|C|b|C|2|1|ncx|3|60|0
PSB|机动车驾驶证核发|L|c|C|10|5|b|3|40|0
PSB|机动车检验合格标志核发|C|b|C|5|0|-|4|30|0
PSB|旅馆业特种行业许可证核发|L|e|CY|20|10|ncx|3|2|1
PSB|典当业特种行业许可证核发|L|e|C|20|10|nc|3|1|1
PSB|公章刻制业特种行业许可证核发|L|e|C|20|10|-|3|1|0
PSB|剧毒化学品购买许可证核发|L|e|C|3|2|-|1|1|0
PSB|烟花爆竹道路运输许可|L|e|CY|5|3|-|3|2|0
PSB|大型群众性活动安全许可|L|e|CY|7|5|-|2|1|1
PSB|保安服务公司设立许可|L|e|C|20|15|nc|3|1|0
PSB|枪支持有许可证核发|L|b|C|30|20|-|1|1|0
PSB|无犯罪记录证明开具|O|c|CY|-|1|-|4|25|0
PSB|犬类准养证核发|L|c|Y|20|5|nr|4|3|0
CIV|结婚登记|C|c|Y|-|0|-|2|30|0
CIV|离婚登记|C|c|Y|30|30|-|1|8|0
CIV|补领婚姻登记证|C|c|Y|-|0|-|2|4|0
CIV|最低生活保障审批|B|c|YT|30|20|-|3|10|1
CIV|特困人员救助供养审批|B|c|YT|30|20|-|3|3|1
CIV|临时救助审批|B|c|YT|-|10|-|3|6|0
CIV|社会团体登记|L|e|CY|60|20|ncx|3|2|0
CIV|民办非企业单位登记|L|e|CY|60|20|ncx|3|2|0
CIV|养老机构设立备案|O|e|CY|-|5|-|4|1|0
CIV|高龄津贴发放|B|c|YT|-|10|-|4|15|0
CIV|殡葬补贴发放|B|c|YT|-|10|-|3|4|0
CIV|收养登记|C|c|C|30|30|-|1|1|0
CIV|地名命名审批|L|e|C|30|20|c|3|1|1
JUS|律师执业许可|L|c|C|30|20|ncx|3|2|0
JUS|基层法律服务工作者执业核准|L|c|C|20|15|nc|3|1|0
JUS|法律援助申请|B|c|CY|7|5|-|3|8|0
JUS|公证员执业审核|O|c|C|20|15|-|3|1|0
JUS|人民调解申请|J|b|YT|-|15|-|2|4|0
FIN|代理记账机构审批|L|e|C|20|10|ncx|4|2|0
FIN|政府采购供应商投诉处理|J|e|C|30|30|-|3|1|0
FIN|会计专业技术资格证书补发|P|c|C|-|5|-|4|2|0
HRSS|社会保障卡申领|P|c|CYT|-|5|b|4|60|0
HRSS|城乡居民基本养老保险参保登记|C|c|YT|-|0|-|4|25|0
HRSS|职工基本养老保险参保登记|C|b|CY|-|0|c|4|30|0
HRSS|失业保险金申领|B|c|CY|-|10|-|4|15|0
HRSS|工伤认定|C|b|CY|60|40|-|3|4|1
HRSS|劳动能力鉴定|C|c|C|60|40|-|2|3|1
HRSS|人力资源服务许可|L|e|CY|20|10|ncrx|4|2|0
HRSS|劳务派遣经营许可|L|e|CY|20|10|ncrx|4|2|0
HRSS|就业创业证申领|P|c|YT|-|0|-|4|20|0
HRSS|职业技能鉴定|O|c|C|-|20|-|2|6|0
HRSS|劳动人事争议仲裁|J|b|CY|45|45|-|2|5|0
HRSS|企业实行不定时工作制审批|L|e|CY|20|10|-|4|2|0
HRSS|技能人才补贴申领|B|c|CY|-|20|-|4|6|0
HRSS|养老保险待遇申领|B|c|CY|-|10|-|3|12|0
HRSS|社会保险关系转移接续|P|c|CY|-|15|-|4|15|0
NRP|建设项目用地预审与选址意见书|L|e|CY|20|10|c|3|2|1
NRP|建设用地规划许可证核发|L|e|CY|20|10|c|3|2|1
NRP|建设工程规划许可证核发|L|e|CY|20|10|c|3|3|1
NRP|乡村建设规划许可证核发|L|b|YT|20|10|-|3|3|0
NRP|采矿权登记|L|e|C|40|20|ncrx|2|1|0
NRP|土地复垦方案审查|O|e|CY|-|15|-|3|1|0
NRP|临时用地审批|L|e|CY|20|10|-|3|2|0
REG|国有建设用地使用权及房屋所有权首次登记|C|b|CY|30|5|-|3|20|1
REG|国有建设用地使用权及房屋所有权转移登记|C|b|CY|30|5|-|3|70|1
REG|抵押权登记|C|b|CY|30|3|ncx|4|45|0
REG|预告登记|C|b|CY|30|3|ncx|4|25|0
REG|更正登记|C|b|CY|30|10|-|3|3|0
REG|不动产权证书补发|C|c|CY|30|10|-|3|5|0
REG|查封登记|C|b|CY|30|1|x|2|3|0
REG|不动产登记资料查询|P|b|CY|-|0|-|4|40|0
ENV|建设项目环境影响报告书审批|L|e|CY|60|20|c|4|1|1
ENV|建设项目环境影响报告表审批|L|e|CY|30|10|c|4|3|1
ENV|排污许可证核发|L|e|C|20|15|ncrx|4|3|0
ENV|危险废物经营许可证核发|L|e|C|20|15|ncr|3|1|0
ENV|辐射安全许可证核发|L|e|C|20|15|ncr|3|1|0
HUD|建筑工程施工许可证核发|L|e|CY|15|3|c|4|8|1
HUD|建筑业企业资质核准|L|e|C|20|10|ncrx|4|4|0
HUD|房地产开发企业资质核定|L|e|CY|20|10|ncr|4|2|0
HUD|商品房预售许可|L|e|CY|10|5|c|3|3|1
HUD|建设工程竣工验收备案|O|e|CY|-|5|-|3|6|1
HUD|公共租赁住房保障资格审核|B|c|CY|30|20|-|3|8|0
HUD|燃气经营许可证核发|L|e|CY|20|15|ncr|3|1|0
HUD|房屋交易合同网签备案|O|b|CY|-|0|x|4|40|0
HUD|物业服务企业资质核定|L|e|CY|20|10|nr|4|1|0
HUD|城市建筑垃圾处置核准|L|e|CY|20|10|-|3|2|0
URB|城市道路占用挖掘许可|L|e|CY|20|5|c|3|4|1
URB|设置大型户外广告审批|L|e|CY|20|10|nr|3|3|0
URB|临时建筑物设置审批|L|e|CY|20|10|-|3|2|0
URB|城镇污水排入排水管网许可|L|e|CY|20|10|r|3|2|0
URB|市政设施建设类审批|L|e|CY|20|10|-|3|2|0
TRA|道路运输经营许可|L|e|CY|20|10|ncrx|3|5|0
TRA|道路运输从业人员从业资格证核发|L|c|C|10|5|nrb|4|12|0
TRA|网络预约出租汽车运输证核发|L|b|C|20|10|ncrx|4|6|0
TRA|机动车维修经营备案|O|e|CY|-|5|c|4|3|0
TRA|超限运输车辆行驶公路许可|L|e|CY|20|2|-|4|10|0
TRA|公路建设项目施工许可|L|e|CY|20|10|-|3|1|0
TRA|出租汽车驾驶员从业资格证核发|L|c|C|10|5|rb|4|5|0
WAT|取水许可|L|e|CY|45|20|ncr|3|2|0
WAT|生产建设项目水土保持方案审批|L|e|CY|20|10|c|4|3|1
WAT|洪水影响评价审批|L|e|CY|20|10|-|3|1|0
WAT|河道采砂许可|L|e|CY|20|15|-|2|1|0
AGR|农药经营许可|L|e|CY|20|10|ncr|4|3|0
AGR|兽药经营许可证核发|L|e|CY|20|10|ncr|4|2|0
AGR|动物防疫条件合格证核发|L|e|CY|20|10|nc|3|3|0
AGR|农村村民宅基地审批|L|c|YT|20|15|-|2|8|1
AGR|拖拉机和联合收割机登记|C|c|CY|5|1|nx|3|4|0
AGR|种子生产经营许可证核发|L|e|CY|20|10|ncr|4|2|0
AGR|农业机械购置补贴|B|c|YT|-|30|-|3|10|0
AGR|渔业捕捞许可|L|c|Y|20|10|nr|3|1|0
COM|对外贸易经营者备案登记|O|e|C|-|3|cx|4|5|0
COM|单用途商业预付卡发卡企业备案|O|e|C|-|5|-|4|1|0
COM|酒类商品批发经营许可|L|e|C|20|10|ncr|3|2|0
COM|报废机动车回收企业资质认定|L|e|C|20|15|-|3|1|0
COM|外商投资企业设立备案|O|e|C|-|3|c|4|2|0
CUL|营业性演出审批|L|e|CY|3|2|-|4|4|0
CUL|娱乐场所经营许可|L|e|CY|20|10|ncrx|3|3|1
CUL|互联网上网服务营业场所经营许可|L|e|CY|20|10|ncx|3|2|1
CUL|旅行社设立许可|L|e|C|20|10|ncx|4|2|0
CUL|出版物零售业务经营许可|L|e|CY|20|10|nc|4|2|0
CUL|卫星电视广播地面接收设施安装许可|L|e|C|20|10|r|2|1|0
CUL|文物保护单位建设控制地带内建设工程设计方案审批|L|e|C|20|15|-|2|1|1
CUL|公共图书馆借阅证办理|P|c|CY|-|0|-|4|30|0
HEA|医疗机构执业许可|L|e|CY|45|20|ncrx|3|3|0
HEA|医师执业注册|L|c|CY|20|10|ncx|4|12|0
HEA|护士执业注册|L|c|CY|20|10|ncrx|4|15|0
HEA|公共场所卫生许可|L|e|CY|20|5|ncrx|4|10|0
HEA|生育登记服务|P|c|YT|-|0|-|4|40|0
HEA|再生育审批|L|c|Y|30|15|-|3|4|0
HEA|出生医学证明签发|P|c|CY|-|0|b|2|30|0
HEA|放射诊疗许可|L|e|CY|20|15|ncr|3|1|0
HEA|饮用水供水单位卫生许可|L|e|CY|20|10|ncr|3|1|0
HEA|母婴保健技术服务执业许可|L|e|CY|20|15|nr|3|1|0
HEA|计划生育家庭奖励扶助金发放|B|c|YT|-|30|-|3|10|0
VET|退役军人优待证办理|P|c|YT|-|10|-|3|8|0
VET|伤残抚恤关系接收|B|c|CY|-|20|-|2|2|0
VET|退役士兵自主就业一次性经济补助发放|B|c|CY|-|20|-|3|2|0
VET|烈士褒扬金发放|A|c|C|-|20|-|2|1|0
VET|义务兵家庭优待金发放|B|c|YT|-|20|-|3|4|0
EMG|危险化学品经营许可证核发|L|e|CY|30|10|ncrx|4|4|0
EMG|烟花爆竹经营（零售）许可证核发|L|e|Y|20|10|nr|4|5|0
EMG|非煤矿矿山安全生产许可|L|e|C|45|20|ncr|3|1|0
EMG|生产安全事故应急预案备案|O|e|CY|-|5|-|4|3|0
EMG|建设项目安全设施设计审查|L|e|CY|20|15|-|3|1|1
AMR|企业设立登记|L|e|CY|15|3|-|4|80|0
AMR|企业变更登记|L|e|CY|15|3|-|4|60|0
AMR|企业注销登记|L|e|CY|15|3|-|4|30|0
AMR|个体工商户登记|L|e|CYT|15|1|ncx|4|90|0
AMR|农民专业合作社登记|L|e|Y|15|3|ncx|4|4|0
AMR|食品经营许可证核发|L|e|CY|20|10|ncrxb|4|40|0
AMR|食品生产许可证核发|L|e|C|20|15|ncrx|3|5|0
AMR|食品小作坊登记|L|e|Y|20|10|nc|3|4|0
AMR|特种设备使用登记|C|e|CY|15|5|ncx|4|15|0
AMR|工业产品生产许可证核发|L|e|C|60|30|ncr|3|1|0
AMR|计量器具型式批准|L|e|C|20|15|-|3|1|0
AMR|动产抵押登记|C|e|CY|-|0|ncx|4|6|0
AMR|股权出质设立登记|C|e|CY|-|1|cx|4|4|0
AMR|广告发布登记|L|e|C|20|10|ncx|4|1|0
AMR|检验检测机构资质认定|L|e|C|20|15|ncr|3|1|0
AMR|企业名称自主申报|O|e|CY|-|0|-|4|40|0
STA|统计调查项目审批|L|e|C|20|15|-|3|1|0
STA|统计执法检查证核发|O|c|C|-|10|-|2|1|0
HSA|基本医疗保险参保登记|C|b|CYT|-|0|c|4|50|0
HSA|门诊慢特病待遇认定|C|c|CY|-|15|-|3|20|0
HSA|异地就医备案|P|c|CYT|-|0|-|4|40|0
HSA|医疗费用手工（零星）报销|B|c|CY|-|20|-|3|25|0
HSA|生育保险待遇核定与支付|B|c|CY|-|15|-|4|12|0
HSA|定点医药机构申请受理|O|e|C|-|30|-|3|2|0
FOR|林木采伐许可证核发|L|b|CY|20|10|-|3|3|0
FOR|使用林地审核审批|L|e|CY|20|15|-|3|1|1
FOR|林草种子生产经营许可|L|e|CY|20|10|nr|3|1|0
FOR|野生动物驯养繁殖许可|L|b|C|20|15|nr|2|1|0
FOR|林权登记|C|b|Y|30|10|nc|3|2|0
CAD|人防工程易地建设审批|L|e|CY|20|10|-|4|3|1
CAD|人防工程竣工验收备案|O|e|CY|-|5|-|3|2|0
CAD|拆除人防工程审批|L|e|C|20|10|-|3|1|0
ARC|档案查询利用|P|b|CY|-|0|-|4|15|0
ARC|婚姻档案查询|P|c|CY|-|0|-|4|8|0
REL|宗教活动场所设立审批|L|e|C|30|20|nc|1|1|0
REL|宗教教职人员备案|O|c|CY|-|20|-|2|1|0
MET|升放无人驾驶自由气球或者系留气球活动审批|L|e|CY|20|5|-|4|2|0
MET|雷电防护装置设计审核|L|e|CY|20|5|-|4|3|1
MET|雷电防护装置竣工验收|L|e|CY|20|5|-|3|3|1
TOB|烟草专卖零售许可证核发|L|e|CY|20|10|ncrxb|4|25|0
TOB|烟草专卖品准运证核发|L|e|C|20|5|-|4|2|0
TAX|税务登记|C|e|CY|-|0|cx|4|40|0
TAX|增值税专用发票最高开票限额审批|L|e|CY|20|10|-|4|10|0
TAX|发票领用|P|e|CYT|-|0|-|4|80|0
TAX|个人所得税完税证明开具|P|c|CYT|-|0|-|4|30|0
TAX|契税申报|P|b|CY|-|0|-|3|40|1
TAX|一般纳税人登记|C|e|CY|-|0|-|4|10|0
TAX|出口退（免）税备案|O|e|C|-|5|c|4|3|0
HPF|住房公积金提取|P|c|CY|-|1|-|4|90|0
HPF|住房公积金贷款|P|c|CY|-|15|-|3|20|1
HPF|住房公积金缴存登记|P|e|CY|-|0|c|4|15|0
HPF|住房公积金异地转移接续|P|c|CY|-|5|-|4|8|0
DPF|残疾人证核发|C|c|YT|30|20|cb|2|8|1
DPF|困难残疾人生活补贴申领|B|c|YT|-|20|-|3|6|0
DPF|重度残疾人护理补贴申领|B|c|YT|-|20|-|3|5|0
DPF|残疾人辅助器具适配补贴|B|c|Y|-|20|-|3|2|0
SPT|经营高危险性体育项目许可|L|e|CY|30|10|nrx|3|1|0
SPT|举办健身气功活动及设立站点审批|L|b|C|20|15|-|3|1|0
FIR|公众聚集场所投入使用营业前消防安全检查|L|e|CY|10|5|-|3|6|1
FIR|建设工程消防设计审查|L|e|CY|15|10|-|3|4|1
FIR|建设工程消防验收|L|e|CY|15|10|-|3|3|1
GRA|粮食收购资格认定|L|e|CY|15|10|ncrx|4|1|0
GRA|政策性粮食收购资金申请|B|e|C|-|20|-|2|1|0
POS|快递业务经营许可|L|e|C|45|20|ncrx|4|2|0
POS|邮政普遍服务营业场所停业审批|L|e|C|20|15|-|3|1|0
ADM|建设项目联合审批|O|e|CY|-|20|-|3|2|1
ADM|投资项目在线审批监管平台赋码|O|e|CY|-|1|-|4|6|0
ADM|政务服务“一件事”集成办理|O|b|C|-|5|-|3|5|1
MED|药品经营许可证核发（零售）|L|e|CY|30|15|ncrx|3|8|0
MED|医疗器械经营许可证核发|L|e|C|30|15|ncrx|4|4|0
MED|第二类医疗器械经营备案|O|e|CY|-|3|cx|4|5|0
MED|化妆品经营备案|O|e|CY|-|3|-|4|2|0
MED|执业药师注册|L|c|C|20|10|ncr|4|5|0
PSB|暂住登记|C|c|YT|-|0|-|4|10|0
PSB|剧毒化学品道路运输通行证核发|L|e|C|7|3|-|2|1|0
PSB|民用爆炸物品购买许可|L|e|C|5|3|-|1|1|0
PSB|机动车临时通行牌证核发|L|b|C|1|0|-|4|15|0
PSB|校车驾驶资格许可|L|c|C|10|5|nx|3|1|1
PSB|互联网上网服务营业场所信息网络安全审核|L|e|CY|20|10|nc|3|1|1
PSB|易制毒化学品购买备案|O|e|CY|-|3|-|4|2|0
CIV|慈善组织认定|C|e|C|20|15|c|4|1|0
CIV|公开募捐资格审批|L|e|C|20|15|-|4|1|0
CIV|经营性公墓建设审批|L|e|C|20|15|ncx|2|1|1
CIV|婚姻登记记录证明开具|P|c|Y|-|0|-|4|6|0
HRSS|企业年金方案备案|O|e|C|-|10|c|4|1|0
HRSS|职业培训学校设立审批|L|e|CY|30|15|ncrx|3|1|0
HRSS|特殊工种提前退休审批|L|c|C|20|15|-|2|3|0
HRSS|专业技术人员职称评审|O|c|C|-|60|-|3|5|0
HRSS|高校毕业生就业见习补贴|B|e|CY|-|20|-|4|2|0
HUD|建设工程质量监督注册|O|e|CY|-|3|-|4|5|1
HUD|建设工程招标投标情况备案|O|e|CY|-|3|-|4|4|0
HUD|商品房买卖合同备案|O|b|CY|-|1|x|4|20|0
HUD|工程造价咨询企业资质认定|L|e|C|20|10|ncr|4|1|0
HUD|勘察设计企业资质核准|L|e|C|20|10|ncrx|4|1|0
NRP|建设工程竣工规划核实|O|e|CY|-|10|-|3|3|1
NRP|测绘资质审批|L|e|C|20|15|ncrx|4|1|0
NRP|地质灾害危险性评估备案|O|e|C|-|5|-|4|1|0
TRA|客运站经营许可|L|e|C|20|15|ncx|3|1|0
TRA|驾驶员培训经营备案|O|e|CY|-|5|cx|4|2|0
TRA|城市公共汽车线路经营权审批|L|e|C|20|15|nc|2|1|0
HEA|医疗广告审查|L|e|C|20|10|-|4|2|0
HEA|职业健康检查机构备案|O|e|C|-|5|c|4|1|0
HEA|乡村医生执业注册|L|c|Y|20|10|nrx|3|3|0
ENV|建设项目环境影响登记表备案|O|e|CY|-|0|-|4|8|0
ENV|建设项目竣工环境保护验收备案|O|e|CY|-|5|-|4|3|0
AGR|生鲜乳收购站许可|L|e|CY|20|10|ncr|3|1|0
AGR|水产苗种生产许可|L|e|CY|20|10|nr|3|1|0
AGR|动物诊疗许可证核发|L|e|CY|20|10|ncx|3|2|0
AMR|特种设备作业人员资格认定|L|c|C|20|15|nrb|3|8|0
AMR|药品广告审查|L|e|C|10|5|-|4|1|0
AMR|标准化试点项目申报|O|e|C|-|20|-|4|1|0
CUL|广播电视节目制作经营许可|L|e|C|20|10|ncrx|4|1|0
CUL|导游证核发|L|c|C|20|10|cb|4|3|0
CUL|艺术考级活动审批|L|e|C|20|15|c|3|1|0
EMG|特种作业操作证核发|L|c|C|20|15|nrb|3|6|0
EMG|第二类非药品类易制毒化学品生产备案|O|e|C|-|5|cr|4|1|0
FIR|消防技术服务机构资质许可|L|e|C|20|15|ncr|4|1|0
EDU|普通话水平测试证书补发|P|c|C|-|10|-|4|4|0
EDU|中小学教师资格定期注册|C|c|CY|-|20|-|4|5|0
WAT|水利工程质量检测单位资质认定|L|e|C|20|15|ncr|3|1|0
WAT|农村集体经济组织修建水库审批|L|e|Y|20|15|-|2|1|0
COM|成品油零售经营资格审批|L|e|C|20|15|ncrx|3|1|0
COM|拍卖企业设立审批|L|e|C|20|15|ncx|3|1|0
TOB|烟草专卖批发企业许可证核发|L|e|C|20|10|ncr|3|1|0
SCI|外国人来华工作许可|L|c|C|10|5|ncrx|4|3|0
DPF|残疾人就业保障金减免|B|e|C|-|20|-|4|2|0
JUS|司法鉴定机构登记|L|e|C|20|15|ncx|3|1|0
"""
