//! The demo's case library: one published article that sums up, in our own
//! words, the interview that opened the 《善治成都》 column, with its source named.

use shanzhi_domain::case::{ArticleKind, Step};
use shanzhi_store::ProposalQuery;

use super::CaseForm;
use crate::AppResult;
use crate::access::Scoped;

/// Where the demo article comes from.
pub const DEMO_CASE_SOURCE: &str = "《善治成都》专栏首篇：四川在线 2020-11-19《以社区为基本场域 发展治理一体推进 \
     构建城市命运共同体——专访成都市委组织部副部长、社治委常务副主任薛敏》（本文为要点综述，非原文）";

const DEMO_CASE_BODY: &str = "## 城市命运共同体

成都把社区当作发展和治理一起推进的基本场域：社区既要发展，也要治理，两件事在同一个地方、由同一批人一起做。目标是让居民、驻区单位、社会组织和政府结成城市命运共同体，按发展、治理、生活、价值、行动五个方面去建设。

## 四个统

在镇（街道）一级，把分散在各部门的基层力量和手段收拢起来：

- **一支队伍统管**：网格员、综治队员、社区工作者编入一支队伍；
- **一张网格统揽**：各部门的网格合成一张网，任务都从网格进来；
- **一个平台统调**：事件统一受理、统一派遣、统一督办；
- **一套机制统筹**：联席会议、考核和职责清单一起管。

## 双线融合

社区发展治理（社治委牵头）守住幸福的“高线”，社会综合治理和平安建设（政法委牵头）守住安全的“底线”。两条线在党委领导下合在一起：中心合建、队伍合编、人员兼任、工作下沉。

## 五线、五步工作法

用社区保障激励资金办居民的事，按五步走：党组织组织提议、议事会民主决议、居委会组织实施、党组织评议验收、监委会全程监督，每一步公开公示。与之并提的五线工作法面向居民小区（院落），其具体内容以原文和所在区的文件为准。

## 以事聚人、聚人成事

从一件件小事入手，把居民聚起来：一处口袋公园、一次邻里节、一笔资金怎么花。事情办成了，围绕它形成的居民自组织再接着承担日常的共治。

> 在善治平台上，这些做法落在议事规则、网格、事件办理和社区资金台账里，可以逐条查看。";

impl Scoped<'_> {
    /// Write, submit and publish the demo article (as the operator).
    pub(crate) async fn demo_case(&self, community: &str) -> AppResult<()> {
        let proposal = self
            .app
            .store
            .proposals(&ProposalQuery { within: Some(community.to_owned()), limit: 1, ..Default::default() })
            .await?;
        let form = CaseForm {
            kind: ArticleKind::Interview,
            title: "以社区为基本场域，构建城市命运共同体：《善治成都》首篇访谈要点".to_owned(),
            summary: "成都把社区发展和治理一体推进：四个统把基层力量收拢到镇街，双线融合兼顾幸福高线和安全底线，\
                      五步工作法让居民自己议定社区资金，以事聚人、聚人成事。"
                .to_owned(),
            body: DEMO_CASE_BODY.to_owned(),
            tags: ["城市命运共同体", "四个统", "双线融合", "五步工作法", "以事聚人"].map(str::to_owned).to_vec(),
            places: vec![community.to_owned()],
            links: proposal.iter().map(|p| format!("proposal:{}", p.id)).collect(),
            source: DEMO_CASE_SOURCE.to_owned(),
            images: Vec::new(),
        };
        let draft = self.create_case("510100000000", &form).await?;
        let submitted = self.case_step(&draft.id, Step::Submit, draft.version, "").await?;
        self.case_step(&submitted.id, Step::Publish, submitted.version, "演示数据：要点综述，来源已注明").await?;
        Ok(())
    }
}
