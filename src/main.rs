//! The command line: parse arguments, call the library, print, map the outcome to an exit code.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use shipcheck::artifact::Limits;
use shipcheck::baseline::db::Database;
use shipcheck::baseline::sysroot;
use shipcheck::config::{self, Policy};
use shipcheck::findings::{Code, Severity, SeverityOverrides};
use shipcheck::loader::Layout;
use shipcheck::report::view::{Renderer, View};
use shipcheck::report::{ExitStatus, UnverifiedPolicy, github, json, markdown, sarif, table};
use shipcheck::target::Target;
use shipcheck::{CheckOptions, PathGlobs, PathTarget};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "shipcheck",
    version,
    about = "Will this build run where we are sending it? Checks native binaries without running them."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check binaries (files or directories, walked recursively) against a target and a baseline.
    Check(CheckArgs),
    /// List the baselines of the embedded database.
    Baselines {
        #[arg(long, value_enum, default_value_t = TreeFormat::Table)]
        format: TreeFormat,
        /// Show what a root filesystem provides instead (JSON), as `check --sysroot` sees it.
        #[arg(long, value_name = "DIR")]
        sysroot: Option<PathBuf>,
        /// Every release in full: name, aliases, sources and each architecture's facts (the
        /// default table has one line per release).
        #[arg(long, short, conflicts_with = "sysroot")]
        verbose: bool,
    },
    /// Show the load tree of every entry point: where the loader finds each library, through
    /// which search entry, and which version needs fail there (without running anything).
    Tree(TreeArgs),
    /// Explain a finding code: what it means and how to fix it.
    Explain { code: String },
    /// Print a shell completion script (e.g. `shipcheck completions bash >
    /// /usr/share/bash-completion/completions/shipcheck`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page in roff: shipcheck(1), or with a subcommand its own page,
    /// shipcheck-check(1) ... (`shipcheck man check | man -l -`).
    Man {
        /// The subcommand whose page to print.
        command: Option<String>,
    },
}

#[derive(clap::Args)]
struct TreeArgs {
    /// Files or directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Target as users name it (its C library decides the loader's rules for libraries).
    #[arg(long)]
    target: Option<String>,
    /// Baseline from the embedded database that provides what the tree does not hold.
    #[arg(long, conflicts_with = "sysroot")]
    baseline: Option<String>,
    /// A real root filesystem that provides what the tree does not hold.
    #[arg(long, value_name = "DIR")]
    sysroot: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    layout: LayoutArg,
    /// Policy file whose [dlopen] table says what files load at run time (default:
    /// ./shipcheck.toml if present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = TreeFormat::Table)]
    format: TreeFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum TreeFormat {
    Table,
    Json,
}

/// How to read a checked directory.
#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    /// A root filesystem when it looks like one (etc/ld.so.conf, a loader under lib*/ beside usr/).
    Auto,
    /// The system itself: its library directories are the loader's, everything must resolve inside it.
    Rootfs,
    /// An application tree to be installed on the target: only $ORIGIN reaches into it.
    App,
}

impl LayoutArg {
    fn layout(self) -> Option<Layout> {
        match self {
            LayoutArg::Auto => None,
            LayoutArg::Rootfs => Some(Layout::RootFs),
            LayoutArg::App => Some(Layout::App),
        }
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Target as users name it: x86_64-unknown-linux-gnu, linux-arm64, linux/arm/v7, armhf, aarch64 ...
    #[arg(long)]
    target: Option<String>,
    /// Baseline from the embedded database: ubuntu-16.04, ubuntu:22.04, bullseye, rhel-8, el9 ...
    /// Repeat it for one verdict per baseline.
    #[arg(long)]
    baseline: Vec<String>,
    /// A real root filesystem as a baseline (an extracted image, /crossrootfs/arm64, a debootstrap).
    #[arg(long, value_name = "DIR")]
    sysroot: Option<PathBuf>,
    /// Policy file; default: ./shipcheck.toml when it exists. Flags override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Make a finding code an error (e.g. --deny debug-info-present).
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// Set a code's severity: CODE=error|warning|info|off (e.g. --severity soname-unknown=error).
    #[arg(long, value_name = "CODE=LEVEL")]
    severity: Vec<String>,
    /// How to read checked directories (default: recognise root filesystems by their layout).
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    layout: LayoutArg,
    /// Exit status when nothing failed but something could not be checked: fail (exit 3, the
    /// default) or pass (exit 0). The report says "unverified" either way.
    #[arg(long, value_enum)]
    unverified: Option<UnverifiedArg>,
    /// Archives and images: stop reading one after this many decompressed bytes (and keep at
    /// most an eighth of it in memory); the artifact is then reported, not checked.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_bytes)]
    max_archive_bytes: u64,
    /// Archives and images: a compressed stream that expands more than this many times is a
    /// decompression bomb.
    #[arg(long, value_name = "RATIO", default_value_t = Limits::default().max_ratio)]
    max_archive_ratio: u64,
    /// Archives and images: members read from one artifact, all layers together.
    #[arg(long, value_name = "COUNT", default_value_t = Limits::default().max_members)]
    max_archive_members: u64,
    /// The kernel the target runs (a container runs on its host's: `5.10`); default: each
    /// baseline's own.
    #[arg(long, value_name = "VERSION")]
    kernel: Option<String>,
    /// The target kernel's page size in bytes (arm64 kernels with 16384 or 65536); default:
    /// each baseline's own.
    #[arg(long, value_name = "BYTES")]
    page_size: Option<u64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnverifiedArg {
    Fail,
    Pass,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A verdict line and a table for a job summary or pull request comment.
    Markdown,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(args) => {
            let format = args.format;
            run_check(args).inspect_err(|message| print_error_document(format, message))
        }
        Command::Baselines {
            format,
            sysroot,
            verbose,
        } => run_baselines(format, sysroot, verbose),
        Command::Tree(args) => run_tree(args),
        Command::Explain { code } => run_explain(&code),
        Command::Completions { shell } => run_completions(shell),
        Command::Man { command } => run_man(command.as_deref()),
    };
    match outcome {
        Ok(status) => ExitCode::from(status as u8),
        Err(message) => {
            eprintln!("shipcheck: error: {message}");
            ExitCode::from(ExitStatus::Error as u8)
        }
    }
}

fn run_check(args: CheckArgs) -> Result<ExitStatus, String> {
    // Never freed: the process ends after the check, and freeing the hundred thousand strings
    // of a default run's baselines took a tenth of a small run's time.
    let db = std::mem::ManuallyDrop::new(Database::embedded());
    let (policy, policy_path) = load_policy(args.config.as_deref())?;
    let target = args
        .target
        .as_deref()
        .or(policy.target.as_deref())
        .map(Target::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    let baseline_names = if args.baseline.is_empty() {
        &policy.baselines
    } else {
        &args.baseline
    };
    let mut baselines = Vec::new();
    for name in baseline_names {
        let set = db.find(name).map_err(|e| e.to_string())?.baseline_set();
        // Two aliases of one release (`manylinux2014 manylinux_2_17`) are one baseline.
        if !baselines
            .iter()
            .any(|known: &shipcheck::baseline::BaselineSet| known.id == set.id)
        {
            baselines.push(set);
        }
    }
    if let Some(dir) = args.sysroot.as_ref().or(policy.sysroot.as_ref()) {
        baselines.push(sysroot::scan(dir).map_err(|e| e.to_string())?);
    }
    let mut path_targets = Vec::new();
    for (index, rule) in policy.targets.iter().enumerate() {
        let globs = PathGlobs::new(&rule.paths)
            .map_err(|e| format!("policy targets[{index}].paths: {e}"))?;
        let target = Target::parse(&rule.target)
            .map_err(|e| format!("policy targets[{index}].target: {e}"))?;
        path_targets.push(PathTarget {
            globs,
            target,
            rule: format!("targets[{index}]"),
            defined_in: policy_path.clone().unwrap_or_default(),
        });
    }
    let dlopen_rules = dlopen_rules(&policy, policy_path.as_deref())?;
    let kernel = args
        .kernel
        .as_deref()
        .map(|text| {
            shipcheck::baseline::KernelVersion::parse(text).ok_or_else(|| {
                format!("--kernel wants a version such as 5.10 or 3.2.0, got `{text}`")
            })
        })
        .transpose()?;
    if let Some(size) = args.page_size
        && !size.is_power_of_two()
    {
        return Err(format!(
            "--page-size wants a power of two in bytes (4096, 16384, 65536), got {size}"
        ));
    }
    let ignore = if policy.ignore.is_empty() {
        None
    } else {
        Some(PathGlobs::new(&policy.ignore).map_err(|e| format!("policy ignore: {e}"))?)
    };
    let mut severity: Vec<String> = policy
        .severity
        .iter()
        .map(|(code, level)| format!("{code}={level}"))
        .collect();
    severity.extend(args.severity.iter().cloned());
    let overrides = severity_overrides(&args.deny, &severity)?;
    let unverified = match args.unverified {
        Some(UnverifiedArg::Pass) => UnverifiedPolicy::Pass,
        Some(UnverifiedArg::Fail) => UnverifiedPolicy::Fail,
        None => policy.unverified.unwrap_or_default(),
    };
    let options = CheckOptions {
        paths: args.paths,
        target,
        path_targets,
        baselines,
        allowed_sonames: policy.allow_sonames.iter().cloned().collect(),
        ignore,
        overrides,
        layout: args.layout.layout(),
        limits: Limits {
            max_bytes: args.max_archive_bytes,
            max_kept: (args.max_archive_bytes / 8).max(1 << 20),
            max_ratio: args.max_archive_ratio.max(1),
            max_members: args.max_archive_members,
            ..Limits::default()
        },
        dlopen_rules,
        machine: shipcheck::checks::target_facts::TargetMachine {
            kernel,
            page_size: args.page_size,
        },
    };
    let progress = Progress::new();
    let report =
        shipcheck::check_with_progress(&options, &db, &|done, total| progress.update(done, total))
            .map_err(|e| e.to_string())?;
    progress.finish();
    let rendered = match args.format {
        Format::Json => {
            write_json(&report)?;
            String::new()
        }
        Format::Github => github::render(&report),
        Format::Markdown => markdown::render(&report),
        Format::Sarif => sarif::render(&report),
        Format::Table => table::Table::for_stdout().render(&View::new(&report)),
    };
    print(&rendered)?;
    if !report.has_input() {
        // The report printed above already says "error" in its format.
        let paths: Vec<String> = options
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        eprintln!(
            "shipcheck: error: no binaries found in {}",
            paths.join(", ")
        );
        return Ok(ExitStatus::Error);
    }
    let status = report.exit_status(unverified);
    // Freeing hundreds of thousands of small allocations just before exiting is wasted time.
    std::mem::forget(report);
    Ok(status)
}

fn run_tree(args: TreeArgs) -> Result<ExitStatus, String> {
    let db = Database::embedded();
    let target = args
        .target
        .as_deref()
        .map(Target::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    let baseline = match (&args.baseline, &args.sysroot) {
        (Some(name), _) => Some(db.find(name).map_err(|e| e.to_string())?.baseline_set()),
        (None, Some(dir)) => Some(sysroot::scan(dir).map_err(|e| e.to_string())?),
        (None, None) => None,
    };
    let (policy, policy_path) = load_policy(args.config.as_deref())?;
    let options = CheckOptions {
        paths: args.paths,
        target,
        baselines: baseline.iter().cloned().collect(),
        layout: args.layout.layout(),
        dlopen_rules: dlopen_rules(&policy, policy_path.as_deref())?,
        ..CheckOptions::default()
    };
    let trees = shipcheck::load_trees(&options, &db).map_err(|e| e.to_string())?;
    let views: Vec<shipcheck::report::tree::TreeView> = trees
        .iter()
        .map(|loaded| shipcheck::report::tree::TreeView {
            root: loaded.tree.given.clone(),
            layout: loaded.model.layout,
            entry_points: shipcheck::checks::load_tree::entry_points(loaded, baseline.as_ref()),
            static_programs: shipcheck::checks::load_tree::static_programs(loaded),
        })
        .collect();
    let rendered = match args.format {
        TreeFormat::Json => shipcheck::report::tree::json(&views),
        TreeFormat::Table => shipcheck::report::tree::table(&views),
    };
    print(&rendered)?;
    let entries: Vec<_> = views.iter().flat_map(|v| &v.entry_points).collect();
    if entries.is_empty() && views.iter().all(|v| v.static_programs.is_empty()) {
        return Err("no programs or libraries found".into());
    }
    let fails = entries
        .iter()
        .any(|e| e.verdict == shipcheck::checks::load_tree::LoadVerdict::Fails);
    Ok(if fails {
        ExitStatus::Failed
    } else {
        ExitStatus::Clean
    })
}

/// On stdout, in the requested format, that the check could not be done (the reason also goes
/// to stderr): a CI step that reads the report must not take silence for a pass.
fn print_error_document(format: Format, message: &str) {
    let document = match format {
        Format::Table => return,
        Format::Json => json::render_error(message),
        Format::Sarif => sarif::render_error(message),
        Format::Markdown => markdown::render_error(message),
        Format::Github => github::render_error(message),
    };
    let _ = print(&document);
}

fn write_json(report: &shipcheck::report::Report) -> Result<(), String> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match json::write(report, &mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("writing output: {e}")),
        _ => Ok(()),
    }
}

fn run_baselines(
    format: TreeFormat,
    sysroot: Option<PathBuf>,
    verbose: bool,
) -> Result<ExitStatus, String> {
    if let Some(dir) = sysroot {
        let set = sysroot::scan(&dir).map_err(|e| e.to_string())?;
        print(&shipcheck::report::baselines::measured_json(&set))?;
        return Ok(ExitStatus::Clean);
    }
    let db = Database::embedded();
    let rendered = match format {
        TreeFormat::Json if verbose => {
            return Err(
                "--verbose applies to the table only; --format json has one fixed shape".into(),
            );
        }
        TreeFormat::Json => shipcheck::report::baselines::json(&db),
        TreeFormat::Table if verbose => shipcheck::report::baselines::verbose(&db),
        TreeFormat::Table => shipcheck::report::baselines::table(&db),
    };
    print(&rendered)?;
    Ok(ExitStatus::Clean)
}

fn run_explain(code: &str) -> Result<ExitStatus, String> {
    let code = parse_code(code)?;
    print(&shipcheck::findings::explain(code))?;
    Ok(ExitStatus::Clean)
}

fn run_completions(shell: clap_complete::Shell) -> Result<ExitStatus, String> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "shipcheck", &mut script);
    print(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Clean)
}

fn run_man(subcommand: Option<&str>) -> Result<ExitStatus, String> {
    let mut cli = Cli::command();
    let command = match subcommand {
        None => cli,
        Some(name) => {
            cli.build();
            let known: Vec<String> = cli
                .get_subcommands()
                .map(|sub| sub.get_name().to_owned())
                .collect();
            let sub = cli
                .find_subcommand(name)
                .ok_or_else(|| format!("no subcommand `{name}`; known: {}", known.join(", ")))?;
            // The page's name (shipcheck-check, as the main page's SUBCOMMANDS list says) and
            // the synopsis's program (`shipcheck check`).
            sub.clone()
                .display_name(format!("shipcheck-{name}"))
                .bin_name(format!("shipcheck {name}"))
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .source(format!("shipcheck {}", env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .map_err(|e| format!("rendering the man page: {e}"))?;
    print(&String::from_utf8_lossy(&page))?;
    Ok(ExitStatus::Clean)
}

/// The policy's `[dlopen]` table, each entry parsed.
fn dlopen_rules(
    policy: &Policy,
    policy_path: Option<&Path>,
) -> Result<Vec<shipcheck::runtime::DlopenRule>, String> {
    let defined_in = policy_path.unwrap_or(Path::new(""));
    policy
        .dlopen
        .iter()
        .map(|(rule, loads)| {
            shipcheck::runtime::DlopenRule::new(rule, loads, defined_in)
                .map_err(|e| format!("policy dlopen \"{rule}\": {e}"))
        })
        .collect()
}

/// The policy named by `--config`, else `./shipcheck.toml` when present, else none; with the
/// file it came from.
fn load_policy(explicit: Option<&Path>) -> Result<(Policy, Option<PathBuf>), String> {
    let path = match explicit {
        Some(path) => path,
        None if Path::new(config::DEFAULT_FILE).is_file() => Path::new(config::DEFAULT_FILE),
        None => return Ok((Policy::default(), None)),
    };
    let policy = config::load(path).map_err(|e| e.to_string())?;
    Ok((policy, Some(path.to_path_buf())))
}

fn severity_overrides(deny: &[String], severity: &[String]) -> Result<SeverityOverrides, String> {
    let mut overrides = SeverityOverrides::new();
    for code in deny {
        overrides.insert(parse_code(code)?, Some(Severity::Error));
    }
    for item in severity {
        let (code, level) = item
            .split_once('=')
            .ok_or_else(|| format!("--severity wants CODE=LEVEL, got `{item}`"))?;
        let level = match level {
            "off" => None,
            other => Some(Severity::parse(other).ok_or_else(|| {
                format!("unknown severity `{other}` (use error, warning, info or off)")
            })?),
        };
        overrides.insert(parse_code(code)?, level);
    }
    Ok(overrides)
}

fn parse_code(text: &str) -> Result<Code, String> {
    Code::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Code::ALL.iter().map(Code::as_str).collect();
        format!(
            "unknown finding code `{text}`; known codes: {}",
            known.join(", ")
        )
    })
}

/// A progress line on stderr for long runs, only when stderr is a terminal: never mixed into
/// stdout, never in logs.
struct Progress {
    enabled: bool,
    started: std::time::Instant,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Progress {
    const FIRST_AFTER: std::time::Duration = std::time::Duration::from_millis(500);
    const EVERY: std::time::Duration = std::time::Duration::from_millis(100);

    fn new() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            started: std::time::Instant::now(),
            last: std::sync::Mutex::new(None),
        }
    }

    fn update(&self, done: usize, total: usize) {
        if !self.enabled || self.started.elapsed() < Self::FIRST_AFTER {
            return;
        }
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < Self::EVERY) {
            return;
        }
        *last = Some(std::time::Instant::now());
        eprint!("\rshipcheck: read {done}/{total} files");
    }

    fn finish(&self) {
        if self.enabled && self.last.lock().is_ok_and(|last| last.is_some()) {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("writing output: {e}")),
        _ => Ok(()),
    }
}
