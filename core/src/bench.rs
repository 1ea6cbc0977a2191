//! What the benchmarks share (the `testing` feature): the machine they run on,
//! the median of repeated runs, and CPU time read from /proc — the whole
//! machine's and single processes' — so that a run disturbed by other
//! processes can be told apart and repeated.

use std::collections::HashMap;

/// The machine the numbers come from.
#[derive(Debug)]
pub struct Machine {
    /// Its CPUs (`nproc`).
    pub cpus: usize,
    /// The CPU's model name.
    pub model: String,
}

impl Machine {
    /// This machine.
    pub fn detect() -> Self {
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        Self { cpus, model }
    }

    /// `8 CPU(s) (nproc), <model>`.
    pub fn describe(&self) -> String {
        format!("{} CPU(s) (nproc), {}", self.cpus, self.model)
    }
}

/// The median of `values`; `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(sorted[n / 2])
    } else {
        Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0)
    }
}

/// The whole machine's CPU time so far, in clock ticks (from /proc/stat).
#[derive(Clone, Copy, Debug)]
pub struct MachineTicks {
    /// Ticks spent working (user, nice, system, irq, softirq).
    pub busy: u64,
    /// All ticks (idle and iowait too, steal).
    pub total: u64,
    /// The CPUs counted.
    pub cpus: usize,
}

impl MachineTicks {
    /// The machine's ticks now; `None` without /proc.
    pub fn take() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let mut lines = stat.lines();
        // cpu user nice system idle iowait irq softirq steal ...
        let ticks: Vec<u64> = lines
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        if ticks.len() < 8 {
            return None;
        }
        let cpus = lines.filter(|l| l.starts_with("cpu")).count().max(1);
        Some(Self {
            busy: ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6],
            total: ticks[..8].iter().sum(),
            cpus,
        })
    }

    /// The ticks the machine worked between `self` and `later`.
    pub fn busy_until(&self, later: &Self) -> u64 {
        later.busy.saturating_sub(self.busy)
    }

    /// The CPU cores `ticks` kept busy on average between `self` and `later`.
    pub fn cores(&self, later: &Self, ticks: u64) -> f64 {
        let ticks_per_cpu = later.total.saturating_sub(self.total) as f64 / later.cpus as f64;
        if ticks_per_cpu > 0.0 {
            ticks as f64 / ticks_per_cpu
        } else {
            0.0
        }
    }
}

/// The CPU time so far of the PostgreSQL server whose postmaster is
/// `postmaster` (it and its children), per process; `None` without /proc.
pub fn server_ticks(postmaster: u32) -> Option<HashMap<u32, u64>> {
    let mut ticks = HashMap::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if let Some((parent, t)) = process_ticks(pid)
            && (pid == postmaster || parent == postmaster)
        {
            ticks.insert(pid, t);
        }
    }
    Some(ticks)
}

/// The ticks `later` adds to `earlier`, summed over the processes of `later`.
pub fn ticks_between(earlier: &HashMap<u32, u64>, later: &HashMap<u32, u64>) -> u64 {
    later
        .iter()
        .map(|(pid, t)| t.saturating_sub(earlier.get(pid).copied().unwrap_or(0)))
        .sum()
}

/// A process's parent and its CPU time (user + system, all threads) in ticks.
pub fn process_ticks(pid: u32) -> Option<(u32, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ... utime stime: fields after the comm, which may
    // contain spaces and parentheses itself.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let parent = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((parent, utime + stime))
}
