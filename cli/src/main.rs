//! `logplay`: runs, formats, links and exports scenario scripts from the command line.
//!
//! Exits 0 on success, 1 when the script does not parse, the link does not open or a file
//! cannot be read, and 2 on bad usage (clap's code).

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use logplay_core::budget::{self, Limits};
use logplay_core::script::link;
use logplay_core::script::{export, parse, print, Output, OutputKind, Script, Session};

/// Apache Kafka's semantics on a simulated clock: run a scenario script and see every
/// delivery, poll, commit and rebalance as JSON lines.
#[derive(Parser)]
#[command(name = "logplay", version)]
struct Cli {
    #[command(subcommand)]
    command: Verb,
}

#[derive(Subcommand)]
enum Verb {
    /// Runs a script: one JSON object per line for each output of each command.
    Run {
        #[command(flatten)]
        input: Input,
        /// Print only outputs of these types (comma-separated; see docs/script.md).
        #[arg(long, value_delimiter = ',', value_parser = output_kind, conflicts_with = "omit")]
        only: Vec<OutputKind>,
        /// Leave out outputs of these types, e.g. `--omit record,delivery`.
        #[arg(long, value_delimiter = ',', value_parser = output_kind)]
        omit: Vec<OutputKind>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Prints the script in its canonical form.
    Fmt {
        /// The script file, or `-` for standard input.
        file: String,
    },
    /// Prints the script's share-link fragment (`#s=…`).
    Link {
        /// The script file, or `-` for standard input.
        file: String,
    },
    /// Writes a program that runs the script against a real cluster.
    Export {
        /// The program's language.
        #[arg(long)]
        to: Target,
        #[command(flatten)]
        input: Input,
    },
}

/// A script from a file, standard input or a share link.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Input {
    /// The script file, or `-` for standard input.
    file: Option<String>,
    /// A share link (`https://…/#s=1.…`, or the part after `#s=`).
    #[arg(long)]
    link: Option<String>,
}

/// The scenario budget: a command that would pass a limit is refused with
/// `POLICY_VIOLATION` (the defaults fit a browser tab).
#[derive(Args)]
struct LimitArgs {
    /// The most bytes the scenario may hold (logs, buffers, registry, Connect), e.g. `1GiB`.
    #[arg(long, value_parser = budget::parse_bytes, default_value = "256MiB")]
    max_bytes: u64,
    /// The most live clients (producers plus consumers).
    #[arg(long, default_value_t = Limits::default().clients)]
    max_clients: u32,
    /// The most partitions over all topics.
    #[arg(long, default_value_t = Limits::default().partitions)]
    max_partitions: u32,
    /// The most partition passes (retention, cleaner, leader balance) one clock step may run.
    #[arg(long, default_value_t = Limits::default().work)]
    max_work: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            bytes: self.max_bytes,
            clients: self.max_clients,
            partitions: self.max_partitions,
            work: self.max_work,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    /// Python with confluent-kafka, printing the same JSON lines as `logplay run`.
    Python,
    /// A shell script for kcat (a simple subset of the language).
    Shell,
}

fn output_kind(text: &str) -> Result<OutputKind, String> {
    OutputKind::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = OutputKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown output type; one of: {}", names.join(", "))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Verb::Run {
            input,
            only,
            omit,
            limits,
        } => load(&input).and_then(|script| {
            let print = |o: &Output| {
                if only.is_empty() {
                    !omit.contains(&o.kind())
                } else {
                    only.contains(&o.kind())
                }
            };
            io(run(&script, limits.limits(), print))
        }),
        Verb::Fmt { file } => read(&file).and_then(|s| write_out(print(&s).as_bytes())),
        Verb::Link { file } => {
            read(&file).and_then(|s| write_out(format!("#s={}\n", link::encode(&s)).as_bytes()))
        }
        Verb::Export { to, input } => load(&input).and_then(|script| export_to(to, &script)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logplay: {e}");
            ExitCode::from(1)
        }
    }
}

fn export_to(to: Target, script: &Script) -> Result<(), String> {
    let program = match to {
        Target::Python => {
            let e = export::to_python(script).map_err(|e| e.to_string())?;
            for (line, warning) in &e.warnings {
                eprintln!("logplay: line {line}: {warning}");
            }
            e.program
        }
        Target::Shell => export::to_shell(script).map_err(|e| e.to_string())?,
    };
    write_out(program.as_bytes())
}

fn load(input: &Input) -> Result<Script, String> {
    match (&input.file, &input.link) {
        (_, Some(url)) => link::decode(url).map_err(|e| e.to_string()),
        (Some(file), None) => read(file),
        (None, None) => Err("a script file or --link is required".into()),
    }
}

/// Reads and parses a script file (`-` is standard input).
fn read(file: &str) -> Result<Script, String> {
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    read.map_err(|e| format!("cannot read {file}: {e}"))?;
    parse(&text).map_err(|e| format!("{file}: {e}"))
}

/// Runs the script, writing each output it keeps as it comes.
fn run(script: &Script, limits: Limits, keep: impl Fn(&Output) -> bool) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut result = Ok(());
    Session::new()
        .with_limits(limits)
        .apply_script(script, |o| {
            if result.is_ok() && keep(&o) {
                result = writeln!(out, "{}", o.to_json());
            }
        });
    result?;
    out.flush()
}

fn write_out(bytes: &[u8]) -> Result<(), String> {
    io(std::io::stdout().write_all(bytes))
}

/// A closed pipe (`logplay run x.lp | head`) is not an error.
fn io(result: std::io::Result<()>) -> Result<(), String> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|e| e.to_string()),
    }
}
