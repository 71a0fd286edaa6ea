//! The demo's volunteers: in 总府路社区 a volunteer team and a shop (the
//! demo community worker a member of both), the shop's two rewards, and one
//! activity tomorrow morning.

use shanzhi_domain::volunteer::OrgKind;

use super::{RewardItemForm, VolunteerActivityForm, VolunteerOrgForm};
use crate::AppResult;
use crate::access::Scoped;

impl Scoped<'_> {
    /// Set up the demo's organisations, rewards and activity (as the operator).
    pub(crate) async fn demo_volunteers(&self, community: &str) -> AppResult<()> {
        let team = self
            .create_volunteer_org(
                community,
                &VolunteerOrgForm {
                    name: "总府路社区志愿服务队".to_owned(),
                    kind: OrgKind::Team,
                    members: vec!["demo_community".to_owned()],
                },
            )
            .await?;
        let shop = self
            .create_volunteer_org(
                community,
                &VolunteerOrgForm {
                    name: "春熙便民超市".to_owned(),
                    kind: OrgKind::Shop,
                    members: vec!["demo_community".to_owned()],
                },
            )
            .await?;
        for (name, description, price, stock) in
            [("大米 2.5 公斤", "凭兑换码到店领取", 30, 20), ("理发一次", "社区便民理发点，凭兑换码使用", 15, 50)]
        {
            let form = RewardItemForm {
                name: name.to_owned(),
                description: description.to_owned(),
                price,
                stock,
                org_id: Some(shop.id.clone()),
            };
            self.offer_reward(community, &form).await?;
        }
        let tomorrow = self.app.now().to_zoned_datetime(shanzhi_domain::calendar::china()).date().tomorrow().ok();
        let day = tomorrow.map(|d| d.to_string()).unwrap_or_else(|| "2026-12-31".to_owned());
        let form = VolunteerActivityForm {
            title: "府河步道清洁行动".to_owned(),
            description: "沿府河步道捡拾垃圾、劝导文明养犬。请穿运动鞋，手套和夹子由志愿队提供。".to_owned(),
            place: "总府路社区党群服务中心门口集合".to_owned(),
            lng: Some(104.0823),
            lat: Some(30.6598),
            starts_at: format!("{day}T09:00"),
            ends_at: format!("{day}T11:00"),
            capacity: 20,
            points: 20,
            org_id: Some(team.id),
        };
        self.publish_activity(community, &form).await?;
        Ok(())
    }
}
