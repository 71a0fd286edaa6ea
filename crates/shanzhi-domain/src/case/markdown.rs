//! The Markdown subset an article's body is written in, rendered to HTML
//! with every character of the text escaped: no raw HTML passes.
//!
//! Blocks are separated by blank lines: `## ` and `### ` headings, `- `
//! or `* ` list items, `> ` quotes, anything else a paragraph (its lines
//! kept as line breaks). Inline: `**bold**` and `[text](url)` links, the
//! url `http(s)://…` or a path on this host (`/…`); any other is text.

/// Escape text for HTML (element content and quoted attributes).
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn safe_url(url: &str) -> bool {
    let ok_start =
        url.starts_with("https://") || url.starts_with("http://") || (url.starts_with('/') && !url.starts_with("//"));
    ok_start && !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\'' || c == '<')
}

/// A link `[text](url)` at the start of `s`: (text, url, bytes used).
fn link_at(s: &str) -> Option<(&str, &str, usize)> {
    let rest = s.strip_prefix('[')?;
    let close = rest.find("](")?;
    let text = &rest[..close];
    let after = &rest[close + 2..];
    let end = after.find(')')?;
    let url = &after[..end];
    (!text.is_empty() && !text.contains('[') && safe_url(url)).then_some((text, url, 1 + close + 2 + end + 1))
}

fn inline(text: &str, out: &mut String) {
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**")
            && end > 0
        {
            out.push_str("<strong>");
            escape(&after[..end], out);
            out.push_str("</strong>");
            rest = &after[end + 2..];
            continue;
        }
        if let Some((t, url, used)) = link_at(rest) {
            out.push_str("<a href=\"");
            escape(url, out);
            out.push_str("\">");
            escape(t, out);
            out.push_str("</a>");
            rest = &rest[used..];
            continue;
        }
        let next = rest.char_indices().skip(1).find(|(_, c)| *c == '*' || *c == '[').map_or(rest.len(), |(i, _)| i);
        escape(&rest[..next], out);
        rest = &rest[next..];
    }
}

fn item(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* "))
}

/// Render `body` (already bounded by the caller) to safe HTML.
pub fn render(body: &str) -> String {
    let mut out = String::with_capacity(body.len() * 5 / 4);
    let normalized = body.replace("\r\n", "\n");
    for block in normalized.split("\n\n") {
        let lines: Vec<&str> = block.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
        let Some(first) = lines.first() else { continue };
        if let Some(h) = first.strip_prefix("### ").or_else(|| first.strip_prefix("## ")) {
            let tag = if first.starts_with("###") { "h3" } else { "h2" };
            out.push_str(&format!("<{tag}>"));
            inline(h.trim(), &mut out);
            out.push_str(&format!("</{tag}>"));
            lines_as_paragraph(&lines[1..], &mut out);
        } else if lines.iter().all(|l| item(l).is_some()) {
            out.push_str("<ul>");
            for l in &lines {
                out.push_str("<li>");
                inline(item(l).unwrap_or(l).trim(), &mut out);
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        } else if lines.iter().all(|l| l.starts_with('>')) {
            out.push_str("<blockquote>");
            let inner: Vec<&str> = lines.iter().map(|l| l.trim_start_matches('>').trim()).collect();
            lines_as_paragraph(&inner, &mut out);
            out.push_str("</blockquote>");
        } else {
            lines_as_paragraph(&lines, &mut out);
        }
        out.push('\n');
    }
    out
}

fn lines_as_paragraph(lines: &[&str], out: &mut String) {
    if lines.is_empty() {
        return;
    }
    out.push_str("<p>");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        inline(l.trim(), out);
    }
    out.push_str("</p>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_always_escaped() {
        let html = render("<script>alert(1)</script>\n\n**<b>x</b>**\n\n[点我](javascript:alert(1))");
        assert!(!html.contains("<script") && !html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("<strong>&lt;b&gt;x&lt;/b&gt;</strong>"));
        assert!(!html.contains("href=\"javascript"), "{html}");
        let attr = render("[x](https://a.example/\"onload=1)");
        assert!(!attr.contains("href"), "a quote ends no attribute: {attr}");
    }

    #[test]
    fn the_subset_renders_headings_lists_quotes_and_links() {
        let html =
            render("## 四个统\n\n- 统筹\n- 统合\n\n> 以事聚人\n\n见[议题](/c/510104022006)，**双线融合**。\n第二行");
        assert!(html.contains("<h2>四个统</h2>"));
        assert!(html.contains("<ul><li>统筹</li><li>统合</li></ul>"));
        assert!(html.contains("<blockquote><p>以事聚人</p></blockquote>"));
        assert!(html.contains("<a href=\"/c/510104022006\">议题</a>"));
        assert!(html.contains("<strong>双线融合</strong>。<br>第二行"));
        assert_eq!(render("a * b [c"), "<p>a * b [c</p>\n");
    }
}
