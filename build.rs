//! Links the `emeroteca` executable at a fixed address (not position-independent) on Linux: a
//! position-independent one starts by relocating every pointer in its tables, about 170 pages
//! copied on write in each process (0.6 ms of a 4 ms search), and scripts start one process per
//! query. The price is that the executable's own code is not placed at a random address (its
//! libraries, stack and heap still are); `EMEROTECA_PIE=1 cargo build` builds it
//! position-independent.

fn main() {
    println!("cargo:rerun-if-env-changed=EMEROTECA_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let pie = std::env::var_os("EMEROTECA_PIE").is_some_and(|v| v == "1");
    if linux && !pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
