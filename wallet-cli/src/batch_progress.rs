//! `wallet issue-batch`'s progress on stderr: a bar on a terminal, else a line every
//! [`PROGRESS_EVERY`], so that a batch run by a scheduler leaves a readable log.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

/// How often a progress line is printed when stderr is not a terminal.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Progress on stderr: a bar on a terminal, else a line every [`PROGRESS_EVERY`].
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: Option<u64>,
    start_line: u64,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    pub fn new(total: Option<u64>, start_line: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match total {
                Some(t) => (
                    indicatif::ProgressBar::new(t),
                    "{bar:30} {pos}/{len} lines ({percent}%) {per_sec} ETA {eta} {msg}",
                ),
                None => (
                    indicatif::ProgressBar::new_spinner(),
                    "{spinner} {pos} lines {per_sec} {elapsed} {msg}",
                ),
            };
            bar.set_style(
                indicatif::ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_position(start_line);
            bar.reset_eta();
            bar.set_message("0 failed");
            bar
        });
        Self {
            bar,
            total,
            start_line,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    pub fn update(&mut self, line: u64, failed: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(line);
            bar.set_message(format!("{failed} failed"));
            return;
        }
        if self.last_line.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last_line = Instant::now();
        eprintln!("progress: {}", self.describe(line, failed));
    }

    #[allow(clippy::cast_precision_loss)] // figures for display only
    fn describe(&self, line: u64, failed: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let done = line.saturating_sub(self.start_line);
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        match self.total {
            Some(t) => {
                let pct = if t > 0 {
                    line as f64 * 100.0 / t as f64
                } else {
                    100.0
                };
                let eta = if rate > 0.0 {
                    format!("{:.0} s", t.saturating_sub(line) as f64 / rate)
                } else {
                    "unknown".to_owned()
                };
                format!(
                    "line {line} of {t} ({pct:.1}%), {rate:.0} lines/s, ETA {eta}, {failed} failed"
                )
            }
            None => format!("line {line}, {rate:.0} lines/s, {failed} failed"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
