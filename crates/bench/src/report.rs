//! The summary table: one row per comparison, our figure, the rival's, and the ratio.

use std::fmt::Write as _;

/// Which direction of a figure is the good one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Throughput-like figures (handshakes/s, Gbit/s).
    Higher,
    /// Latency-like figures (ns per lookup).
    Lower,
}

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What is measured.
    pub name: String,
    /// Unit of `ours` and `theirs`.
    pub unit: &'static str,
    /// ferrotun's figure.
    pub ours: f64,
    /// The rival's figure.
    pub theirs: f64,
    /// Who the rival is.
    pub rival: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// OpenSSL's figure in the same unit, where there is one.
    pub openssl: Option<f64>,
}

impl Row {
    /// ours / theirs, as printed.
    #[must_use]
    pub fn ratio(&self) -> f64 {
        self.ours / self.theirs
    }

    /// Whether ferrotun is ahead of the rival on this row.
    #[must_use]
    pub fn ahead(&self) -> bool {
        match self.better {
            Better::Higher => self.ours > self.theirs,
            Better::Lower => self.ours < self.theirs,
        }
    }

    /// ours / OpenSSL in percent, where OpenSSL has a figure.
    #[must_use]
    pub fn percent_of_openssl(&self) -> Option<f64> {
        self.openssl.map(|o| 100.0 * self.ours / o)
    }
}

/// Formats a figure with a precision that suits its size.
#[must_use]
pub fn figure(v: f64) -> String {
    if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The rows as a Markdown table (pasted as-is into BENCHMARKS.md).
#[must_use]
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| benchmark | unit | ferrotun | rival | rival's figure | ours/theirs | verdict | OpenSSL (ours/OpenSSL) |\n\
         |---|---|---:|---|---:|---:|---|---:|\n",
    );
    for row in rows {
        let openssl = match (row.openssl, row.percent_of_openssl()) {
            (Some(o), Some(p)) => format!("{} ({p:.0} %)", figure(o)),
            _ => "–".to_string(),
        };
        let verdict = if row.ahead() { "ahead" } else { "BEHIND" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.2} | {verdict} | {openssl} |",
            row.name,
            row.unit,
            figure(row.ours),
            row.rival,
            figure(row.theirs),
            row.ratio(),
        );
    }
    out
}

#[cfg(test)]
mod tests;
