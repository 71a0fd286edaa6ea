//! The API's vocabulary as OpenAPI schemas: codes, periods and names that
//! travel as strings, each with the pattern or the list of values the server
//! accepts and an example. A parameter or field says `value_type =
//! schema::DivisionCodeText` instead of a bare `String`, so that generated
//! clients, validators and fuzzers (schemathesis) send what the server can
//! read, and the document says what a code looks like. Enumerations are
//! built from the domain's own lists, so they cannot drift.

use shanzhi_domain::callback::CallbackState;
use shanzhi_domain::case::{ArticleKind, Step};
use shanzhi_domain::indicators::Key;
use shanzhi_domain::indicators::UnitKind;
use shanzhi_domain::{Channel, CodeSystem, CommandKind, GridKind, Line, MatterState, Role, Warning};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{RefOr, schema::SchemaType};

/// 2, 4, 6, 9 or 12 digits, the province never zero (zero segments below
/// it are the parser's finer rule: `510100` is the city, `510001` nothing).
const DIVISION: &str = "(0[1-9]|[1-9][0-9])([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?";

fn text(pattern: String, example: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(format!("^{pattern}$")))
        .examples([serde_json::Value::from(example)])
        .description(Some(description))
        .into()
}

fn one_of(names: &[&str], description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(names.to_vec()))
        .examples([serde_json::Value::from(names[0])])
        .description(Some(description))
        .into()
}

/// A comma list of names (`reported,filed`).
fn list_of(names: &[&str], description: &str) -> RefOr<Schema> {
    let one = format!("({})", names.join("|"));
    text(format!("{one}(,{one})*"), names[0], description)
}

/// A segment of a division code that is not zero (two or three digits).
const NZ2: &str = "(0[1-9]|[1-9][0-9])";
const NZ3: &str = "(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})";

/// A day of the years 2000–2100 (what the calendar and the clocks handle)
/// and a time of day with its offset.
const DAY: &str = "(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
const CLOCK: &str = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";

fn dated(format: KnownFormat, pattern: impl Into<String>, example: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .format(Some(SchemaFormat::KnownFormat(format)))
        .pattern(Some(format!("^{}$", pattern.into())))
        .examples([serde_json::Value::from(example)])
        .description(Some(description))
        .into()
}

macro_rules! vocabulary {
    ($($(#[$doc:meta])* $name:ident => $schema:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    )*

        /// Puts every type of the vocabulary into the document's components
        /// (parameters name them by reference; utoipa collects only bodies').
        pub struct Vocabulary;

        impl utoipa::Modify for Vocabulary {
            fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
                let components = openapi.components.get_or_insert_with(Default::default);
                $(components.schemas.insert(stringify!($name).to_owned(), <$name as utoipa::PartialSchema>::schema());)*
            }
        }
    };
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|t| name(*t)).collect()
}

vocabulary! {
    /// 区划代码：2、4、6、9 或 12 位 / a division code.
    DivisionCodeText => text(DIVISION.into(), "510104022000", "区划代码（统计用区划代码，2/4/6/9/12 位） / a division code");
    /// 社区（村）代码：12 位，乡镇（街道）与社区段均非 000 / a community's division code.
    CommunityCodeText => text(format!("{NZ2}{NZ2}[0-9]{{2}}{NZ3}{NZ3}"), "510104022006", "社区（村）代码（12 位） / a community (village) code (12 digits)");
    /// 街道（乡镇）代码：9 位 / a street's (town's) division code.
    StreetCodeText => text(format!("{NZ2}{NZ2}[0-9]{{2}}{NZ3}"), "510104022", "街道（乡镇）代码（9 位） / a street (town) code (9 digits)");
    /// 网格编码：社区代码 + 3 位序号 / a grid code.
    GridCodeText => text(format!("{NZ2}{NZ2}[0-9]{{2}}{NZ3}{NZ3}[0-9]{{3}}"), "510104022006001", "网格编码（15 位） / a grid code (15 digits)");
    /// 部门编码 / a department code.
    DepartmentCodeText => text(
        format!("{NZ2}{NZ2}[0-9]{{2}}({NZ3})?-[a-z][a-z0-9_]{{1,31}}"),
        "510104-chengguan",
        "部门编码：区划代码-英文简称 / a department code: DIVISION-key",
    );
    /// 事项分类代码 / a category code.
    CategoryCodeText => text("[A-Za-z0-9._-]{2,32}".into(), "0110", "事项分类代码 / a category code");
    /// 时段 / a period.
    PeriodText => text(
        "(20[0-9]{2}|2100)(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?|-Q[1-4]|-W(0[1-9]|[1-4][0-9]|5[0-2]))?".into(),
        "2026-11",
        "时段：2026（年）、2026-Q4、2026-11（月）、2026-W48（周）、2026-11-28（日） / a period",
    );
    /// 月份 / a month.
    MonthText => text("(20[0-9]{2}|2100)-(0[1-9]|1[0-2])".into(), "2026-11", "月份 YYYY-MM / a month");
    /// 单位类型 / a kind of unit.
    UnitKindName => one_of(&names(&UnitKind::ALL, UnitKind::as_str), "单位类型 / the kind of unit");
    /// 条线 / a line.
    LineName => one_of(&names(&Line::ALL, Line::as_str), "条线：development（社治）、safety（综治）或 both / the line");
    /// 渠道 / a channel.
    ChannelName => one_of(&names(&Channel::ALL, Channel::as_str), "上报渠道 / the channel");
    /// 角色 / a role.
    RoleName => one_of(&names(&Role::ALL, Role::as_str), "角色 / a role");
    /// 区划代码体系 / a code system.
    CodeSystemName => one_of(&names(&CodeSystem::ALL, CodeSystem::as_str), "区划代码体系 / the code system");
    /// 网格类型 / a grid kind.
    GridKindName => one_of(&names(&GridKind::ALL, GridKind::as_str), "网格类型 / the kind of grid");
    /// 坐标系 / a coordinate system.
    CrsName => one_of(&["wgs84", "gcj02", "bd09"], "坐标系：wgs84（默认）、gcj02、bd09 / the coordinate system");
    /// 导出格式 / an export format.
    FormatName => one_of(&["csv", "xlsx"], "导出格式 / the file format");
    /// 回访任务 / a call-back task.
    CallbackTaskIdText => text("[A-Za-z0-9-]{1,64}:[0-9]{1,12}".into(), "019ad3c0-0000-7000-8000-000000000001:6", "回访任务编号：事件 id:结案记录序号 / a call-back task: matter id:entry seq");
    /// 回访状态 / a call-back state.
    CallbackStateName => one_of(&names(&CallbackState::ALL, CallbackState::as_str), "回访状态：open（待回访）、done（已回访）、invalid（无效回访） / the call-back state");
    /// 回访任务翻页游标 / a page cursor of call-back tasks.
    CallbackPageText => text("[0-9]{1,19}_[A-Za-z0-9-]{1,64}:[0-9]{1,12}".into(), "1764547200000000_019ad3c0-0000-7000-8000-000000000001:6", "上一页返回的 next / the next of the previous page");
    /// 办理结果游标 / the results export's cursor.
    ResultCursorText => text("[0-9]{1,18}".into(), "0", "上次返回的游标（X-Next-Cursor），首次为 0 / the cursor returned last time (X-Next-Cursor), 0 at first");
    /// 月报格式 / the monthly report's format.
    ReportFormatName => one_of(&["xlsx"], "月报只导出 xlsx / the report is xlsx only");
    /// 手机号 / a mainland mobile number.
    PhoneText => text("1[3-9][0-9]{9}".into(), "13800138000", "11 位手机号 / an 11-digit mainland mobile number");
    /// 工作电话 / a public work phone: a mobile or a landline with its area code.
    WorkPhoneText => text("(1[3-9][0-9]{9}|0(10|2[0-9])-[2-9][0-9]{6,7}|0[3-9][0-9]{2}-[2-9][0-9]{6,7})".into(), "028-86612345", "手机号或带区号的固定电话 / a mobile or a landline with its area code");
    /// 短信验证码 / a one-time code.
    SmsCodeText => text("[0-9]{6}".into(), "123456", "6 位短信验证码 / a 6-digit code");
    /// 幂等键 / an idempotency key.
    IdempotencyKeyText => text("[!-~]{1,128}".into(), "report-7f3a9c", "幂等键：1–128 个可见 ASCII 字符 / 1–128 visible ASCII characters");
    /// 命令 / a command.
    CaseKindName => one_of(&names(&ArticleKind::ALL, ArticleKind::as_str), "栏目：policy（政策解读）、interview（书记访谈）、case（案例展示）、innovation（创新经验） / the column");
    CaseStepName => one_of(&names(&Step::ALL, Step::as_str), "审核步骤：submit、return、publish、withdraw / the review step");
    CommandName => one_of(&names(CommandKind::ALL, CommandKind::name), "命令 / the command");
    /// 指标 / an indicator.
    IndicatorName => one_of(&names(Key::ALL, Key::as_str), "指标 / the indicator");
    /// 账号 / a username.
    UsernameText => text("[a-z][a-z0-9_.-]{2,31}".into(), "demo_dispatcher", "账号 / a username");
    /// 状态列表 / states, comma-separated.
    StateList => list_of(&names(&MatterState::ALL, MatterState::as_str), "状态，逗号分隔 / states, comma-separated");
    /// 预警列表 / warnings, comma-separated.
    WarningList => list_of(&names(&Warning::ALL, Warning::as_str), "预警，逗号分隔 / warnings, comma-separated");
    /// 分类列表 / categories, comma-separated.
    CategoryList => text(
        "[A-Za-z0-9._-]{2,32}(,[A-Za-z0-9._-]{2,32})*".into(),
        "0110,0201",
        "分类代码，逗号分隔 / category codes, comma-separated",
    );
    /// 日期 / a date.
    DateText => dated(KnownFormat::Date, DAY, "2026-11-30", "日期 YYYY-MM-DD（2000–2100 年） / a date");
    /// 时刻 / an instant.
    InstantText => dated(
        KnownFormat::DateTime,
        format!("{DAY}T{CLOCK}"),
        "2026-11-30T09:00:00+08:00",
        "时刻（RFC 3339，2000–2100 年） / an RFC 3339 instant",
    );
    /// 日期或时刻 / a date or an instant.
    DateOrInstantText => text(
        format!("{DAY}(T{CLOCK})?"),
        "2026-11-01",
        "日期（北京时间零点）或 RFC 3339 时刻 / a date (midnight in China) or an RFC 3339 instant",
    );
    /// 通知编号 / a notice's id (a UUID).
    NoticeIdText => text(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".into(),
        "019ad1f2-7c3e-7a10-9b2f-3c4d5e6f7a8b",
        "通知编号 / a notice's id",
    );
    /// 站内消息翻页游标 / the inbox's page cursor.
    InboxCursorText => text(
        "[0-9]{1,19}\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".into(),
        "1795000000000000.019ad1f2-7c3e-7a10-9b2f-3c4d5e6f7a8b",
        "上一页返回的 next / the `next` of the page before",
    );
    /// 矩形范围 / a bounding box.
    BboxText => text(
        "-?[0-9]{1,3}(\\.[0-9]+)?(,-?[0-9]{1,3}(\\.[0-9]+)?){3}".into(),
        "104.05,30.64,104.10,30.68",
        "经纬度范围 minLng,minLat,maxLng,maxLat（WGS-84） / minLng,minLat,maxLng,maxLat",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    fn pattern_of(schema: RefOr<Schema>) -> regex::Regex {
        let json = serde_json::to_value(schema).expect("json");
        regex::Regex::new(json["pattern"].as_str().expect("a pattern")).expect("a valid pattern")
    }

    #[test]
    fn patterns_accept_what_the_parsers_accept_and_refuse_what_they_refuse() {
        let division = pattern_of(DivisionCodeText::schema());
        for code in ["51", "5101", "510104", "510104022", "510104022006", "441900003", "510100", "510104000"] {
            assert!(division.is_match(code), "{code}");
            assert!(shanzhi_domain::DivisionCode::parse(code).is_ok(), "{code}");
        }
        for code in ["", "0", "00", "0012", "510104022000000", "5101040220060", "51a104", "5101040"] {
            assert!(!division.is_match(code), "{code}");
        }
        let grid = pattern_of(GridCodeText::schema());
        assert!(grid.is_match("510104022006001") && shanzhi_domain::GridCode::parse("510104022006001").is_ok());
        assert!(!grid.is_match("010000000000000") && !grid.is_match("510104022000001"));
        let community = pattern_of(CommunityCodeText::schema());
        assert!(community.is_match("510104022006"));
        assert!(shanzhi_app::deliberation::community_code("510104022006").is_ok());
        for code in ["510104022", "510104022000", "510104000006", "5101040220061"] {
            assert!(!community.is_match(code), "{code}");
            assert!(shanzhi_app::deliberation::community_code(code).is_err(), "{code}");
        }
        let department = pattern_of(DepartmentCodeText::schema());
        assert!(department.is_match("510104-chengguan") && department.is_match("510104022-jiedao_1"));
        assert!(!department.is_match("510104-Chengguan") && !department.is_match("-x"));
        assert!(!department.is_match("010000-a0") && department.is_match("510100-shiwei"));
        let period = pattern_of(PeriodText::schema());
        for p in ["2026", "2026-Q4", "2026-11", "2026-W48", "2026-11-28", "2100-01-01"] {
            assert!(period.is_match(p), "{p}");
            assert!(shanzhi_domain::indicators::Period::parse(p).is_ok(), "{p}");
        }
        for p in ["", "1999", "2026-13", "2026-Q5", "2026-W54", "26-11"] {
            assert!(!period.is_match(p), "{p}");
        }
        let states = pattern_of(StateList::schema());
        assert!(states.is_match("reported,filed") && !states.is_match("reported,") && !states.is_match(""));
    }
}
