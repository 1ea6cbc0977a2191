//! `berth healthcheck` against a running server: 200 succeeds, any other status
//! and an unreachable server fail (the container HEALTHCHECK relies on both).

use std::process::Output;

use super::{Server, berth, temp_sqlite_url};

fn healthcheck(listen: &str, extra: &[&str]) -> Output {
    berth()
        .env_remove("BERTH_LISTEN")
        .args(["healthcheck", "--listen", listen, "--timeout", "5"])
        .args(extra)
        .output()
        .expect("run berth healthcheck")
}

#[test]
fn healthcheck_passes_on_200_and_fails_otherwise() {
    let (url, _) = temp_sqlite_url();
    let server = Server::start(&["--database-url", &url]);

    let ok = healthcheck(&server.addr, &[]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{ok:?}");
    assert!(stdout.contains("answered 200"), "{stdout}");
    let ready = healthcheck(&server.addr, &["--path", "/readyz"]);
    assert!(ready.status.success(), "{ready:?}");

    let missing = healthcheck(&server.addr, &["--path", "/nope"]);
    assert!(!missing.status.success(), "{missing:?}");
    assert!(
        String::from_utf8_lossy(&missing.stdout).contains("answered 404"),
        "{missing:?}"
    );

    let addr = server.addr.clone();
    server.stop();
    let down = healthcheck(&addr, &[]);
    assert!(!down.status.success(), "{down:?}");
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("connecting to"),
        "{down:?}"
    );
}
