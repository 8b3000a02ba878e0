//! `emeroteca man`: the manual page, in roff. clap_mangen renders the commands and options; the
//! query language, the examples and the exit statuses follow, taken from the `--help` texts.

use std::io::{self, Write};

use clap::Command;

/// Renders the page of `command`, then each block of `sections`: blocks separated by an empty
/// line, each headed by its first line (`QUERY LANGUAGE`, `EXAMPLES`…).
pub fn render(command: Command, sections: &[&str], out: &mut impl Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for block in sections.iter().flat_map(|s| s.split("\n\n")) {
        let Some((heading, body)) = block.split_once('\n') else {
            continue;
        };
        writeln!(out, ".SH \"{}\"", heading.trim())?;
        writeln!(out, ".nf")?;
        for line in body.lines() {
            writeln!(out, "{}", escape(line))?;
        }
        writeln!(out, ".fi")?;
    }
    man.render_version_section(out)
}

/// A line of text as roff prints it: backslashes and dashes literal, never read as a request,
/// other than ASCII as named characters (troff reads its input as Latin-1).
fn escape(line: &str) -> String {
    let mut escaped = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\\' => escaped.push_str("\\e"),
            '-' => escaped.push_str("\\-"),
            c if c.is_ascii() => escaped.push(c),
            c => escaped.push_str(&format!("\\[u{:04X}]", u32::from(c))),
        }
    }
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
