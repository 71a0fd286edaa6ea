//! A progress bar on stderr for long imports (hidden when stderr is not a
//! terminal, so logs and CI output stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shanzhi_app::Progress;

#[derive(Debug)]
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Bar(bar)
    }
}

impl Progress for Bar {
    fn stage(&self, label: &str, total: u64) {
        let style = if total > 0 {
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")
        } else {
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        };
        if let Ok(style) = style {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_message(label.to_owned());
        self.0.enable_steady_tick(std::time::Duration::from_millis(120));
    }

    fn advance(&self, steps: u64) {
        self.0.inc(steps);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
