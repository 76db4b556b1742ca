//! `logplay`: runs, formats and links scenario scripts from the command line.
//!
//! ```text
//! logplay run FILE|-          one JSON object per line per command output
//! logplay run --link URL      the same, for a share link
//! logplay fmt FILE|-          the canonical form
//! logplay link FILE|-         the share-link fragment (#s=…)
//! logplay export --to python|shell FILE|- | --link URL
//!                             a program that does the same against a real cluster
//! ```
//! Exits 1 when the script does not parse (or the link does not open), 2 on bad usage.

use std::io::{Read, Write};
use std::process::ExitCode;

use logplay_core::link;
use logplay_core::script::{export, parse, print, Script, Session};

const USAGE: &str = "usage: logplay run FILE|- | logplay run --link URL | logplay fmt FILE|- | logplay link FILE|- | logplay export --to python|shell FILE|-|--link URL";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (command, target) = match args.as_slice() {
        ["export", "--to", to @ ("python" | "shell"), rest @ ..] => (*to, rest),
        [command, rest @ ..] => (*command, rest),
        [] => ("", &[][..]),
    };
    let script = match (command, target) {
        ("run" | "python" | "shell", ["--link", url]) => {
            link::decode(url).map_err(|e| e.to_string())
        }
        ("run" | "fmt" | "link" | "python" | "shell", [file]) => {
            read(file).and_then(|text| parse(&text).map_err(|e| format!("{file}: {e}")))
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let script = match script {
        Ok(s) => s,
        Err(e) => {
            eprintln!("logplay: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match command {
        "run" => run(&script),
        "fmt" => std::io::stdout().write_all(print(&script).as_bytes()),
        "python" => match export::to_python(&script) {
            Ok(e) => {
                for (line, warning) in &e.warnings {
                    eprintln!("logplay: line {line}: {warning}");
                }
                std::io::stdout().write_all(e.program.as_bytes())
            }
            Err(e) => {
                eprintln!("logplay: {e}");
                return ExitCode::from(1);
            }
        },
        "shell" => match export::to_shell(&script) {
            Ok(program) => std::io::stdout().write_all(program.as_bytes()),
            Err(e) => {
                eprintln!("logplay: {e}");
                return ExitCode::from(1);
            }
        },
        _ => writeln!(std::io::stdout(), "#s={}", link::encode(&script)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logplay: {e}");
            ExitCode::from(1)
        }
    }
}

fn read(file: &str) -> Result<String, String> {
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    read.map(|()| text)
        .map_err(|e| format!("cannot read {file}: {e}"))
}

fn run(script: &Script) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (_, outputs) = Session::run(script);
    for o in outputs {
        writeln!(out, "{}", o.to_json())?;
    }
    out.flush()
}
