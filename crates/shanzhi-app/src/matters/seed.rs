//! The category dictionary and duty lists the platform ships with: the
//! 数字城管 event classes of CJ/T 214-2007 (the complete table), the 12345
//! 诉求 kinds of Chengdu's 网络理政, and 综治 classes (disputes, safety
//! hazards). Loaded once; admins edit from there (each edit a new version).

use shanzhi_domain::attribute::{Attribute, AttributeValue, Datatype};
use shanzhi_domain::category::{CategoryKind, Limit, Severity, TimeLimits};
use shanzhi_domain::{Category, CategoryCode, DutyItem, DutyLevel, DutyList, Line};
use shanzhi_store::AuditEntry;

use crate::AppResult;
use crate::access::Operator;

/// (major code, major name, [(code, name, keywords)]).
type Class = (&'static str, &'static str, &'static [(&'static str, &'static str, &'static str)]);

const EVENTS: [Class; 5] = [
    (
        "01",
        "市容环境",
        &[
            ("0101", "私搭乱建", "违建 搭建 棚子"),
            ("0102", "暴露垃圾", "垃圾 暴露"),
            ("0103", "积存垃圾渣土", "渣土 积存"),
            ("0104", "道路不洁", "不洁 脏 污渍"),
            ("0105", "水域不洁", "河道 水面 漂浮"),
            ("0106", "绿地脏乱", "绿地 草坪"),
            ("0107", "废弃车辆", "僵尸车 废弃车"),
            ("0108", "废弃家具设备", "家具 沙发 床垫"),
            ("0109", "非装饰性树挂", "树挂 塑料袋"),
            ("0110", "道路破损", "坑洼 破损 路面 井盖"),
            ("0111", "河堤破损", "河堤 护栏"),
            ("0112", "道路遗撒", "遗撒 撒漏"),
            ("0113", "建筑物外立面不洁", "外立面 墙面"),
            ("0114", "水域秩序问题", "钓鱼 游泳"),
            ("0115", "焚烧树叶、垃圾", "焚烧 烧垃圾"),
            ("0116", "油烟污染", "油烟"),
            ("0117", "动物尸体", "死猫 死狗 尸体"),
            ("0118", "擅自饲养家禽家畜", "养鸡 养鸭"),
            ("0199", "其他市容环境问题", "市容"),
        ],
    ),
    (
        "02",
        "宣传广告",
        &[
            ("0201", "非法小广告", "小广告 牛皮癣"),
            ("0202", "违章张贴悬挂广告牌匾", "牌匾 横幅"),
            ("0203", "占道广告牌", "广告牌 占道"),
            ("0204", "街头散发广告", "发传单"),
            ("0205", "广告招牌破损", "招牌 破损 坠落"),
        ],
    ),
    (
        "03",
        "施工管理",
        &[
            ("0301", "施工扰民", "施工 噪音 夜间"),
            ("0302", "工地扬尘", "扬尘 灰尘"),
            ("0303", "施工废弃料", "建筑垃圾"),
            ("0304", "施工占道", "围挡 占道施工"),
            ("0305", "无证掘路", "挖路 开挖"),
            ("0399", "其他施工管理问题", "工地"),
        ],
    ),
    (
        "04",
        "突发事件",
        &[
            ("0401", "路面塌陷", "塌陷 下沉"),
            ("0402", "自来水管破裂", "水管 爆管 漏水"),
            ("0403", "燃气管道破裂", "燃气 煤气 漏气"),
            ("0404", "下水道堵塞或破损", "下水道 堵塞 污水 冒水"),
            ("0405", "热力管道破裂", "热力"),
            ("0406", "道路积水", "积水 内涝"),
            ("0407", "道路积雪结冰", "结冰 积雪"),
            ("0408", "架空线缆损坏", "电线 线缆 飞线"),
            ("0409", "群发性事件", "聚集"),
            ("0499", "其他突发事件", "突发"),
        ],
    ),
    (
        "05",
        "街面秩序",
        &[
            ("0501", "无照经营游商", "游商 摊贩"),
            ("0502", "流浪乞讨", "乞讨 流浪"),
            ("0503", "占道废品收购", "废品"),
            ("0504", "店外经营", "店外 出店"),
            ("0505", "机动车乱停放", "乱停车 违停 停车"),
            ("0506", "非机动车乱停放", "共享单车 电动车"),
            ("0507", "乱堆物堆料", "堆物 杂物 堆放"),
            ("0508", "商业噪音", "喇叭 噪音 音响"),
            ("0509", "黑车拉客", "黑车"),
            ("0510", "露天烧烤", "烧烤"),
            ("0511", "沿街晾挂", "晾晒 晾衣"),
            ("0512", "非法出版物销售", "盗版"),
            ("0513", "空调室外机低挂", "空调外机 滴水"),
            ("0599", "其他街面秩序问题", "秩序"),
        ],
    ),
];

/// 12345 诉求 kinds (成都 网络理政: 反映, 咨询, 求助, 建议, 表扬).
const HOTLINE: [(&str, &str); 5] = [
    ("12345.fanying", "反映类诉求"),
    ("12345.zixun", "咨询类诉求"),
    ("12345.qiuzhu", "求助类诉求"),
    ("12345.jianyi", "建议类诉求"),
    ("12345.biaoyang", "表扬类诉求"),
];

/// 综治: 矛盾纠纷 (by the dispute types of the 综治 standards) and 安全隐患.
const GOVERNANCE: [(&str, &str, &str); 12] = [
    ("ZZ.0101", "婚姻家庭纠纷", "离婚 家暴 家庭"),
    ("ZZ.0102", "邻里纠纷", "邻居 邻里 漏水 吵架"),
    ("ZZ.0103", "房屋宅基地纠纷", "宅基地 房屋"),
    ("ZZ.0104", "物业纠纷", "物业 物业费"),
    ("ZZ.0105", "劳动关系纠纷", "欠薪 工资 讨薪"),
    ("ZZ.0106", "消费纠纷", "退款 消费"),
    ("ZZ.0201", "消防安全隐患", "消防 堵塞通道 电动车充电 飞线充电"),
    ("ZZ.0202", "安全生产隐患", "安全生产"),
    ("ZZ.0203", "治安隐患", "治安 可疑"),
    ("ZZ.0204", "燃气安全隐患", "燃气 气瓶"),
    ("ZZ.0205", "房屋安全隐患", "危房 裂缝"),
    ("ZZ.0206", "特殊人群关爱", "独居 老人 残疾"),
];

/// Street-order matters a grid worker usually settles on the spot (劝离游商,
/// 店外经营归位, 单车摆放, 清理堆物, 收起晾挂): 自行处置 is allowed for them.
const SELF_HANDLED: [&str; 5] = ["0501", "0504", "0506", "0507", "0511"];

fn code(s: &str) -> CategoryCode {
    CategoryCode::parse(s).expect("shipped code")
}

fn keywords(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// Every shipped category.
pub fn shipped_categories() -> Vec<Category> {
    let mut out = Vec::new();
    // 数字城管 practice: accept and dispatch within a working hour, handle by
    // the category's table; emergencies run on clock hours, nights included.
    let limits = |urgent: bool| {
        if urgent {
            TimeLimits {
                accept: Some(Limit::hours(1)),
                dispatch: Some(Limit::hours(1)),
                sign: Some(Limit::hours(1)),
                handle: Some(Limit::hours(2)),
                verify: Some(Limit::hours(2)),
                urgent: TimeLimits::default_urgent(),
            }
        } else {
            TimeLimits {
                accept: Some(Limit::working_hours(1)),
                dispatch: Some(Limit::working_hours(1)),
                sign: Some(Limit::working_hours(2)),
                handle: Some(Limit::working_days(3)),
                verify: Some(Limit::working_days(1)),
                urgent: TimeLimits::default_urgent(),
            }
        }
    };
    for (major, major_name, minors) in EVENTS {
        let urgent = major == "04";
        out.push(Category {
            code: code(major),
            name: major_name.to_owned(),
            parent: None,
            kind: CategoryKind::Event,
            line: Line::Development,
            severity: Severity::Normal,
            limits: TimeLimits::default(),
            filing_condition: String::new(),
            closing_condition: String::new(),
            standard: "CJ/T 214-2007".to_owned(),
            keywords: Vec::new(),
            attributes: Vec::new(),
            self_handle: false,
        });
        for (minor, name, words) in minors.iter() {
            out.push(Category {
                code: code(minor),
                name: (*name).to_owned(),
                parent: Some(code(major)),
                kind: CategoryKind::Event,
                line: if urgent { Line::Both } else { Line::Development },
                severity: if urgent { Severity::Urgent } else { Severity::Normal },
                limits: limits(urgent),
                filing_condition: format!("{name}，位于公共区域，经现场核实属实"),
                closing_condition: format!("{name}已处置完毕，现场核查合格"),
                standard: "CJ/T 214-2007".to_owned(),
                keywords: keywords(words),
                attributes: vec![landmark(1)],
                self_handle: SELF_HANDLED.contains(minor),
            });
        }
    }
    for (c, name) in HOTLINE {
        out.push(Category {
            code: code(c),
            name: name.to_owned(),
            parent: None,
            kind: CategoryKind::Hotline,
            line: Line::Development,
            severity: Severity::Normal,
            // Chengdu 12345: hand over within 1 hour, sign within 1 working
            // day, reply within 3 working days.
            limits: TimeLimits {
                accept: Some(Limit::hours(1)),
                dispatch: Some(Limit::working_hours(2)),
                sign: Some(Limit::working_days(1)),
                handle: Some(Limit::working_days(3)),
                verify: Some(Limit::working_days(1)),
                urgent: TimeLimits::default_urgent(),
            },
            filing_condition: "12345 热线转办工单".to_owned(),
            closing_condition: "已答复诉求人".to_owned(),
            standard: "成都市网络理政 12345".to_owned(),
            keywords: Vec::new(),
            attributes: Vec::new(),
            self_handle: false,
        });
    }
    for (c, name, words) in GOVERNANCE {
        let safety = c.starts_with("ZZ.02");
        out.push(Category {
            code: code(c),
            name: name.to_owned(),
            parent: None,
            kind: CategoryKind::Governance,
            line: if safety { Line::Safety } else { Line::Both },
            severity: if safety { Severity::Urgent } else { Severity::Normal },
            limits: limits(safety),
            filing_condition: format!("{name}，经网格员核实"),
            closing_condition: if safety {
                "隐患已消除并复查".to_owned()
            } else {
                "纠纷已化解，双方认可".to_owned()
            },
            standard: "综治".to_owned(),
            keywords: keywords(words),
            attributes: if safety { hazard_attributes() } else { dispute_attributes() },
            self_handle: false,
        });
    }
    out
}

fn attribute(code: &str, datatype: Datatype, required: bool, description: &str, order: u32) -> Attribute {
    Attribute {
        code: code.to_owned(),
        datatype,
        required,
        description: description.to_owned(),
        datatype_description: String::new(),
        order,
        values: Vec::new(),
    }
}

fn values(pairs: &[(&str, &str)]) -> Vec<AttributeValue> {
    pairs.iter().map(|(k, n)| AttributeValue { key: (*k).to_owned(), name: (*n).to_owned() }).collect()
}

fn landmark(order: u32) -> Attribute {
    Attribute {
        datatype_description: "如：春熙路地铁站 B 口".to_owned(),
        ..attribute("landmark", Datatype::String, false, "附近地标", order)
    }
}

/// 安全隐患: how grave, what kind, when seen, who is at risk (all six
/// Open311 datatypes, so clients meet each of them).
fn hazard_attributes() -> Vec<Attribute> {
    vec![
        Attribute {
            values: values(&[("general", "一般隐患"), ("major", "较大隐患"), ("grave", "重大隐患")]),
            ..attribute("hazard_level", Datatype::Singlevaluelist, true, "隐患等级", 1)
        },
        Attribute {
            values: values(&[
                ("ebike", "电动车违规充电"),
                ("gas", "燃气"),
                ("wiring", "私拉乱接电线"),
                ("exit_blocked", "堵塞安全通道"),
                ("structure", "建筑结构"),
                ("other", "其他"),
            ]),
            ..attribute("hazard_sources", Datatype::Multivaluelist, false, "隐患来源（可多选）", 2)
        },
        Attribute {
            datatype_description: "ISO 8601，如 2026-11-28T09:30:00+08:00".to_owned(),
            ..attribute("observed_at", Datatype::Datetime, false, "发现时间", 3)
        },
        attribute("people_at_risk", Datatype::Number, false, "受影响人数（约）", 4),
        landmark(5),
        attribute("details", Datatype::Text, false, "现场情况补充", 6),
    ]
}

fn dispute_attributes() -> Vec<Attribute> {
    vec![
        attribute("parties", Datatype::Number, false, "当事人数", 1),
        Attribute {
            values: values(&[("no", "未调解"), ("once", "调解过一次"), ("repeat", "多次调解未果")]),
            ..attribute("mediated_before", Datatype::Singlevaluelist, false, "此前是否调解过", 2)
        },
    ]
}

/// The shipped duty lists: which department key leads each category at
/// district and town level, and the community 准入 list.
pub fn shipped_duties() -> Vec<DutyItem> {
    let lead = |c: &str| -> (&'static str, &'static [&'static str]) {
        match c {
            "0101" => ("chengguan", &["guihua", "zhujian"]),
            "0105" | "0111" | "0114" => ("shuiwu", &["shengtai"]),
            "0106" => ("gongyuan", &[]),
            "0107" | "0505" | "0509" => ("gongan", &["jiaotong"]),
            "0110" | "0112" | "0304" | "0305" => ("chengguan", &["jiaotong", "zhujian"]),
            "0116" | "0302" | "0115" => ("shengtai", &["chengguan"]),
            "0301" | "0303" | "0399" => ("zhujian", &["chengguan"]),
            "0401" => ("zhujian", &["chengguan", "yingji"]),
            "0402" | "0404" | "0406" => ("shuiwu", &["chengguan"]),
            "0403" => ("yingji", &["zhujian"]),
            "0408" => ("jingxin", &["chengguan"]),
            "0409" => ("gongan", &["yingji"]),
            "0502" => ("minzheng", &["gongan"]),
            "0504" | "0512" => ("shichang", &["chengguan"]),
            _ if c.starts_with("ZZ.01") => ("sifa", &["minzheng"]),
            "ZZ.0201" => ("xiaofang", &["yingji"]),
            "ZZ.0202" => ("yingji", &[]),
            "ZZ.0203" => ("gongan", &[]),
            "ZZ.0204" => ("zhujian", &["yingji"]),
            "ZZ.0205" => ("zhujian", &[]),
            "ZZ.0206" => ("minzheng", &["weijian"]),
            _ => ("chengguan", &[]),
        }
    };
    let mut out = Vec::new();
    for c in shipped_categories().into_iter().filter(|c| c.parent.is_some() || c.code.as_str().starts_with("ZZ.")) {
        let (key, co) = lead(c.code.as_str());
        let co: Vec<String> = co.iter().map(|s| (*s).to_owned()).collect();
        for level in [DutyLevel::District, DutyLevel::Town] {
            out.push(DutyItem {
                category: c.code.clone(),
                level,
                lead: Some(key.to_owned()),
                co: co.clone(),
                list: if level == DutyLevel::Town && c.code.as_str().starts_with("04") {
                    DutyList::Cooperate
                } else {
                    DutyList::Basic
                },
                note: String::new(),
            });
        }
        // Communities settle disputes and look after residents themselves;
        // law enforcement and emergencies may not be pushed onto them.
        let community = match c.code.as_str() {
            s if s.starts_with("ZZ.01") || s == "ZZ.0206" => DutyList::Lawful,
            s if s.starts_with("04") || s == "0101" || s == "0409" || s == "0509" || s.starts_with("ZZ.02") => {
                DutyList::Negative
            }
            _ => DutyList::Assist,
        };
        out.push(DutyItem {
            category: c.code.clone(),
            level: DutyLevel::Community,
            lead: None,
            co: Vec::new(),
            list: community,
            note: if community == DutyList::Negative {
                "执法、应急类事项不得转嫁给社区（社区工作准入负面清单）".to_owned()
            } else {
                String::new()
            },
        });
    }
    out
}

impl Operator<'_> {
    /// Load the shipped dictionary and duty lists where nothing is stored yet
    /// (every start: later starts find everything and write nothing).
    pub async fn ensure_categories(&self, actor: &str) -> AppResult<usize> {
        let stored: std::collections::HashSet<CategoryCode> =
            self.store.categories().await?.into_iter().map(|(c, _)| c.code).collect();
        let mut added = 0;
        for c in shipped_categories() {
            if !stored.contains(&c.code) {
                let entry = AuditEntry::new(actor, "category.create", &format!("category:{}", c.code));
                self.store.put_category(&c, &entry).await?;
                added += 1;
            }
        }
        if self.store.duties(None).await?.is_empty() {
            for d in shipped_duties() {
                let entry = AuditEntry::new(actor, "duty.put", &format!("duty:{}:{:?}", d.category, d.level));
                self.store.put_duty(&d, &entry).await?;
            }
        }
        self.invalidate_dictionary();
        Ok(added)
    }
}
