//! The admin API's request bodies: the first byte picks the endpoint's body type, the rest
//! is the JSON a client sent. Deserialising must fail cleanly or succeed, never panic; a
//! settings edit (`PUT /api/settings`, and the `[[collect]]`/`[[etrn]]` list edits that go
//! through it) must either be refused as an `ApiError` or give a file that loads as a valid
//! configuration with no `"********"` value left in it.

#![no_main]

use std::path::Path;

use engine::api::accounts::{AccountChange, NewAccount};
use engine::api::aliases::AliasDto;
use engine::api::certificate::CertificateImport;
use engine::api::doctor::SmartHost;
use engine::api::domains::NewDomain;
use engine::api::settings::edit;
use engine::api::setup::SetupRequest;
use engine::api::status::Receiving;
use libfuzzer_sys::fuzz_target;

/// A configuration with a secret of every kind, for edits to keep or refuse.
const FILE: &str = "\
hostname = \"mx.example.test\"

[listen]
smtp = [\"127.0.0.1:2525\"]
admin = [\"127.0.0.1:8088\"]

[limits]
max_message_size = 1048576

[[route]]
domains = [\"*\"]
relay = [\"127.0.0.1:2587\"]
tls = \"none\"
username = \"office\"
password = \"relay-secret\"

[ddns]
enabled = false

[[ddns.record]]
provider = \"dyndns2\"
hostname = \"office.example.test\"
endpoint = \"https://dyn.example.test\"
username = \"u\"
password = \"dyn-secret\"

[[collect]]
protocol = \"pop3\"
host = \"pop.isp.test\"
tls = \"implicit\"
user = \"office\"
password = \"isp-secret\"
account = \"alice@example.test\"
";

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) {
    let _ = serde_json::from_slice::<T>(body);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 10 {
        0 => parse::<NewDomain>(body),
        1 => parse::<NewAccount>(body),
        2 => parse::<AccountChange>(body),
        3 => parse::<AliasDto>(body),
        4 => parse::<SetupRequest>(body),
        5 => parse::<Receiving>(body),
        6 => parse::<CertificateImport>(body),
        7 => parse::<SmartHost>(body),
        _ => {
            let Ok(changes) = serde_json::from_slice::<serde_json::Value>(body) else {
                return;
            };
            let file = Path::new("postroom.toml");
            if let Ok(edited) = edit(FILE, &changes, file) {
                assert!(engine::Config::parse(&edited, file).is_ok(), "{edited}");
                // The marker itself as a value (a password merely containing it is fine).
                assert!(
                    !edited.contains("\"********\""),
                    "a redacted secret was written: {edited}"
                );
            }
        }
    }
});
