//! The desk's order: the most urgent first. Overdue (red) matters, then
//! orange, yellow and the rest, each colour by deadline (the most overdue,
//! or the soonest due, first; matters without a clock last), so a red
//! matter never sinks below a page of fresh reports. The store orders and
//! pages each colour (`MatterOrder::DueFirst`); the cursor says which colour
//! the page stopped in and where.

use shanzhi_app::access::Scoped;
use shanzhi_app::matters::{DEFAULT_PAGE, MAX_PAGE, MatterFilter, MatterOrder, MatterView};
use shanzhi_app::{AppError, AppResult};
use shanzhi_domain::Warning;
use shanzhi_domain::text::Bilingual;

/// The colours in the order the desk lists them.
const ORDER: [Warning; 4] = [Warning::Red, Warning::Orange, Warning::Yellow, Warning::None];

pub struct Page {
    pub items: Vec<MatterView>,
    pub next: Option<String>,
}

/// A filter that contradicts the tab (a yellow filter on the overdue tab)
/// lists nothing rather than refusing the page.
pub fn contradicts(e: &AppError) -> bool {
    matches!(e, AppError::BadRequest { code: "contradictory_filters", .. })
}

/// One page, most urgent first: at most one store read per colour.
pub async fn urgent_first(scoped: &Scoped<'_>, filter: &MatterFilter, cursor: Option<&str>) -> AppResult<Page> {
    let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let (mut at, mut inner) = match cursor {
        Some(c) => decode(c)?,
        None => (0, None),
    };
    let mut items = Vec::new();
    while at < ORDER.len() && items.len() < limit {
        let colour = ORDER[at];
        if filter.warnings.is_empty() || filter.warnings.contains(&colour) {
            let q = MatterFilter {
                warnings: vec![colour],
                limit: Some(limit - items.len()),
                order: MatterOrder::DueFirst,
                ..filter.clone()
            };
            match scoped.matters(&q, inner.as_deref()).await {
                Ok(p) => {
                    items.extend(p.items);
                    if let Some(n) = p.next {
                        return Ok(Page { items, next: Some(encode(at, Some(&n))) });
                    }
                }
                Err(e) if contradicts(&e) => {}
                Err(e) => return Err(e),
            }
        }
        at += 1;
        inner = None;
    }
    let next = (items.len() >= limit && at < ORDER.len()).then(|| encode(at, None));
    Ok(Page { items, next })
}

fn encode(colour: usize, inner: Option<&str>) -> String {
    format!("{colour}.{}", inner.unwrap_or(""))
}

fn decode(cursor: &str) -> AppResult<(usize, Option<String>)> {
    let bad = || AppError::BadRequest {
        code: "invalid_cursor",
        message: Bilingual::new("翻页游标无效，请回到第一页", "invalid page cursor; go back to the first page"),
    };
    let (colour, inner) = cursor.split_once('.').ok_or_else(bad)?;
    let colour: usize = colour.parse().map_err(|_| bad())?;
    if colour >= ORDER.len() {
        return Err(bad());
    }
    Ok((colour, Some(inner.to_owned()).filter(|i| !i.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_names_the_colour_and_the_place_in_it() {
        assert_eq!(
            decode(&encode(1, Some("1764300000000000_abc"))).ok(),
            Some((1, Some("1764300000000000_abc".to_owned())))
        );
        assert_eq!(decode(&encode(3, None)).ok(), Some((3, None)));
        for bad in ["", "x.1", "4.", "9.a_b", "nodot"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
